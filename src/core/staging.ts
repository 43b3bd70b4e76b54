// Datasets in a network's wasm memory, staged for the span of a scope: images copied in unless
// they live there already, and scanned once into the run table the mini-batch gather reads;
// features below FEATURE_DENSE_DENSITY listed once as their nonzeros (each row's columns and
// values: the gather copies them), denser ones copied in whole. Not for: gathering batches
// (layers.ts), deciding what to stage (the training loop) or resident datasets (data/resident.ts).
import { isFeatures, type FeatureDataset, type TrainingData } from './datasets.js';
import { InvalidArgumentError } from './errors.js';
import type { Kernels } from './kernels.js';
import type { MemoryPlan } from './memory.js';

/** How the gather reads a staged dataset: u8 images by their run table, or f32 features by lists of their nonzeros or whole. */
export const IMAGE_RUNS = 0;
export const FEATURES_SPARSE = 1;
export const FEATURES_DENSE = 2;
/**
 * Features at least this dense are gathered whole (each example listed as every column): the first
 * layer's kernels do the same work per listed input either way, and lists of nonzeros win below a
 * density of about 0.75 (bench/RESULTS.md); below it the listed nonzeros (8 bytes each) also take
 * less memory than the whole rows (4 bytes a feature).
 */
export const FEATURE_DENSE_DENSITY = 0.75;

/** Where a staged dataset is: byte offsets of its data, labels and (images) run table, and how to gather it. */
export interface StagedData {
  /** (count, pixels) u8 images, or (count, width) f32 features (FEATURES_DENSE), or their (total) f32 nonzeros (FEATURES_SPARSE); (count) u8 labels. */
  images: number;
  labels: number;
  /**
   * The run table of the images' nonzero pixels (assembly/runs.ts): (total) u32 runs, (count + 1)
   * u32 starts; for sparse features, the (total) u32 columns of the nonzeros and (count + 1) u32
   * starts of each row's; for dense features, 0 and an unused (count + 1) u32.
   */
  runs: number;
  starts: number;
  /** IMAGE_RUNS, FEATURES_SPARSE or FEATURES_DENSE. */
  form: number;
}

/** A dataset staged in a network's memory, ready for gathering mini-batches. */
export interface StagedDataset extends Readonly<StagedData> {
  readonly data: TrainingData;
}

export class Staging {
  private readonly staged = new Map<TrainingData, StagedDataset>();

  constructor(
    private readonly plan: MemoryPlan,
    private readonly k: Kernels,
    private readonly inputs: number,
    private readonly outputs: number,
  ) {}

  /** Copies `data` in (unless resident) and scans images into a run table; once per dataset per scope. */
  stage(data: TrainingData): StagedDataset {
    const known = this.staged.get(data);
    if (known) return known;
    if (data.classes > this.outputs) throw new InvalidArgumentError(`dataset has ${data.classes} classes, but the network has ${this.outputs} outputs`);
    if (isFeatures(data)) return this.stageFeatures(data);
    if (data.pixels !== this.inputs) {
      throw new InvalidArgumentError(`dataset has ${data.rows} x ${data.cols} = ${data.pixels} pixels per image, but the network has ${this.inputs} inputs`);
    }
    const dataImages = data.images;
    const dataLabels = data.labels;
    if (dataImages.length !== data.count * data.pixels || dataLabels.length !== data.count) {
      throw new InvalidArgumentError(`dataset views hold ${dataImages.length} image bytes and ${dataLabels.length} labels, expected ${data.count * data.pixels} and ${data.count}`);
    }
    const { k, plan } = this;
    const what = `a dataset of ${data.count} images`;
    let images = dataImages.byteOffset;
    let labels = dataLabels.byteOffset;
    if (dataImages.buffer !== k.memory.buffer || dataLabels.buffer !== dataImages.buffer) {
      images = plan.reserve(dataImages.length, what); // not resident: copied
      labels = plan.reserve(dataLabels.length, what);
      plan.u8.set(dataImages, images);
      plan.u8.set(dataLabels, labels);
    }
    const starts = plan.reserve((data.count + 1) * 4, what);
    const total = k.countRuns(starts, images, data.count, data.pixels) >>> 0; // a u32 comes back as an i32
    const runs = plan.reserve(total * 4, what);
    k.encodeRuns(runs, starts, images, data.count, data.pixels);
    const staged = { data, images, labels, runs, starts, form: IMAGE_RUNS };
    this.staged.set(data, staged);
    return staged;
  }

  private stageFeatures(data: FeatureDataset): StagedDataset {
    if (data.width !== this.inputs) throw new InvalidArgumentError(`dataset has ${data.width} features, but the network has ${this.inputs} inputs`);
    const { plan } = this;
    const { features: x, width: W, count: N } = data;
    const what = `a dataset of ${N} rows of ${W} features`;
    // Row k's nonzeros are [rowStarts[k], rowStarts[k + 1]) of the lists (-0 is a zero, as in nonzeroColumns)
    const rowStarts = new Uint32Array(N + 1);
    let total = 0;
    for (let n = 0; n < N; n++) {
      rowStarts[n] = total;
      for (let i = n * W, end = i + W; i < end; i++) if (x[i] !== 0) total++;
    }
    rowStarts[N] = total;
    // Under FEATURE_DENSE_DENSITY only the nonzeros are copied in, listed (starts first: release() keys on it)
    const sparse = total < FEATURE_DENSE_DENSITY * x.length;
    const starts = plan.reserve(rowStarts.byteLength, what);
    const labels = plan.reserve(N, what);
    const images = plan.reserve((sparse ? total : x.length) * 4, what);
    const runs = sparse ? plan.reserve(total * 4, what) : 0;
    const [u32, f32] = [plan.u32, plan.f32];
    plan.u8.set(data.labels, labels);
    if (!sparse) f32.set(x, images >> 2);
    else {
      u32.set(rowStarts, starts >> 2);
      for (let i = 0, c = runs >> 2, v = images >> 2; i < x.length; i++) {
        if (x[i] !== 0) {
          u32[c++] = i % W;
          f32[v++] = x[i];
        }
      }
    }
    const staged = { data, images, labels, runs, starts, form: sparse ? FEATURES_SPARSE : FEATURES_DENSE };
    this.staged.set(data, staged);
    return staged;
  }

  /** Forgets what was staged from byte `mark` on (a resident dataset's images stay, its run table goes; features start at `starts`). */
  release(mark: number): void {
    for (const [data, s] of this.staged) if (s.starts >= mark) this.staged.delete(data);
  }

  /** Forgets everything staged. */
  clear(): void {
    this.staged.clear();
  }
}

/** Runs `use`, then `release` when it returns, throws, or (for a promise) settles. */
export function scoped<T>(use: () => T, release: () => void): T {
  let result: T;
  try {
    result = use();
  } catch (e) {
    release();
    throw e;
  }
  if (result instanceof Promise) return result.finally(release) as T;
  release();
  return result;
}

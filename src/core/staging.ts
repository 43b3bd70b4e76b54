// Datasets in a network's wasm memory, staged (copied in unless they live there already, and
// scanned once into the run table the mini-batch gather reads) for the span of a scope. Not for:
// gathering batches (layers.ts), deciding what to stage (the training loop) or resident datasets
// (data/resident.ts).
import type { Dataset } from '../data/dataset.js';
import { InvalidArgumentError } from './errors.js';
import type { Kernels } from './kernels.js';
import type { MemoryPlan } from './memory.js';

/** Where a staged dataset is: byte offsets of its images, labels and run table. */
export interface StagedData {
  /** (count, pixels) u8 images, (count) u8 labels. */
  images: number;
  labels: number;
  /** The run table of the images' nonzero pixels (assembly/runs.ts): (total) u32 runs, (count + 1) u32 starts. */
  runs: number;
  starts: number;
}

/** A dataset staged in a network's memory, ready for gathering mini-batches. */
export interface StagedDataset extends Readonly<StagedData> {
  readonly data: Dataset;
}

export class Staging {
  private readonly staged = new Map<Dataset, StagedDataset>();

  constructor(
    private readonly plan: MemoryPlan,
    private readonly k: Kernels,
    private readonly inputs: number,
    private readonly outputs: number,
  ) {}

  /** Copies `data` in (unless resident) and scans it into a run table; once per dataset per scope. */
  stage(data: Dataset): StagedDataset {
    const known = this.staged.get(data);
    if (known) return known;
    if (data.pixels !== this.inputs) {
      throw new InvalidArgumentError(`dataset has ${data.rows} x ${data.cols} = ${data.pixels} pixels per image, but the network has ${this.inputs} inputs`);
    }
    if (data.classes > this.outputs) {
      throw new InvalidArgumentError(`dataset has ${data.classes} classes, but the network has ${this.outputs} outputs`);
    }
    const dataImages = data.images;
    const dataLabels = data.labels;
    if (dataImages.length !== data.count * data.pixels || dataLabels.length !== data.count) {
      throw new InvalidArgumentError(`dataset views hold ${dataImages.length} image bytes and ${dataLabels.length} labels, expected ${data.count * data.pixels} and ${data.count} (a view detached by memory growth?)`);
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
    const staged = { data, images, labels, runs, starts };
    this.staged.set(data, staged);
    return staged;
  }

  /** Forgets what was staged from byte `mark` on (a resident dataset's images stay, its run table goes). */
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

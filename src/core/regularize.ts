// Regularisation beyond the lecture, as training options: inverted dropout of the inputs and of
// each hidden layer, max-norm of each hidden unit's incoming weights, and data augmentation
// (random affine maps and elastic distortions, each mini-batch drawn afresh). Checked here, then
// written into the step context, a small block of wasm memory every thread reads: the rates, the
// per-epoch keys of the counter-based randomness (so any thread, batch or resumed run draws the
// same masks and distortions), the row of the batch in its epoch. Not for: the kernels
// (assembly/augment.ts, the dropout and max-norm kernels).
import { InvalidArgumentError } from './errors.js';
import type { MemoryViews } from './memory.js';
import { Rng } from './random.js';

/** Random affine maps about the image centre: each example's parameters uniform in [-max, max]. */
export interface AffineAugment {
  /** Largest rotation, degrees (at most 45). */
  rotation: number;
  /** Largest relative change of scale, e.g. 0.1 for 0.9..1.1. */
  scale: number;
  /** Largest shear factor (x += shear * y). */
  shear: number;
  /** Largest translation, pixels, along each axis. */
  shift: number;
}

/** Elastic distortions (Simard et al. 2003): uniform random displacement fields, Gaussian-smoothed, times alpha. */
export interface ElasticAugment {
  /** Scale of the displacements, pixels (Simard: 34 for MNIST). */
  alpha: number;
  /** The Gaussian's standard deviation, pixels (Simard: 4); the kernel reaches 3 sigma. */
  sigma: number;
}

export interface AugmentOptions {
  affine?: AffineAugment;
  elastic?: ElasticAugment;
}

export interface RegularizeOptions {
  /** Dropout rates: [input, hidden layer 1, hidden layer 2, ...]; the last rate given serves the remaining hidden layers. Default none. */
  dropout?: readonly number[];
  /** Max-norm: each hidden unit's incoming weights are scaled back to this norm after every step. Default none. */
  maxNorm?: number;
  /** Data augmentation of the training images (never of test or validation data). Default none. */
  augment?: AugmentOptions;
}

/** The largest Gaussian radius the context has room for (sigma up to 10). */
const MAX_RADIUS = 30;
// The step context, i32 / f32 slots: mode (1 while a training step runs), the batch's first row in
// its epoch, then augmentation (on, key, rows, cols, params pointer, scratch pointer, scratch bytes
// per thread), max-norm c, and per layer l = 0 .. L - 1 (0 the input) dropout's key, threshold and scale.
const MODE = 0;
const ROW0 = 1;
const AUGMENT = 2;
const AUGMENT_KEY = 3;
const ROWS = 4;
const COLS = 5;
const PARAMS = 6;
const SCRATCH = 7;
const SCRATCH_BYTES = 8;
const MAX_NORM = 9;
const DROPOUT = 12;
/** Floats of the augmentation's parameters: 6 settings, then the Gaussian's weights. */
export const AUGMENT_PARAMS = 6 + MAX_RADIUS + 1;

export function contextBytes(layers: number): number {
  return 4 * (DROPOUT + 3 * layers);
}

/** Regularisation checked against a network of `layers` weight layers. */
export interface Regularization {
  /** Per layer l = 0 .. L - 1 (0 the input): the dropout rate. */
  dropout: number[];
  maxNorm: number;
  augment: AugmentOptions | null;
}

export function checkRegularization(o: RegularizeOptions, layers: number): Regularization {
  const rates = o.dropout ?? [];
  if (!Array.isArray(rates) || rates.some((p) => typeof p !== 'number' || !(p >= 0 && p < 1))) {
    throw new InvalidArgumentError(`dropout must be rates in [0, 1) (input, then hidden layers), got ${JSON.stringify(o.dropout)}`);
  }
  if (rates.length > layers) throw new InvalidArgumentError(`dropout has ${rates.length} rates, but the network has ${layers - 1} hidden layers (input, then one per hidden layer)`);
  const dropout = Array.from({ length: layers }, (_, l) => (l === 0 ? rates[0] ?? 0 : rates[Math.min(l, rates.length - 1)] ?? 0));
  if (rates.length === 1) dropout.fill(0, 1);
  const maxNorm = o.maxNorm ?? 0;
  if (o.maxNorm !== undefined && !(Number.isFinite(maxNorm) && maxNorm > 0)) throw new InvalidArgumentError(`maxNorm must be a finite number > 0, got ${o.maxNorm}`);
  return { dropout, maxNorm, augment: checkAugment(o.augment) };
}

function checkAugment(a: AugmentOptions | undefined): AugmentOptions | null {
  if (!a || (!a.affine && !a.elastic)) return null;
  const bad = (what: string) => new InvalidArgumentError(`augment ${JSON.stringify(a)}: ${what}`);
  const finite = (v: number) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (a.affine) {
    const { rotation, scale, shear, shift } = a.affine;
    if (![rotation, scale, shear, shift].every(finite)) throw bad('affine rotation, scale, shear and shift must be finite numbers >= 0');
    if (rotation > 45) throw bad('affine rotation is at most 45 degrees');
    if (scale >= 1) throw bad('affine scale must be below 1 (a change of scale by a fraction)');
  }
  if (a.elastic) {
    const { alpha, sigma } = a.elastic;
    if (!finite(alpha) || !finite(sigma)) throw bad('elastic alpha and sigma must be finite numbers >= 0');
    if (sigma === 0 || Math.ceil(3 * sigma) > MAX_RADIUS) throw bad(`elastic sigma must be in (0, ${MAX_RADIUS / 3}]`);
  }
  return a;
}

/** The augmentation's f32 parameters (augment.ts): rotation (radians), scale, shear, shift, alpha, radius, Gaussian weights. */
export function augmentParams(a: AugmentOptions): Float32Array {
  const p = new Float32Array(AUGMENT_PARAMS);
  if (a.affine) p.set([(a.affine.rotation * Math.PI) / 180, a.affine.scale, a.affine.shear, a.affine.shift]);
  if (a.elastic) {
    const { alpha, sigma } = a.elastic;
    const radius = Math.ceil(3 * sigma);
    const w = Array.from({ length: radius + 1 }, (_, k) => Math.exp(-(k * k) / (2 * sigma * sigma)));
    const total = w[0] + 2 * w.slice(1).reduce((s, v) => s + v, 0);
    p.set([alpha, radius, ...w.map((v) => v / total)], 4);
  }
  return p;
}

/** Floats of augmentation scratch one thread needs for images of rows x cols (augment.ts). */
export function augmentScratchFloats(rows: number, cols: number): number {
  return 4 * rows * cols + (rows + 2 * MAX_RADIUS) * cols + cols + 2 * MAX_RADIUS + 8 + 8;
}

/**
 * The keys of the counter-based randomness in epoch e of a run seeded `seed`, from stream 2^16 + e
 * of the seed (shuffling uses stream e): augmentation's first, then dropout's per layer (0 the input).
 */
export function epochKeys(seed: number, e: number, layers: number): { augment: number; dropout: number[] } {
  const rng = new Rng(seed, 0x10000 + e);
  const augment = rng.uint32() | 0;
  return { augment, dropout: Array.from({ length: layers }, () => rng.uint32() | 0) };
}

/** Threshold (u32 as i32) and scale of dropout rate p. */
function dropoutCode(p: number): [threshold: number, scale: number] {
  return p > 0 ? [Math.min(Math.round(p * 2 ** 32), 2 ** 32 - 1) | 0, 1 / (1 - p)] : [0, 1];
}

/** The step context in a network's memory, read by the layer loop of every thread. */
export class StepContext {
  constructor(
    private readonly views: MemoryViews,
    private readonly at: number,
    private readonly layers: number,
  ) {}

  private get i32(): Int32Array {
    return this.views.i32.subarray(this.at >> 2, (this.at >> 2) + DROPOUT + 3 * this.layers);
  }

  private get f32(): Float32Array {
    return this.views.f32.subarray(this.at >> 2, (this.at >> 2) + DROPOUT + 3 * this.layers);
  }

  /** No regularisation, not training: what inference and evaluation see. */
  clear(): void {
    this.i32.fill(0);
    this.f32[MAX_NORM] = 0;
    for (let l = 0; l < this.layers; l++) this.f32[DROPOUT + 3 * l + 2] = 1;
  }

  /** Rates and pointers for a training run; keys come with each epoch (`epoch`). */
  set(r: Regularization, augment: { params: number; scratch: number; scratchBytes: number; rows: number; cols: number } | null): void {
    this.clear();
    const [i, f] = [this.i32, this.f32];
    f[MAX_NORM] = r.maxNorm;
    r.dropout.forEach((p, l) => ([i[DROPOUT + 3 * l + 1], f[DROPOUT + 3 * l + 2]] = dropoutCode(p)));
    if (augment) {
      i[AUGMENT] = 1;
      [i[ROWS], i[COLS], i[PARAMS], i[SCRATCH], i[SCRATCH_BYTES]] = [augment.rows, augment.cols, augment.params, augment.scratch, augment.scratchBytes];
    }
  }

  /** The keys of epoch e of a run seeded `seed` (epochKeys). */
  epoch(seed: number, e: number): void {
    const i = this.i32;
    const keys = epochKeys(seed, e, this.layers);
    i[AUGMENT_KEY] = keys.augment;
    keys.dropout.forEach((k, l) => (i[DROPOUT + 3 * l] = k));
  }

  /** A training step of the batch whose first example is row `row0` of its epoch begins (or, with -1, training ends). */
  step(row0: number): void {
    const i = this.i32;
    i[MODE] = row0 >= 0 ? 1 : 0;
    i[ROW0] = row0 >= 0 ? row0 : 0;
  }
}

/**
 * The context as the layer loop reads it: `read()` refreshes the fields from memory (once per
 * call of the loop, no allocation); outside a training step everything reads as off.
 */
export class ContextReader {
  training = false;
  row0 = 0;
  augment = false;
  augmentKey = 0;
  rows = 0;
  cols = 0;
  params = 0;
  scratch = 0;
  scratchBytes = 0;
  maxNorm = 0;

  constructor(
    private readonly views: MemoryViews,
    private readonly at: number,
  ) {}

  read(): this {
    const i = this.views.i32;
    const o = this.at >> 2;
    this.training = i[o + MODE] === 1;
    this.row0 = i[o + ROW0];
    this.augment = this.training && i[o + AUGMENT] === 1;
    this.augmentKey = i[o + AUGMENT_KEY];
    this.rows = i[o + ROWS];
    this.cols = i[o + COLS];
    this.params = i[o + PARAMS];
    this.scratch = i[o + SCRATCH];
    this.scratchBytes = i[o + SCRATCH_BYTES];
    this.maxNorm = this.training ? this.views.f32[o + MAX_NORM] : 0;
    return this;
  }

  /** Dropout of layer l (0 the input): its threshold as an i32 (0: none), key and scale. */
  dropoutThreshold(l: number): number {
    return this.training ? this.views.i32[(this.at >> 2) + DROPOUT + 3 * l + 1] : 0;
  }

  dropoutKey(l: number): number {
    return this.views.i32[(this.at >> 2) + DROPOUT + 3 * l];
  }

  dropoutScale(l: number): number {
    return this.views.f32[(this.at >> 2) + DROPOUT + 3 * l + 2];
  }
}

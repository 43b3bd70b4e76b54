// Regularisation beyond the lecture, as training options: inverted dropout of the inputs and of
// each hidden layer, max-norm of each hidden unit's incoming weights, and data augmentation
// (random affine maps and elastic distortions, each mini-batch drawn afresh). Checked here, then
// written into the step context (context.ts): the rates and the per-epoch keys of the
// counter-based randomness, so any thread, batch or resumed run draws the same masks and
// distortions. Loaded only by runs that regularise. Not for: the kernels (assembly/augment.ts, the
// dropout and max-norm kernels).
import { InvalidArgumentError } from './errors.js';
import { AUGMENT, AUGMENT_KEY, COLS, DROPOUT, MAX_NORM, PARAMS, ROWS, SCRATCH, SCRATCH_BYTES, type StepContext } from './context.js';
import type { MemoryPlan } from './memory.js';
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

/** The largest Gaussian radius the augmentation has room for (sigma up to 10). */
const MAX_RADIUS = 30;
/** Floats of the augmentation's parameters: 6 settings, then the Gaussian's weights. */
export const AUGMENT_PARAMS = 6 + MAX_RADIUS + 1;

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
  return 4 * rows * cols + (rows + 2 * MAX_RADIUS) * cols + cols + 2 * MAX_RADIUS + 8 + 8 + Math.ceil(((rows + 2) * (cols + 2)) / 4);
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
export function dropoutCode(p: number): [threshold: number, scale: number] {
  return p > 0 ? [Math.min(Math.round(p * 2 ** 32), 2 ** 32 - 1) | 0, 1 / (1 - p)] : [0, 1];
}

/** Writes a run's rates and pointers into the context; the keys come with each epoch (setEpochKeys). */
export function configure(ctx: StepContext, r: Regularization, augment: { params: number; scratch: number; scratchBytes: number; rows: number; cols: number } | null): void {
  ctx.clear();
  const [i, f] = [ctx.i32, ctx.f32];
  f[MAX_NORM] = r.maxNorm;
  r.dropout.forEach((p, l) => ([i[DROPOUT + 3 * l + 1], f[DROPOUT + 3 * l + 2]] = dropoutCode(p)));
  if (augment) {
    i[AUGMENT] = 1;
    [i[ROWS], i[COLS], i[PARAMS], i[SCRATCH], i[SCRATCH_BYTES]] = [augment.rows, augment.cols, augment.params, augment.scratch, augment.scratchBytes];
  }
}

/** A run's regularisation as the network keeps it: its max-norm, and how each epoch begins. */
export interface Regularizing {
  maxNorm: number;
  epoch(seed: number, e: number): void;
}

/**
 * Checks `options` for a network (`layers` weight layers, `inputs` inputs, `threads` threads),
 * reserves augmentation's parameters and per-thread scratch in `plan` (inside the run's staging
 * scope) and writes the settings into the step context. `images`: the training images' size.
 */
export function setUpRegularization(ctx: StepContext, plan: MemoryPlan, options: RegularizeOptions, net: { layers: number; inputs: number; threads: number }, images?: { rows?: number; cols?: number }): Regularizing {
  const r = checkRegularization(options, net.layers);
  let augment = null;
  if (r.augment) {
    const { rows, cols } = augmentedImages(net.inputs, images);
    const params = plan.reserve(AUGMENT_PARAMS * 4, 'the augmentation');
    plan.f32.set(augmentParams(r.augment), params >> 2);
    const scratchBytes = Math.ceil((augmentScratchFloats(rows, cols) * 4) / 64) * 64;
    augment = { params, scratch: plan.reserve(net.threads * scratchBytes, 'the augmentation'), scratchBytes, rows, cols };
  }
  configure(ctx, r, augment);
  return { maxNorm: r.maxNorm, epoch: (seed, e) => setEpochKeys(ctx, seed, e) };
}

/** The training images' rows and cols when augmentation can distort them (images of `inputs` pixels); else an error. */
export function augmentedImages(inputs: number, images?: { rows?: number; cols?: number }): { rows: number; cols: number } {
  const { rows = 0, cols = 0 } = images ?? {};
  if (rows * cols !== inputs) throw new InvalidArgumentError(`augmentation distorts images: it needs a dataset of images of ${inputs} pixels${rows ? `, got ${rows} x ${cols}` : ', not features'}`);
  return { rows, cols };
}

/** Writes the keys of epoch e of a run seeded `seed` (epochKeys) into the context. */
export function setEpochKeys(ctx: StepContext, seed: number, e: number): void {
  const i = ctx.i32;
  const keys = epochKeys(seed, e, ctx.layers);
  i[AUGMENT_KEY] = keys.augment;
  keys.dropout.forEach((k, l) => (i[DROPOUT + 3 * l] = k));
}


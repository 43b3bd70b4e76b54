// Augmented images to look at: the distortions training draws, made by the same kernel
// (augmentGather) on a small instance of its own, as dense images in [0, 1]. For showing and
// testing augmentation; training never calls this (the gather distorts each mini-batch in place).
import type { Dataset } from './datasets.js';
import { InvalidArgumentError } from './errors.js';
import { compileKernels, defaultVariant, instantiateKernels, type KernelVariant } from './kernels.js';
import { MemoryPlan } from './memory.js';
import type { AugmentOptions } from './regularize.js';

export interface AugmentImagesOptions {
  /** The training run's seed and epoch whose distortions to draw. Defaults 1 and 1. */
  seed?: number;
  epoch?: number;
  /** Row of the first image in its epoch (image n is row `row0 + n`, as in a mini-batch). Default 0. */
  row0?: number;
  kernels?: KernelVariant;
}

/**
 * Images `indices` of `data` as training distorts them at rows row0, row0 + 1, ... of the epoch:
 * (indices.length, pixels) values in [0, 1], row-major. Repeat an index to see one digit's variety.
 */
export async function augmentImages(data: Dataset, indices: readonly number[], augment: AugmentOptions, options: AugmentImagesOptions = {}): Promise<Float32Array> {
  const { augmentParams, augmentScratchFloats, AUGMENT_PARAMS, checkRegularization, epochKeys } = await import('./regularize.js'); // as Network.regularize
  const a = checkRegularization({ augment }, 1).augment;
  if (!a) throw new InvalidArgumentError('augmentImages needs an affine or elastic augmentation');
  const n = indices.length;
  if (indices.some((i) => !Number.isInteger(i) || i < 0 || i >= data.count)) throw new InvalidArgumentError(`indices must be examples of the ${data.count}`);
  const k = instantiateKernels(await compileKernels(options.kernels ?? defaultVariant()));
  const plan = new MemoryPlan(k);
  const P = data.pixels;
  const at = (bytes: number) => plan.reserve(bytes, 'augmented images');
  const [list, vals, counts, y] = [at(n * P * 4), at(n * P * 4), at(n * 4), at(n)];
  const [images, labels, idx] = [at(n * P), at(n), at(n * 4)];
  const params = at(AUGMENT_PARAMS * 4);
  const scratch = at(augmentScratchFloats(data.rows, data.cols) * 4);
  indices.forEach((i, j) => {
    plan.u8.set(data.images.subarray(i * P, (i + 1) * P), images + j * P);
    plan.u32[(idx >> 2) + j] = j;
  });
  plan.f32.set(augmentParams(a), params >> 2);
  const key = epochKeys(options.seed ?? 1, options.epoch ?? 1, 1).augment;
  k.augmentGather(list, vals, counts, y, images, labels, idx, n, data.rows, data.cols, options.row0 ?? 0, key, params, scratch);
  const out = new Float32Array(n * P);
  for (let j = 0; j < n; j++) {
    for (let t = 0; t < plan.u32[(counts >> 2) + j]; t++) out[j * P + plan.u32[(list >> 2) + j * P + t]] = plan.f32[(vals >> 2) + j * P + t];
  }
  return out;
}

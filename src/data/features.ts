// A labelled dataset of f32 features (CSV rows, NumPy arrays): features (count, width) and u8
// labels, the standardisation that is fitted on a training set and travels with the model, and the
// pixel rule (features that are 8-bit grey levels are divided by 255). Not for: images (dataset.ts
// keeps them u8; pixels.ts turns pixel data into them).
import { InvalidArgumentError } from '../core/errors.js';
import { isFeatures, type Dataset, type FeatureDataset, type TrainingData } from '../core/datasets.js';
import { sliceDataset } from './dataset.js';

export { isFeatures, inputsOf, type FeatureDataset, type TrainingData } from '../core/datasets.js';

export interface FeatureDatasetInit {
  features: Float32Array;
  labels: Uint8Array;
  width: number;
  classes?: number;
  classNames?: readonly string[];
  /** Names the source in error messages. */
  name?: string;
}

/** Checks and wraps features and labels: whole rows, finite values, every label < classes <= 256. */
export function createFeatureDataset(init: FeatureDatasetInit): FeatureDataset {
  const { features, labels, width } = init;
  const name = init.name ?? 'dataset';
  if (!Number.isInteger(width) || width < 1) throw new InvalidArgumentError(`${name}: the width must be a positive integer, got ${width}`);
  if (features.length % width !== 0) throw new InvalidArgumentError(`${name}: ${features.length} values is not a whole number of rows of ${width}`);
  const count = features.length / width;
  if (count !== labels.length) throw new InvalidArgumentError(`${name}: ${count} rows but ${labels.length} labels; expected one label per row`);
  if (count === 0) throw new InvalidArgumentError(`${name}: holds no examples`);
  for (let i = 0; i < features.length; i++) {
    if (!Number.isFinite(features[i])) throw new InvalidArgumentError(`${name}: row ${Math.floor(i / width)}, column ${i % width} is ${features[i]}, expected a finite number`);
  }
  let maxLabel = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > maxLabel) maxLabel = labels[i];
  const classes = init.classes ?? init.classNames?.length ?? maxLabel + 1;
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) throw new InvalidArgumentError(`${name}: classes must be an integer from 1 to 256, got ${classes}`);
  if (maxLabel >= classes) throw new InvalidArgumentError(`${name}: label ${maxLabel} is not below the ${classes} classes`);
  if (init.classNames && init.classNames.length !== classes) throw new InvalidArgumentError(`${name}: ${init.classNames.length} class names for ${classes} classes`);
  return { features, labels, count, width, classes, ...(init.classNames ? { classNames: [...init.classNames] } : {}) };
}

/** Rows [start, end) of `data`, sharing its arrays. */
export function sliceFeatures(data: FeatureDataset, start: number, end = data.count): FeatureDataset {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > data.count || start >= end) {
    throw new InvalidArgumentError(`slice [${start}, ${end}) is not a non-empty range of the ${data.count} examples`);
  }
  return { ...data, features: data.features.subarray(start * data.width, end * data.width), labels: data.labels.subarray(start, end), count: end - start };
}

/** Examples [start, end) of either kind of dataset. */
export function sliceData<T extends TrainingData>(data: T, start: number, end = data.count): T {
  if (isFeatures(data)) return sliceFeatures(data, start, end) as T;
  return sliceDataset(data as Dataset, start, end) as T;
}

/** Feature standardisation, fitted on a training set: x' = (x - mean) / std, per feature. */
export interface Standardization {
  mean: Float32Array;
  std: Float32Array;
}

/**
 * How to standardise: 'mean-std' centres and scales each feature; 'scale' only divides, each
 * feature by its root mean square but never by less than the root mean square of all values (zeros
 * stay zeros, so sparse data keeps the sparse first layer, and a rare feature does not become a huge
 * input); 'none'; 'auto' is x / 255 for pixel data (isPixelData: the image path when loading),
 * else 'scale' when under half the training values are nonzero, else 'mean-std'.
 */
export type StandardizeMode = 'auto' | 'mean-std' | 'scale' | 'none';
export const STANDARDIZE_MODES: readonly StandardizeMode[] = ['auto', 'mean-std', 'scale', 'none'];

/** The fraction of nonzero values. */
export function density(data: FeatureDataset): number {
  let nonzero = 0;
  const x = data.features;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) nonzero++;
  return nonzero / x.length;
}

/**
 * The standardisation `mode` fits to `data` (f64 sums), or null for 'none': per feature, a mean
 * (0 unless centred) and a divisor ('mean-std': 1 for a feature that never varies; 'scale': 1 only
 * when every value is 0).
 */
export function fitStandardization(data: FeatureDataset, mode: StandardizeMode = 'auto'): Standardization | null {
  if (mode === 'none') return null;
  if (mode === 'auto' && isPixelData(data)) return pixelStandardization(data.width);
  const centre = mode === 'mean-std' || (mode === 'auto' && density(data) >= 0.5);
  const { width: W, count: N, features: x } = data;
  const sum = new Float64Array(W);
  const sq = new Float64Array(W);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < W; j++) {
      const v = x[n * W + j];
      sum[j] += v;
      sq[j] += v * v;
    }
  }
  const floor = Math.sqrt(sq.reduce((a, b) => a + b, 0) / (N * W)); // the RMS of all values
  const mean = new Float32Array(W);
  const std = new Float32Array(W);
  for (let j = 0; j < W; j++) {
    const m = sum[j] / N;
    const sd = Math.sqrt(Math.max(0, sq[j] / N - m * m));
    mean[j] = centre ? m : 0;
    const divisor = centre ? sd : Math.max(Math.sqrt(sq[j] / N), floor);
    std[j] = divisor > 1e-12 ? divisor : 1;
  }
  return { mean, std };
}

/** Pixel data has at least this many columns (MNIST has 784; tabular data seldom 64). */
export const PIXEL_MIN_COLUMNS = 64;

/**
 * Whether `data` is pixel data: at least 64 columns, every value an integer from 0 to 255, and at
 * least half the rows reaching 128 or more (images use the byte's range; counts, say word counts,
 * are integers too but seldom reach 128).
 */
export function isPixelData(data: FeatureDataset): boolean {
  const { features: x, width: W, count: N } = data;
  if (W < PIXEL_MIN_COLUMNS) return false;
  let bright = 0;
  for (let n = 0; n < N; n++) {
    let max = 0;
    for (let i = n * W, end = i + W; i < end; i++) {
      const v = x[i];
      if (!isByte(v)) return false;
      if (v > max) max = v;
    }
    if (max >= 128) bright++;
  }
  return 2 * bright >= N;
}

/** The standardisation of pixel data: x / 255 (mean 0, std 255 for each of `width` features). */
export function pixelStandardization(width: number): Standardization {
  return { mean: new Float32Array(width), std: new Float32Array(width).fill(255) };
}

/** Whether `s` is pixelStandardization's. */
export function isPixelStandardization(s: Standardization | null | undefined): boolean {
  return !!s && s.mean.every((m) => m === 0) && s.std.every((d) => d === 255);
}

/** Whether `v` is an integer from 0 to 255. */
export function isByte(v: number): boolean {
  return v >= 0 && v <= 255 && Math.floor(v) === v;
}

/** `features` standardised into a new array: (x - mean) / std per feature, in f32. */
export function standardize(features: Float32Array, s: Standardization): Float32Array {
  const W = s.mean.length;
  const out = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) out[i] = (features[i] - s.mean[i % W]) / s.std[i % W];
  return out;
}

/** A dataset with its features standardised (labels and names shared). */
export function standardizeDataset(data: FeatureDataset, s: Standardization | null): FeatureDataset {
  if (!s) return data;
  if (s.mean.length !== data.width) throw new InvalidArgumentError(`the standardisation has ${s.mean.length} features, the data ${data.width}`);
  return { ...data, features: standardize(data.features, s) };
}

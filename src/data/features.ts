// A labelled dataset of f32 features (CSV rows, NumPy arrays): features (count, width) and u8
// labels, and the standardisation that is fitted on a training set and travels with the model.
// Not for: images (dataset.ts keeps them u8; the first layer reads their run tables).
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
 * How to standardise: 'mean-std' centres and scales each feature; 'scale' only divides by its
 * standard deviation (zeros stay zeros, so sparse data keeps the sparse first layer); 'none';
 * 'auto' is 'scale' when under half the training values are nonzero, else 'mean-std'.
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

/** Mean and standard deviation of each feature of `data` (f64 sums); a feature that never varies gets std 1. Null for 'none'. */
export function fitStandardization(data: FeatureDataset, mode: StandardizeMode = 'auto'): Standardization | null {
  if (mode === 'none') return null;
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
  const mean = new Float32Array(W);
  const std = new Float32Array(W);
  for (let j = 0; j < W; j++) {
    const m = sum[j] / N;
    const sd = Math.sqrt(Math.max(0, sq[j] / N - m * m));
    mean[j] = centre ? m : 0;
    std[j] = sd > 1e-12 ? (centre ? sd : Math.sqrt(sq[j] / N)) : 1;
  }
  return { mean, std };
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

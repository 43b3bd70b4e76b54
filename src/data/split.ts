// A seeded hold-out split of a dataset (images or features): which examples go to the held-out
// part depends only on the seed, so a run and its resume, or two machines, split alike.
import { InvalidArgumentError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import { createDataset } from './dataset.js';
import { createFeatureDataset, isFeatures, type TrainingData } from './features.js';

/** The examples at `indices` of `data`, copied, in that order. */
export function pick<T extends TrainingData>(data: T, indices: ArrayLike<number>): T {
  const n = indices.length;
  const labels = Uint8Array.from({ length: n }, (_, i) => data.labels[indices[i]]);
  if (isFeatures(data)) {
    const W = data.width;
    const features = new Float32Array(n * W);
    for (let i = 0; i < n; i++) features.set(data.features.subarray(indices[i] * W, (indices[i] + 1) * W), i * W);
    return createFeatureDataset({ features, labels, width: W, classes: data.classes, classNames: data.classNames }) as T;
  }
  const P = data.pixels;
  const images = new Uint8Array(n * P);
  for (let i = 0; i < n; i++) images.set(data.images.subarray(indices[i] * P, (indices[i] + 1) * P), i * P);
  return createDataset({ images, labels, rows: data.rows, cols: data.cols, classes: data.classes, classNames: data.classNames }) as T;
}

/** `fraction` of the examples (drawn with stream 2^17 of `seed`) held out as `test`, the rest `train`, each in its original order. */
export function splitData<T extends TrainingData>(data: T, fraction: number, seed: number): { train: T; test: T } {
  if (!(fraction > 0 && fraction < 1)) throw new InvalidArgumentError(`the split must be a fraction in (0, 1), got ${fraction}`);
  const held = Math.round(data.count * fraction);
  if (held < 1 || held >= data.count) throw new InvalidArgumentError(`a split of ${fraction} of ${data.count} examples leaves one part empty`);
  const order = Uint32Array.from({ length: data.count }, (_, i) => i);
  new Rng(seed, 0x20000).shuffle(order);
  const test = order.slice(0, held).sort();
  const train = order.slice(held).sort();
  return { train: pick(data, train), test: pick(data, test) };
}

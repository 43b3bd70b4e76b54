// A labelled image dataset kept as u8 (images (count, rows * cols), labels (count)), as read from
// IDX. Not for: scaling or batching; pixels become f32 in [0, 1] only when a mini-batch is gathered.
import type { Dataset } from '../core/datasets.js';
import { InvalidArgumentError } from '../core/errors.js';

export type { Dataset } from '../core/datasets.js';

export interface DatasetInit {
  images: Uint8Array;
  labels: Uint8Array;
  rows: number;
  cols: number;
  classes?: number;
  classNames?: readonly string[];
  /** Names the source in error messages (a file path, say). */
  name?: string;
}

/** Checks and wraps images and labels; every label must be < classes. */
export function createDataset(init: DatasetInit): Dataset {
  const { images, labels, rows, cols } = init;
  const name = init.name ?? 'dataset';
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new InvalidArgumentError(`${name}: image size must be positive integers, got ${rows} x ${cols}`);
  }
  const pixels = rows * cols;
  if (images.length % pixels !== 0) {
    throw new InvalidArgumentError(`${name}: ${images.length} image bytes is not a whole number of ${rows} x ${cols} images`);
  }
  const count = images.length / pixels;
  if (count !== labels.length) {
    throw new InvalidArgumentError(`${name}: ${count} images but ${labels.length} labels; expected one label per image`);
  }
  if (count === 0) throw new InvalidArgumentError(`${name}: holds no examples`);
  let maxLabel = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > maxLabel) maxLabel = labels[i];
  const classes = init.classes ?? init.classNames?.length ?? maxLabel + 1;
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) {
    throw new InvalidArgumentError(`${name}: classes must be an integer from 1 to 256, got ${classes}`);
  }
  if (maxLabel >= classes) {
    const at = labels.findIndex((v) => v >= classes);
    throw new InvalidArgumentError(`${name}: label ${labels[at]} at index ${at} is not below the ${classes} classes`);
  }
  if (init.classNames && init.classNames.length !== classes) throw new InvalidArgumentError(`${name}: ${init.classNames.length} class names for ${classes} classes`);
  return { images, labels, count, rows, cols, pixels, classes, ...(init.classNames ? { classNames: [...init.classNames] } : {}) };
}

/** Examples [start, end) of `data`, sharing its bytes. */
export function sliceDataset(data: Dataset, start: number, end: number = data.count): Dataset {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > data.count || start >= end) {
    throw new InvalidArgumentError(`slice [${start}, ${end}) is not a non-empty range of the ${data.count} examples`);
  }
  const { rows, cols, pixels, classes, classNames } = data;
  // Getters, not copies of the views: a dataset resident in a network's memory hands out a fresh
  // view on every access (its memory may have grown), and a slice must follow it.
  return {
    get images() {
      return data.images.subarray(start * pixels, end * pixels);
    },
    get labels() {
      return data.labels.subarray(start, end);
    },
    count: end - start,
    rows,
    cols,
    pixels,
    classes,
    ...(classNames ? { classNames } : {}),
  };
}

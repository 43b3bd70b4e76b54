// A dataset resident in a network's own wasm memory: a file is read straight into it, so the data
// is held once (MNIST's 47 MB of training images), and training and evaluation use it in place.
// Used by Node's file loading (node/files.ts). Not for: datasets that live outside the network.
import type { Network } from '../core/network.js';
import { InvalidArgumentError } from '../core/errors.js';
import { createDataset, type Dataset } from './dataset.js';

/** A dataset resident in a network's memory, while it is being filled. */
export interface ResidentDataset {
  /** Fresh views on every call: the memory may have grown. */
  images(): Uint8Array;
  labels(): Uint8Array;
  /** The dataset, once its bytes are in; it lives as long as the network. */
  done(classes?: number): Dataset;
}

/**
 * Room for a dataset of `count` images of rows x cols in `net`'s memory, kept as long as the
 * network. Fill `images()` and `labels()`, then pass the result of `done` to train or evaluate.
 */
export function residentDataset(net: Network, count: number, rows: number, cols: number): ResidentDataset {
  if (![count, rows, cols].every((n) => Number.isInteger(n) && n >= 1)) {
    throw new InvalidArgumentError(`a resident dataset needs positive integer count, rows and cols, got ${count}, ${rows}, ${cols}`);
  }
  const pixels = rows * cols;
  const what = `a dataset of ${count} images of ${rows} x ${cols}`;
  const images = net.reserveResident(count * pixels, what);
  const labels = net.reserveResident(count, what);
  const done = (classes?: number): Dataset => {
    const checked = createDataset({ images: images(), labels: labels(), rows, cols, classes });
    return {
      get images() {
        return images();
      },
      get labels() {
        return labels();
      },
      count,
      rows,
      cols,
      pixels,
      classes: checked.classes,
    };
  };
  return { images, labels, done };
}

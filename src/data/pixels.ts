// Pixel data as images: features that are 8-bit grey levels (a CSV of MNIST, a 2-d u8 array; the
// rule is features.ts's isPixelData) become u8 images, trained / 255 with the run tables like IDX
// files, to the same bits. Not for: the rule or other standardisations (features.ts), or images
// from files (images.ts, idx.ts).
import type { Dataset, FeatureDataset } from '../core/datasets.js';
import { createDataset } from './dataset.js';
import { isByte } from './features.js';

/**
 * Features as u8 images (1 channel; rows = cols when the width is a square, else one row), or null
 * when a value is not an integer from 0 to 255. Labels and class names carry over.
 */
export function asImages(data: FeatureDataset): Dataset | null {
  const x = data.features;
  const images = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!isByte(v)) return null;
    images[i] = v;
  }
  const side = Math.round(Math.sqrt(data.width));
  const [rows, cols] = side * side === data.width ? [side, side] : [1, data.width];
  return createDataset({ images, labels: data.labels, rows, cols, classes: data.classes, classNames: data.classNames });
}

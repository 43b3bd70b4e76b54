// Layer sizes and the parameter layout they imply (W1, b1, W2, b2, ... in one f32 region, as
// llm.c lays out its parameters). Not for: memory or kernels; this is arithmetic on sizes only.
import { InvalidArgumentError } from './errors.js';

/** One dense layer l: W is (rows = sizes[l], cols = sizes[l-1]) row-major, b is (rows). */
export interface LayerShape {
  readonly rows: number;
  readonly cols: number;
  /** Offsets in f32 elements from the start of the parameter region. */
  readonly wOffset: number;
  readonly bOffset: number;
}

/** Checks `sizes` = [inputs, hidden..., outputs]: at least 2 layers, each a positive integer. */
export function validateSizes(sizes: readonly number[]): number[] {
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new InvalidArgumentError(
      `layer sizes must list at least 2 layers (inputs and outputs), got ${JSON.stringify(sizes)}`,
    );
  }
  sizes.forEach((n, l) => {
    if (!Number.isInteger(n) || n < 1 || n > 1 << 24) {
      throw new InvalidArgumentError(
        `layer ${l} of ${JSON.stringify(sizes)} must be an integer width from 1 to ${1 << 24}, got ${n}`,
      );
    }
  });
  return [...sizes];
}

/** The layers of `sizes`, with their offsets in one contiguous parameter region. */
export function layerShapes(sizes: readonly number[]): LayerShape[] {
  const shapes: LayerShape[] = [];
  let offset = 0;
  for (let l = 1; l < sizes.length; l++) {
    const rows = sizes[l];
    const cols = sizes[l - 1];
    shapes.push({ rows, cols, wOffset: offset, bOffset: offset + rows * cols });
    offset += rows * cols + rows;
  }
  return shapes;
}

/** sum over layers of rows * cols (weights) + rows (biases). */
export function parameterCount(sizes: readonly number[]): number {
  return countWeights(sizes) + countBiases(sizes);
}

export function countWeights(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l] * sizes[l - 1];
  return n;
}

export function countBiases(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l];
  return n;
}

/** The shape of layer l of `shapes`, for l = 1..L as in the lecture; an error naming the range for another l. */
export function layerShape(shapes: readonly LayerShape[], l: number): LayerShape {
  if (!Number.isInteger(l) || l < 1 || l > shapes.length) throw new InvalidArgumentError(`layer ${l} does not exist: layers are numbered 1 to ${shapes.length}`);
  return shapes[l - 1];
}

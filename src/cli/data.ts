// What the commands check of the data files against --layers, and the lecture's network for any
// IDX dataset. Not for: reading files (node/files.ts).
import { WasmMlpError, type Dataset } from '../index.js';
import { readIdxDims, readIdxFile } from '../node.js';

/** [pixels per image, 30, classes] of the training files: the lecture's network for any IDX dataset. */
export async function defaultLayers(images: string, labels: string, classes?: number): Promise<number[]> {
  const dims = await readIdxDims(images);
  if (dims.length !== 3) throw new WasmMlpError(`${images}: images have ${dims.length} dimensions [${dims}]; expected 3 (count, rows, cols)`);
  let k = classes;
  if (k === undefined) {
    k = 0;
    for (const label of (await readIdxFile(labels)).data) k = Math.max(k, label + 1);
  }
  return [dims[1] * dims[2], 30, k];
}

export function checkFits(sizes: number[], data: Dataset, what: string): void {
  if (data.pixels !== sizes[0]) {
    throw new WasmMlpError(`${what} has ${data.rows} x ${data.cols} = ${data.pixels} pixels per image, but --layers starts with ${sizes[0]} inputs`);
  }
  if (data.classes > sizes[sizes.length - 1]) {
    throw new WasmMlpError(`${what} has ${data.classes} classes, but --layers ends with ${sizes[sizes.length - 1]} outputs`);
  }
}

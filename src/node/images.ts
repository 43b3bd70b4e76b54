// A folder of images per class (DIR/cat/*.png, DIR/dog/*.jpg) as a u8 image dataset, for Node:
// PNG (pngjs) and JPEG (jpeg-js) decoded, then the rule and the folder layout of data/images.ts.
// Not for: MNIST-style digit preprocessing (data/preprocess.ts, `predict` of digits) or browsers
// (data/image-files.ts).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ImageFormatError, WasmMlpError } from '../core/errors.js';
import { checkImagePixels, datasetFromPlan, MAX_IMAGE_PIXELS, planImageFolder, type DecodedImage, type ImageFolderOptions, type ImageShape } from '../data/images.js';
import type { Dataset } from '../data/dataset.js';
import { readBytes } from './files.js';

export { imageToPixels, type ImageFolderOptions, type ImageShape } from '../data/images.js';

/** An image's RGBA bytes, width and height, from PNG or JPEG bytes (by content, not name). */
export function decodeImage(bytes: Uint8Array, name: string): DecodedImage {
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      checkImagePixels(name, png.width, png.height);
      return { rgba: png.data, width: png.width, height: png.height };
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
      return { rgba: img.data, width: img.width, height: img.height };
    }
  } catch (cause) {
    if (cause instanceof WasmMlpError) throw cause;
    throw new ImageFormatError(`${name}: not a readable image: ${(cause as Error).message}`, { cause });
  }
  throw new ImageFormatError(`${name}: neither PNG nor JPEG (by its first bytes)`);
}

/**
 * The images of `dir`, one subfolder per class (sorted names are the labels 0, 1, ...; an image
 * outside any subfolder is an error), as a u8 dataset of (channels * rows, cols) images.
 */
export async function readImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<{ data: Dataset; shape: ImageShape }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((cause) => {
    throw new WasmMlpError(`cannot read image folder ${dir}: ${(cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : String(cause)}`, { cause });
  });
  const paths: string[] = [];
  for (const e of entries) {
    if (e.isFile()) paths.push(e.name);
    else if (e.isDirectory()) for (const f of await readdir(join(dir, e.name), { withFileTypes: true })) if (f.isFile()) paths.push(`${e.name}/${f.name}`);
  }
  const plan = planImageFolder(dir, paths, options.classNames);
  // read a few files ahead: the decoding is synchronous, the reading is not
  const ahead = new Map<number, Promise<Uint8Array>>();
  const read = (i: number) => {
    if (i < plan.files.length && !ahead.has(i)) ahead.set(i, readBytes(join(dir, plan.files[i].path), 'image'));
  };
  return datasetFromPlan(dir, plan, async (i) => {
    for (let k = i; k < i + 16; k++) read(k);
    const bytes = await ahead.get(i)!;
    ahead.delete(i);
    return decodeImage(bytes, join(dir, plan.files[i].path));
  }, options);
}

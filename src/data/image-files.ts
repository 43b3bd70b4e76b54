// Image files in a browser (or a worker): decoded by the browser itself (createImageBitmap, then an
// OffscreenCanvas), so that a page trains on a folder the user picks with the same rule and folder
// layout as the CLI (data/images.ts). Not for: Node (node/images.ts decodes with pngjs / jpeg-js).
import { ImageFormatError, InvalidArgumentError } from '../core/errors.js';
import type { Dataset } from './dataset.js';
import { checkImagePixels, datasetFromPlan, planImageFolder, type DecodedImage, type ImageFolderOptions, type ImageShape } from './images.js';

/**
 * An image file's RGBA pixels as the browser decodes it, with no colour-space conversion and no
 * premultiplied alpha asked for: an opaque PNG gives the bytes pngjs gives in Node; semi-transparent
 * pixels may come back a level off (the canvas stores colours premultiplied by alpha), and a JPEG
 * may differ by a level here and there (another decoder).
 */
export async function decodeImageFile(file: Blob, name = (file as File).name ?? 'image'): Promise<DecodedImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  } catch (cause) {
    throw new ImageFormatError(`${name}: not an image this browser can decode: ${(cause as Error).message}`, { cause });
  }
  try {
    const { width, height } = bitmap;
    checkImagePixels(name, width, height);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { colorSpace: 'srgb', willReadFrequently: true })!;
    ctx.drawImage(bitmap, 0, 0);
    return { rgba: ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' }).data, width, height };
  } finally {
    bitmap.close();
  }
}

/**
 * The files of a folder the user picked (`<input type="file" webkitdirectory>`: each file's
 * webkitRelativePath is `FOLDER/CLASS/FILE`) as a u8 dataset: one subfolder per class, by the
 * rule of data/images.ts (grey or colour, area-resized to `options.size` or the first image's).
 */
export async function datasetFromImageFiles(files: ArrayLike<File>, options: ImageFolderOptions = {}): Promise<{ data: Dataset; shape: ImageShape }> {
  const list = Array.from(files);
  const first = list[0]?.webkitRelativePath ?? '';
  if (!first.includes('/')) throw new InvalidArgumentError('pick a folder (with one subfolder of images per class), not single files');
  const dir = first.slice(0, first.indexOf('/'));
  const byPath = new Map(list.map((f) => [f.webkitRelativePath.slice(dir.length + 1), f]));
  const plan = planImageFolder(dir, [...byPath.keys()], options.classNames);
  return datasetFromPlan(dir, plan, (i) => decodeImageFile(byPath.get(plan.files[i].path)!, `${dir}/${plan.files[i].path}`), options);
}

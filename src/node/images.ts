// A folder of images per class (DIR/cat/*.png, DIR/dog/*.jpg) as a u8 image dataset, for Node:
// PNG (pngjs) and JPEG (jpeg-js) decoded, converted and resized by one rule (imageToPixels), the
// classes' names kept. Not for: MNIST-style digit preprocessing (data/preprocess.ts, `predict` of
// digits) or browsers.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { createDataset, type Dataset } from '../data/dataset.js';
import { ImageFormatError, InvalidArgumentError, WasmMlpError } from '../core/errors.js';
import { readBytes } from './files.js';

/** How images become inputs: this size, one grey channel or three colour channels (stored one after another). */
export interface ImageShape {
  rows: number;
  cols: number;
  channels: 1 | 3;
}

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];
/** The most pixels one decoded image may have (a bound on memory against hostile files). */
export const MAX_IMAGE_PIXELS = 1 << 24;

/** An image's RGBA bytes, width and height, from PNG or JPEG bytes (by content, not name). */
export function decodeImage(bytes: Uint8Array, name: string): { rgba: Uint8Array; width: number; height: number } {
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (png.width * png.height > MAX_IMAGE_PIXELS) throw new ImageFormatError(`${name}: ${png.width} x ${png.height} is more than ${MAX_IMAGE_PIXELS} pixels`);
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
 * The rule: an image is converted to grey by luma (0.299 R + 0.587 G + 0.114 B, transparent pixels
 * on white) or kept as R, G, B planes, then resized to rows x cols by area averaging (each target
 * pixel the mean of the source area it covers: exact box filtering for shrinking, bilinear-like
 * for growing) and rounded to u8. Returns (channels, rows, cols) u8, planes one after another.
 */
export function imageToPixels(img: { rgba: Uint8Array; width: number; height: number }, shape: ImageShape): Uint8Array {
  const { rgba, width: W, height: H } = img;
  const { rows, cols, channels } = shape;
  const out = new Uint8Array(channels * rows * cols);
  const plane = (c: number) => {
    const src = new Float64Array(W * H);
    for (let p = 0; p < W * H; p++) {
      const a = rgba[4 * p + 3] / 255;
      const v = channels === 1 ? 0.299 * rgba[4 * p] + 0.587 * rgba[4 * p + 1] + 0.114 * rgba[4 * p + 2] : rgba[4 * p + c];
      src[p] = v * a + 255 * (1 - a);
    }
    return src;
  };
  for (let c = 0; c < channels; c++) {
    const src = plane(c);
    const sy = H / rows;
    const sx = W / cols;
    for (let y = 0; y < rows; y++) {
      const y0 = y * sy;
      const y1 = y0 + sy;
      for (let x = 0; x < cols; x++) {
        const x0 = x * sx;
        const x1 = x0 + sx;
        let sum = 0;
        let area = 0;
        for (let yy = Math.floor(y0); yy < Math.min(H, Math.ceil(y1)); yy++) {
          const hy = Math.min(y1, yy + 1) - Math.max(y0, yy);
          for (let xx = Math.floor(x0); xx < Math.min(W, Math.ceil(x1)); xx++) {
            const w = hy * (Math.min(x1, xx + 1) - Math.max(x0, xx));
            sum += w * src[yy * W + xx];
            area += w;
          }
        }
        out[c * rows * cols + y * cols + x] = Math.round(sum / area);
      }
    }
  }
  return out;
}

export interface ImageFolderOptions {
  /** Size to resize to; default the first image's (in sorted order). */
  size?: { rows: number; cols: number };
  /** 1 (grey, the default) or 3 (colour). */
  channels?: 1 | 3;
  /** Invert grey levels so that ink is bright on dark, as in MNIST (default false). */
  invert?: boolean;
  /** The class names in label order (a test folder must use the training folder's); default the subfolders, sorted. */
  classNames?: readonly string[];
}

/**
 * The images of `dir`, one subfolder per class (sorted names are the labels 0, 1, ...; a file
 * outside any subfolder is an error), as a u8 dataset of (channels * rows, cols) images.
 */
export async function readImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<{ data: Dataset; shape: ImageShape }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((cause) => {
    throw new WasmMlpError(`cannot read image folder ${dir}: ${(cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : String(cause)}`, { cause });
  });
  const classes = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const stray = entries.find((e) => e.isFile() && IMAGE_EXTENSIONS.some((x) => e.name.toLowerCase().endsWith(x)));
  if (stray) throw new InvalidArgumentError(`${join(dir, stray.name)}: images go in one subfolder per class (${dir}/CLASS/${stray.name})`);
  const names = options.classNames ?? classes;
  if (!names.length) throw new InvalidArgumentError(`${dir}: no class subfolders`);
  const unknown = classes.find((c) => !names.includes(c));
  if (unknown) throw new InvalidArgumentError(`${join(dir, unknown)}: class ${JSON.stringify(unknown)} is not one of the training classes (${names.join(', ')})`);
  if (names.length > 256) throw new InvalidArgumentError(`${dir}: ${names.length} classes, more than 256`);
  const files: { path: string; label: number }[] = [];
  for (const c of classes) {
    const inside = (await readdir(join(dir, c))).filter((f) => IMAGE_EXTENSIONS.some((x) => f.toLowerCase().endsWith(x))).sort();
    for (const f of inside) files.push({ path: join(dir, c, f), label: names.indexOf(c) });
  }
  if (!files.length) throw new InvalidArgumentError(`${dir}: no .png or .jpg images in its class subfolders`);
  const channels = options.channels ?? 1;
  let shape: ImageShape | null = options.size ? { ...options.size, channels } : null;
  const pixels: Uint8Array[] = [];
  // read a few files at a time: the decoding is synchronous, the reading is not
  for (let i = 0; i < files.length; i += 16) {
    const batch = await Promise.all(files.slice(i, i + 16).map((f) => readBytes(f.path, 'image')));
    batch.forEach((bytes, j) => {
      const img = decodeImage(bytes, files[i + j].path);
      shape ??= { rows: img.height, cols: img.width, channels };
      if (!pixels.length && files.length * channels * shape.rows * shape.cols > 2 ** 30) {
        throw new InvalidArgumentError(`${dir}: ${files.length} images of ${shape.cols} x ${shape.rows} x ${channels} is more than 1 GiB: give a smaller --image-size`);
      }
      const p = imageToPixels(img, shape);
      if (options.invert) for (let k = 0; k < p.length; k++) p[k] = 255 - p[k];
      pixels.push(p);
    });
  }
  const s = shape!;
  const size = s.channels * s.rows * s.cols;
  const images = new Uint8Array(files.length * size);
  pixels.forEach((p, n) => images.set(p, n * size));
  const data = createDataset({ images, labels: Uint8Array.from(files, (f) => f.label), rows: s.channels * s.rows, cols: s.cols, classNames: names, name: dir });
  return { data, shape: s };
}

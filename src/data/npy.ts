// NumPy arrays without Python: the .npy format (version 1-3, little-endian, C order) and .npz
// archives of them (a zip, read with fflate). u8 arrays of (count, rows, cols) are images;
// other numeric arrays are features. Not for: writing NumPy files, object or Fortran-order arrays.
import { unzipSync } from 'fflate';
import { InvalidArgumentError, WasmMlpError } from '../core/errors.js';

export class NpyFormatError extends WasmMlpError {}

/** The typed array an .npy file's values are read into, by its dtype. */
export type NpyData = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

export interface NpyArray {
  /** The numpy dtype string, e.g. '|u1', '<f4'. */
  dtype: string;
  shape: number[];
  data: NpyData;
}

const TYPES: Record<string, [bytes: number, make: (b: ArrayBuffer, at: number, n: number) => NpyData]> = {
  u1: [1, (b, at, n) => new Uint8Array(b, at, n)],
  i1: [1, (b, at, n) => new Int8Array(b, at, n)],
  u2: [2, (b, at, n) => new Uint16Array(b, at, n)],
  i2: [2, (b, at, n) => new Int16Array(b, at, n)],
  u4: [4, (b, at, n) => new Uint32Array(b, at, n)],
  i4: [4, (b, at, n) => new Int32Array(b, at, n)],
  u8: [8, (b, at, n) => new BigUint64Array(b, at, n)],
  i8: [8, (b, at, n) => new BigInt64Array(b, at, n)],
  f4: [4, (b, at, n) => new Float32Array(b, at, n)],
  f8: [8, (b, at, n) => new Float64Array(b, at, n)],
};

/** The most elements an array may hold (2^31: beyond wasm32's reach once staged). */
export const MAX_NPY_ELEMENTS = 2 ** 31;

/** Reads a .npy file's bytes; `name` labels errors. */
export function parseNpy(bytes: Uint8Array, name = 'array.npy'): NpyArray {
  const fail = (what: string) => new NpyFormatError(`${name}: ${what}`);
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') throw fail('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6];
  if (major < 1 || major > 3) throw fail(`unknown .npy version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : -1;
  const start = 8 + lengthBytes;
  if (headerLength < 0 || start + headerLength > bytes.length) throw fail(`truncated: the header needs ${start + headerLength} bytes, the file has ${bytes.length}`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw fail(`unreadable header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') throw fail('is in Fortran order: save it with numpy.ascontiguousarray first');
  const order = descr[0];
  const type = TYPES[descr.slice(1)];
  if (!type || !(order === '<' || order === '|' || (order === '=' && type[0] === 1))) throw fail(`dtype ${descr} is not supported (little-endian u1/i1/u2/i2/u4/i4/u8/i8/f4/f8)`);
  if (type[0] === 1 && order !== '|' && order !== '=' && order !== '<') throw fail(`dtype ${descr} is not supported`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 0)) throw fail(`shape (${shapeText}) is not a list of sizes`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_NPY_ELEMENTS) throw fail(`holds ${count} elements, more than the ${MAX_NPY_ELEMENTS} wasm-mlp can stage`);
  const dataStart = start + headerLength;
  const expected = dataStart + count * type[0];
  if (bytes.length !== expected) throw fail(bytes.length < expected ? `truncated: ${bytes.length} bytes, shape (${shape}) of ${descr} needs ${expected}` : `${bytes.length - expected} bytes after the data`);
  // a copy, aligned for the typed array whatever the file's alignment
  const copy = bytes.slice(dataStart, expected);
  return { dtype: descr, shape, data: type[1](copy.buffer, 0, count) };
}

/** The .npy arrays in a .npz archive's bytes, by name without '.npy'; each entry's declared size is checked before it is inflated. */
export function parseNpz(bytes: Uint8Array, name = 'arrays.npz', maxBytes = 4 * MAX_NPY_ELEMENTS): Record<string, NpyArray> {
  let files: Record<string, Uint8Array>;
  let declared = 0;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        declared += f.originalSize;
        if (f.originalSize > maxBytes || declared > maxBytes) throw new NpyFormatError(`${name}: ${f.name} inflates to ${f.originalSize} bytes, more than the ${maxBytes} allowed (a zip bomb?)`);
        return f.name.endsWith('.npy');
      },
    });
  } catch (cause) {
    if (cause instanceof NpyFormatError) throw cause;
    throw new NpyFormatError(`${name}: not a readable .npz (zip) archive: ${(cause as Error).message}`, { cause });
  }
  const out: Record<string, NpyArray> = {};
  for (const [file, data] of Object.entries(files)) out[file.replace(/\.npy$/, '')] = parseNpy(data, `${name}:${file}`);
  return out;
}

/** Values as numbers (int64 arrays within 2^53, as integers). */
export function asNumbers(a: NpyArray): Float64Array | Float32Array | Uint8Array {
  const d = a.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Float64Array.from(d, (v) => Number(v));
  if (d instanceof Float32Array || d instanceof Float64Array || d instanceof Uint8Array) return d;
  return Float64Array.from(d);
}

/** Labels from an array of (count) integers in [0, 255]. */
export function labelsFrom(a: NpyArray, name: string): Uint8Array {
  if (a.shape.length !== 1) throw new InvalidArgumentError(`${name}: labels must be a 1-d array, got shape (${a.shape})`);
  const v = asNumbers(a);
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isInteger(v[i]) || v[i] < 0 || v[i] > 255) throw new InvalidArgumentError(`${name}: label ${i} is ${v[i]}, expected an integer class from 0 to 255`);
    out[i] = v[i];
  }
  return out;
}

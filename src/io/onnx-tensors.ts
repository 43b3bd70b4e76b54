// The values of ONNX tensors as the importer takes them: float weights (float32; float64, float16
// and bfloat16 converted to float32) and int64 shapes, each checked against its declared dims (every
// element present, none missing, no data in another file), and constants broadcast over a value's
// dims. Not for: which tensors a graph uses (onnx-import.ts).
import { bfloat16ToFloat, halfToFloat } from './floats.js';
import { BFLOAT16, DOUBLE, FLOAT, FLOAT16, INT64, type OnnxTensor } from './onnx-messages.js';

type Fail = (what: string) => Error;

const TYPE_NAMES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16' };

/** A data type's name for messages. */
export function typeName(code: number): string {
  return TYPE_NAMES[code] ?? `type ${code}`;
}

/** The values of a float tensor as float32, in row-major order. */
export function floatValues(t: OnnxTensor, what: string, fail: Fail): Float32Array {
  const size = { [FLOAT]: 4, [DOUBLE]: 8, [FLOAT16]: 2, [BFLOAT16]: 2 }[t.dataType];
  if (!size) throw fail(`${what} is ${typeName(t.dataType)}; expected float32, float64, float16 or bfloat16`);
  checkData(t, what, fail);
  const listed = t.dataType === FLOAT ? t.floatData : t.dataType === DOUBLE ? t.doubleData : undefined;
  if (t.rawData && listed?.length) throw fail(`${what} has both raw_data and a list of values`);
  if (!t.rawData) {
    if (t.dataType !== FLOAT && t.dataType !== DOUBLE) throw fail(`${what}: ${typeName(t.dataType)} values are read from raw_data only`);
    const values = listed ?? [];
    checkCount(t.dims, values.length, what, fail);
    return Float32Array.from(values);
  }
  const raw = t.rawData;
  if (raw.length % size) throw fail(`${what}: ${raw.length} bytes of raw_data is not a whole number of ${typeName(t.dataType)} values`);
  const n = raw.length / size;
  checkCount(t.dims, n, what, fail);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (t.dataType === FLOAT) out[i] = view.getFloat32(4 * i, true);
    else if (t.dataType === DOUBLE) out[i] = view.getFloat64(8 * i, true);
    else out[i] = (t.dataType === FLOAT16 ? halfToFloat : bfloat16ToFloat)(view.getUint16(2 * i, true));
  }
  return out;
}

/** The values of an int64 tensor (a shape), as numbers. */
export function intValues(t: OnnxTensor, what: string, fail: Fail): number[] {
  if (t.dataType !== INT64) throw fail(`${what} is ${typeName(t.dataType)}; expected int64`);
  checkData(t, what, fail);
  if (!t.rawData) {
    checkCount(t.dims, t.int64Data?.length ?? 0, what, fail);
    return t.int64Data ?? [];
  }
  if (t.rawData.length % 8) throw fail(`${what}: ${t.rawData.length} bytes of raw_data is not a whole number of int64 values`);
  const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.length);
  const out = Array.from({ length: t.rawData.length / 8 }, (_, i) => Number(view.getBigInt64(8 * i, true)));
  checkCount(t.dims, out.length, what, fail);
  return out;
}

function checkData(t: OnnxTensor, what: string, fail: Fail): void {
  if (t.external) throw fail(`${what} keeps its data in another file (external data); save the model with its weights inside`);
  if (t.otherData) throw fail(`${what} has its data in a field wasm-mlp does not read (int32_data, string_data, uint64_data or segments)`);
}

/** The dims' product must be `count` (never used to allocate: the data decides the size). */
function checkCount(dims: readonly number[], count: number, what: string, fail: Fail): void {
  let product = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw fail(`${what} has a dimension ${d}; expected integers >= 0`);
    product *= d;
  }
  if (product !== count) throw fail(`${what} declares dims [${dims}] (${product > 2 ** 53 ? 'more than 2^53' : product} elements), but its data holds ${count}`);
}

/** The product of `dims`, which must all be known integers >= 1 (a per-example shape). */
export function sizeOf(dims: readonly (number | null)[]): number | null {
  let product = 1;
  for (const d of dims) {
    if (d === null) return null;
    product *= d;
  }
  return product;
}

/**
 * `values` of shape `shape` broadcast (numpy's rules, aligned right) over one example of `dims`,
 * as one value per element of the example in row-major order; the constant's leading (batch) dims
 * must be 1. Null if they do not broadcast.
 */
export function broadcast(values: Float32Array, shape: readonly number[], dims: readonly number[]): Float32Array | null {
  const lead = shape.length - dims.length;
  if (shape.slice(0, Math.max(0, lead)).some((d) => d !== 1)) return null;
  const own = dims.map((d, i) => (i + lead >= 0 ? shape[i + lead] : 1));
  if (own.some((d, i) => d !== 1 && d !== dims[i])) return null;
  const n = sizeOf(dims)!;
  const out = new Float32Array(n);
  for (let e = 0; e < n; e++) {
    let rest = e;
    let at = 0;
    let stride = 1;
    for (let i = dims.length - 1; i >= 0; i--) {
      const k = rest % dims[i];
      rest = Math.floor(rest / dims[i]);
      if (own[i] !== 1) at += k * stride;
      stride *= own[i];
    }
    out[e] = values[at];
  }
  return out;
}

// Small ONNX models for tests, written with wasm-mlp's own ONNX message encoder: a chain of nodes
// given as [op, inputs, attributes, output, domain] tuples, where '$' is the previous node's output.

import { ATTRIBUTE_FLOAT, ATTRIBUTE_INT, ATTRIBUTE_INTS, FLOAT, encodeOnnxModel, type OnnxAttribute, type OnnxNode, type OnnxTensor } from '../../src/io/onnx-messages.js';

const FLOAT_ATTRIBUTES = ['alpha', 'beta', 'value_float'];
const TYPES = { float: [1, 4], double: [11, 8], half: [10, 2], bfloat16: [16, 2], int64: [7, 8] } as const;

/** A tensor with its values in raw_data (little-endian) of `type`. */
export function tensor(name: string, dims: number[], values: number[], type: keyof typeof TYPES = 'float'): OnnxTensor {
  const [dataType, size] = TYPES[type];
  const raw = new Uint8Array(values.length * size);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    if (type === 'float') view.setFloat32(4 * i, v, true);
    else if (type === 'double') view.setFloat64(8 * i, v, true);
    else if (type === 'int64') view.setBigInt64(8 * i, BigInt(v), true);
    else if (type === 'bfloat16') view.setUint16(2 * i, new Uint32Array(Float32Array.of(v).buffer)[0] >>> 16, true);
    else view.setUint16(2 * i, toHalf(v), true);
  });
  return { name, dims, dataType, rawData: raw };
}

/** Float16 bits of v (exact for the values tests use: multiples of 2^-10 below 2). */
function toHalf(v: number): number {
  if (v === 0) return 0;
  const sign = v < 0 ? 0x8000 : 0;
  let e = Math.floor(Math.log2(Math.abs(v)));
  let f = Math.abs(v) / 2 ** e - 1;
  if (e < -14) {
    f = Math.abs(v) / 2 ** -14;
    e = -15;
  }
  return sign | ((e + 15) << 10) | Math.round(f * 1024);
}

export type NodeSpec = [op: string, inputs?: string[], attributes?: Record<string, number | number[]>, output?: string, domain?: string];

export interface GraphSpec {
  /** The input "x": its dims (null or a name for unknown) and element type (default float). */
  input: (number | string | null)[];
  inputType?: number;
  nodes: NodeSpec[];
  inits: OnnxTensor[];
  /** More graph inputs (names of values that are not initializers). */
  extraInputs?: string[];
  /** The graph's output (default the last node's). */
  output?: string;
  opset?: number;
  metadata?: { key: string; value: string }[];
}

export function onnxBytes(g: GraphSpec): Uint8Array {
  let previous = 'x';
  const node: OnnxNode[] = g.nodes.map(([opType, inputs = ['$'], attributes = {}, output, domain = ''], i) => {
    const n: OnnxNode = { name: `${opType.toLowerCase()}${i}`, opType, domain, input: inputs.map((s) => (s === '$' ? previous : s)), output: [output ?? `v${i}`], attribute: Object.entries(attributes).map(([name, v]) => attribute(name, v)) };
    if (opType !== 'Constant') previous = n.output[0];
    return n;
  });
  const value = (name: string, shape: (number | string | null)[], elemType = FLOAT) => ({ name, elemType, shape });
  return encodeOnnxModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: g.opset ?? 17 }],
    producerName: 'test',
    producerVersion: '1',
    docString: '',
    graph: {
      name: 'test',
      node,
      initializer: g.inits,
      sparseInitializers: 0,
      input: [value('x', g.input, g.inputType), ...(g.extraInputs ?? []).map((n) => value(n, [null, 4]))],
      output: [value(g.output ?? previous, [null, null], g.inputType)],
    },
    metadata: g.metadata ?? [],
    functions: 0,
  });
}

function attribute(name: string, v: number | number[]): OnnxAttribute {
  if (Array.isArray(v)) return { name, type: ATTRIBUTE_INTS, ints: v };
  return FLOAT_ATTRIBUTES.includes(name) ? { name, type: ATTRIBUTE_FLOAT, f: v } : { name, type: ATTRIBUTE_INT, i: v };
}

// The ONNX messages wasm-mlp reads and writes (onnx.proto's ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto), as
// plain objects with only the fields it uses, and their encoding by field number on the protobuf
// wire. Not for: decoding (onnx-decode.ts) or what a graph means (onnx-import.ts, onnx.ts).
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType codes wasm-mlp knows. */
export const FLOAT = 1;
export const INT64 = 7;
export const FLOAT16 = 10;
export const DOUBLE = 11;
export const BFLOAT16 = 16;
/** AttributeProto.AttributeType codes. */
export const ATTRIBUTE_FLOAT = 1;
export const ATTRIBUTE_INT = 2;
export const ATTRIBUTE_INTS = 7;

export interface OnnxModel {
  irVersion: number;
  /** (domain, version) pairs; the default domain is '' (or 'ai.onnx'). */
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: OnnxGraph | null;
  metadata: { key: string; value: string }[];
  /** Whether the model defines functions (local functions are not run here). */
  functions: number;
}

export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  /** Sparse initializers are not read; their count is kept so that a graph using one can say so. */
  sparseInitializers: number;
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  floats?: number[];
  ints?: number[];
  t?: OnnxTensor;
  /** Set when the attribute holds a graph, a string or anything else not read here. */
  other?: boolean;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Little-endian bytes (a view of the file when read). */
  rawData?: Uint8Array;
  floatData?: number[];
  doubleData?: number[];
  int64Data?: number[];
  /** Whether the tensor's data lives in another file (data_location EXTERNAL or external_data entries). */
  external?: boolean;
  /** Whether it has data in a field not read here (int32_data, string_data, uint64_data, segment). */
  otherData?: boolean;
}

/** A value's name, element type and shape; a dimension is a number, a name (dim_param) or null (unknown). */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape: (number | string | null)[] | null;
}

// ---- writing (the fields in protobufjs' order: by field number, type last in AttributeProto; the
// export writes only some of them, the tests the rest)

export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter().int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  if (m.graph) w.message(7, (g) => writeGraph(g, m.graph!));
  for (const o of m.opsetImport) w.message(8, (s) => s.string(1, o.domain).int(2, o.version));
  for (const e of m.metadata) w.message(14, (s) => s.string(1, e.key).string(2, e.value));
  return w.finish();
}

function writeGraph(w: ProtoWriter, g: OnnxGraph): void {
  for (const n of g.node) w.message(1, (x) => writeNode(x, n));
  w.string(2, g.name);
  for (const t of g.initializer) w.message(5, (x) => writeTensor(x, t));
  for (const v of g.input) w.message(11, (x) => writeValueInfo(x, v));
  for (const v of g.output) w.message(12, (x) => writeValueInfo(x, v));
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const s of n.input) w.string(1, s);
  for (const s of n.output) w.string(2, s);
  w.string(3, n.name).string(4, n.opType);
  for (const a of n.attribute) w.message(5, (x) => writeAttribute(x, a));
  if (n.domain) w.string(7, n.domain);
}

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.string(1, a.name);
  if (a.f !== undefined) w.float(2, a.f);
  if (a.i !== undefined) w.int(3, a.i);
  if (a.t) w.message(5, (x) => writeTensor(x, a.t!));
  if (a.floats) w.packedFloats(7, a.floats, 4);
  if (a.ints) w.packedInts(8, a.ints);
  w.int(20, a.type);
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  w.packedInts(1, t.dims).int(2, t.dataType);
  if (t.floatData) w.packedFloats(4, t.floatData, 4);
  if (t.int64Data) w.packedInts(7, t.int64Data);
  w.string(8, t.name);
  if (t.rawData) w.bytes(9, t.rawData);
  if (t.doubleData) w.packedFloats(10, t.doubleData, 8);
  if (t.external) w.int(14, 1);
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.int(1, v.elemType).message(2, (shape) => {
        for (const d of v.shape ?? []) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : d !== null && dim.string(2, d)));
      }),
    ),
  );
}

// The ONNX messages wasm-mlp reads and writes (onnx.proto's ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto), as
// plain objects with only the fields it uses, and their field numbers on the protobuf wire. Other
// fields are skipped when read. Not for: what a graph means (onnx-import.ts, onnx.ts).
import { ProtoReader, ProtoWriter } from './protobuf.js';

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

// ---- writing (the fields in protobufjs' order: by field number, type last in AttributeProto)

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
  for (const a of n.attribute) w.message(5, (x) => x.string(1, a.name).int(3, a.i!).int(20, a.type));
  if (n.domain) w.string(7, n.domain);
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  w.packedInts(1, t.dims).int(2, t.dataType).string(8, t.name).bytes(9, t.rawData!);
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.int(1, v.elemType).message(2, (shape) => {
        for (const d of v.shape ?? []) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d ?? '')));
      }),
    ),
  );
}

// ---- reading

/** Decodes a ModelProto; `fail` makes the error for bytes that are not one. */
export function decodeOnnxModel(bytes: Uint8Array, fail: (what: string) => Error): OnnxModel {
  const m: OnnxModel = { irVersion: 0, opsetImport: [], producerName: '', producerVersion: '', docString: '', graph: null, metadata: [], functions: 0 };
  return readModel(new ProtoReader(bytes, fail), m);
}

function readModel(r: ProtoReader, m: OnnxModel): OnnxModel {
  r.fields((field, wire) => {
    if (field === 1) m.irVersion = r.int(wire, 'ir_version');
    else if (field === 2) m.producerName = r.string(wire, 'producer_name');
    else if (field === 3) m.producerVersion = r.string(wire, 'producer_version');
    else if (field === 6) m.docString = r.string(wire, 'doc_string');
    else if (field === 7) m.graph = r.message(wire, 'graph', readGraph);
    else if (field === 8) m.opsetImport.push(r.message(wire, 'opset_import', readOpset));
    else if (field === 14) m.metadata.push(r.message(wire, 'metadata_props', readEntry));
    else if (field === 25) {
      r.bytesOf(wire, 'functions');
      m.functions++;
    } else return false;
    return true;
  });
  return m;
}

function readOpset(r: ProtoReader): { domain: string; version: number } {
  const o = { domain: '', version: 0 };
  r.fields((field, wire) => {
    if (field === 1) o.domain = r.string(wire, 'opset domain');
    else if (field === 2) o.version = r.int(wire, 'opset version');
    else return false;
    return true;
  });
  return o;
}

function readEntry(r: ProtoReader): { key: string; value: string } {
  const e = { key: '', value: '' };
  r.fields((field, wire) => {
    if (field === 1) e.key = r.string(wire, 'metadata key');
    else if (field === 2) e.value = r.string(wire, 'metadata value');
    else return false;
    return true;
  });
  return e;
}

function readGraph(r: ProtoReader): OnnxGraph {
  const g: OnnxGraph = { name: '', node: [], initializer: [], sparseInitializers: 0, input: [], output: [] };
  r.fields((field, wire) => {
    if (field === 1) g.node.push(r.message(wire, 'node', readNode));
    else if (field === 2) g.name = r.string(wire, 'graph name');
    else if (field === 5) g.initializer.push(r.message(wire, 'initializer', readTensor));
    else if (field === 11) g.input.push(r.message(wire, 'graph input', readValueInfo));
    else if (field === 12) g.output.push(r.message(wire, 'graph output', readValueInfo));
    else if (field === 15) {
      r.bytesOf(wire, 'sparse_initializer');
      g.sparseInitializers++;
    } else return false;
    return true;
  });
  return g;
}

function readNode(r: ProtoReader): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', domain: '', input: [], output: [], attribute: [] };
  r.fields((field, wire) => {
    if (field === 1) n.input.push(r.string(wire, 'node input'));
    else if (field === 2) n.output.push(r.string(wire, 'node output'));
    else if (field === 3) n.name = r.string(wire, 'node name');
    else if (field === 4) n.opType = r.string(wire, 'op_type');
    else if (field === 5) n.attribute.push(r.message(wire, 'attribute', readAttribute));
    else if (field === 7) n.domain = r.string(wire, 'node domain');
    else return false;
    return true;
  });
  return n;
}

function readAttribute(r: ProtoReader): OnnxAttribute {
  const a: OnnxAttribute = { name: '', type: 0 };
  r.fields((field, wire) => {
    if (field === 1) a.name = r.string(wire, 'attribute name');
    else if (field === 20) a.type = r.int(wire, 'attribute type');
    else if (field === 2) a.f = r.float(wire, 'attribute f');
    else if (field === 3) a.i = r.int(wire, 'attribute i');
    else if (field === 5) a.t = r.message(wire, 'attribute t', readTensor);
    else if (field === 7) r.floats(wire, 'attribute floats', (a.floats ??= []));
    else if (field === 8) r.ints(wire, 'attribute ints', (a.ints ??= []));
    else if (field === 4 || field === 6 || (field >= 9 && field <= 11) || field === 14 || field === 15 || field === 22 || field === 23) {
      a.other = true;
      return false;
    } else return false;
    return true;
  });
  return a;
}

function readTensor(r: ProtoReader): OnnxTensor {
  const t: OnnxTensor = { name: '', dims: [], dataType: 0 };
  r.fields((field, wire) => {
    if (field === 1) r.ints(wire, 'tensor dims', t.dims);
    else if (field === 2) t.dataType = r.int(wire, 'tensor data_type');
    else if (field === 4) r.floats(wire, 'tensor float_data', (t.floatData ??= []));
    else if (field === 7) r.ints(wire, 'tensor int64_data', (t.int64Data ??= []));
    else if (field === 8) t.name = r.string(wire, 'tensor name');
    else if (field === 9) t.rawData = r.bytesOf(wire, 'tensor raw_data');
    else if (field === 10) r.doubles(wire, 'tensor double_data', (t.doubleData ??= []));
    else if (field === 13) {
      r.bytesOf(wire, 'tensor external_data');
      t.external = true;
    } else if (field === 14) t.external ||= r.int(wire, 'tensor data_location') === 1;
    else if (field === 3 || field === 5 || field === 6 || field === 11) {
      t.otherData = true;
      return false;
    } else return false;
    return true;
  });
  return t;
}

function readValueInfo(r: ProtoReader): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', elemType: 0, shape: null };
  r.fields((field, wire) => {
    if (field === 1) v.name = r.string(wire, 'value name');
    else if (field === 2) {
      r.message(wire, 'value type', (type) =>
        type.fields((f, w) => {
          if (f !== 1) return false; // sequences, maps, optionals: no tensor type
          type.message(w, 'tensor_type', (tensor) =>
            tensor.fields((g, x) => {
              if (g === 1) v.elemType = tensor.int(x, 'elem_type');
              else if (g === 2) v.shape = tensor.message(x, 'shape', readShape);
              else return false;
              return true;
            }),
          );
          return true;
        }),
      );
    } else return false;
    return true;
  });
  return v;
}

function readShape(r: ProtoReader): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  r.fields((field, wire) => {
    if (field !== 1) return false;
    let d: number | string | null = null;
    r.message(wire, 'dim', (x) =>
      x.fields((f, w) => {
        if (f === 1) d = x.int(w, 'dim_value');
        else if (f === 2) d = x.string(w, 'dim_param');
        else return false;
        return true;
      }),
    );
    dims.push(d);
    return true;
  });
  return dims;
}

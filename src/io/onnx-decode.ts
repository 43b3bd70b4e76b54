// Decoding the ONNX messages of onnx-messages.ts from untrusted bytes: the fields wasm-mlp uses, read
// with the checks of ProtoReader; other fields skipped, and what cannot be run here (external data,
// subgraphs, functions, sparse initializers) marked so the importer can say so. Not for: what a
// graph means (onnx-import.ts).
import { ProtoReader } from './protobuf.js';
import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './onnx-messages.js';

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

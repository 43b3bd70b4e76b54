// Export to ONNX: the network as a standard graph (one Gemm per layer, then its activation:
// Sigmoid, Tanh, Relu, or Softmax on the output for log-likelihood), weights as initializers,
// input "input" (N, inputs), output "output" (N, outputs), opset 13; a model with a feature
// standardisation starts with Sub (mean) and Div (std), so the graph takes raw features.
// Encoded with onnx-proto.
// Not for: importing ONNX models.
import onnxProto from 'onnx-proto';
import type { ModelData } from './model.js';
import { layerShapes } from '../core/shapes.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const OP = { sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', softmax: 'Softmax', 'log-softmax': 'LogSoftmax', identity: '' } as const;

/** ONNX model bytes of a wasm-mlp model (from decodeModel or a network's encodeModel). */
export function exportOnnx(model: ModelData): Uint8Array {
  const shapes = layerShapes(model.sizes);
  const L = shapes.length;
  const initializer: InstanceType<typeof onnx.TensorProto>[] = [];
  const node: InstanceType<typeof onnx.NodeProto>[] = [];
  let input = 'input';
  if (model.standardize) {
    initializer.push(tensor('mean', [model.sizes[0]], model.standardize.mean), tensor('std', [model.sizes[0]], model.standardize.std));
    node.push(onnx.NodeProto.create({ name: 'centre', opType: 'Sub', input: ['input', 'mean'], output: ['centred'] }));
    node.push(onnx.NodeProto.create({ name: 'scale', opType: 'Div', input: ['centred', 'std'], output: ['standardized'] }));
    input = 'standardized';
  }
  shapes.forEach((s, i) => {
    const l = i + 1;
    const W = model.parameters.subarray(s.wOffset, s.wOffset + s.rows * s.cols);
    const b = model.parameters.subarray(s.bOffset, s.bOffset + s.rows);
    initializer.push(tensor(`W${l}`, [s.rows, s.cols], W), tensor(`b${l}`, [s.rows], b));
    // z^l = a^(l-1) (W^l)^T + b^l: W is (rows, cols) row-major, so transB
    const out = l === L ? 'output' : `a${l}`;
    const op = OP[l < L ? model.activations[l - 1] : model.output];
    node.push(onnx.NodeProto.create({ name: `dense${l}`, opType: 'Gemm', input: [input, `W${l}`, `b${l}`], output: [op ? `z${l}` : out], attribute: [intAttribute('transB', 1)] }));
    if (op) node.push(onnx.NodeProto.create({ name: `${op.toLowerCase()}${l}`, opType: op, input: [`z${l}`], output: [out], attribute: op.endsWith('Softmax') ? [intAttribute('axis', 1)] : [] }));
    input = out;
  });
  const graph = onnx.GraphProto.create({
    name: 'wasm-mlp',
    node,
    initializer,
    input: [valueInfo('input', model.sizes[0])],
    output: [valueInfo('output', model.sizes[L])],
  });
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 13 })],
    producerName: 'wasm-mlp',
    producerVersion: '1',
    docString: `sizes [${model.sizes}], hidden layers ${model.activations.join(', ') || 'none'}, ${model.output} output, ${model.cost} cost`,
    graph,
  });
  return onnx.ModelProto.encode(proto).finish();
}

function tensor(name: string, dims: number[], values: Float32Array) {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true)); // ONNX raw data is little-endian
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: raw });
}

function intAttribute(name: string, i: number) {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
}

function valueInfo(name: string, width: number) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: FLOAT,
        shape: onnx.TensorShapeProto.create({ dim: [onnx.TensorShapeProto.Dimension.create({ dimParam: 'N' }), onnx.TensorShapeProto.Dimension.create({ dimValue: width })] }),
      }),
    }),
  });
}

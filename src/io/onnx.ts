// Export to ONNX: the network as a standard graph (one Gemm per layer, then its activation:
// Sigmoid, Tanh or Relu per hidden layer; the output function: Sigmoid, Softmax, LogSoftmax or
// nothing for logits), weights as initializers, input "input" (N, inputs), output "output" (N,
// outputs), opset 13; a model with a feature standardisation starts with Sub (mean) and Div (std),
// so the graph takes raw features; what the graph does not say (the cost, training settings, class
// names) goes in its metadata (onnx-metadata.ts). Encoded by onnx-messages.ts. Not for: importing
// (onnx-import.ts).
import type { ModelData } from './model.js';
import { layerShapes } from '../core/shapes.js';
import { metadataOf } from './onnx-metadata.js';
import { ATTRIBUTE_INT, FLOAT, encodeOnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-messages.js';

const OP = { sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', softmax: 'Softmax', 'log-softmax': 'LogSoftmax', identity: '' } as const;

/** ONNX model bytes of a wasm-mlp model (from decodeModel or a network's encodeModel). */
export function exportOnnx(model: ModelData): Uint8Array {
  const shapes = layerShapes(model.sizes);
  const L = shapes.length;
  const initializer: OnnxTensor[] = [];
  const node: OnnxNode[] = [];
  let input = 'input';
  if (model.standardize) {
    initializer.push(tensor('mean', [model.sizes[0]], model.standardize.mean), tensor('std', [model.sizes[0]], model.standardize.std));
    node.push(onnxNode('centre', 'Sub', ['input', 'mean'], 'centred'), onnxNode('scale', 'Div', ['centred', 'std'], 'standardized'));
    input = 'standardized';
  }
  shapes.forEach((s, i) => {
    const l = i + 1;
    const W = model.parameters.subarray(s.wOffset, s.wOffset + s.rows * s.cols);
    const b = model.parameters.subarray(s.bOffset, s.bOffset + s.rows);
    initializer.push(tensor(`W${l}`, [s.rows, s.cols], W), tensor(`b${l}`, [s.rows], b));
    const out = l === L ? 'output' : `a${l}`;
    const op = OP[l < L ? model.activations[l - 1] : model.output];
    // z^l = a^(l-1) (W^l)^T + b^l: W is (rows, cols) row-major, so transB
    node.push(onnxNode(`dense${l}`, 'Gemm', [input, `W${l}`, `b${l}`], op ? `z${l}` : out, { transB: 1 }));
    if (op) node.push(onnxNode(`${op.toLowerCase()}${l}`, op, [`z${l}`], out, op.endsWith('Softmax') ? { axis: 1 } : {}));
    input = out;
  });
  return encodeOnnxModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'wasm-mlp',
    producerVersion: '1',
    docString: `sizes [${model.sizes}], hidden layers ${model.activations.join(', ') || 'none'}, ${model.output} output, ${model.cost} cost`,
    graph: { name: 'wasm-mlp', node, initializer, sparseInitializers: 0, input: [valueInfo('input', model.sizes[0])], output: [valueInfo('output', model.sizes[L])] },
    metadata: [metadataOf(model)],
    functions: 0,
  });
}

function onnxNode(name: string, opType: string, input: string[], output: string, ints: Record<string, number> = {}): OnnxNode {
  return { name, opType, domain: '', input, output: [output], attribute: Object.entries(ints).map(([key, i]) => ({ name: key, type: ATTRIBUTE_INT, i })) };
}

function tensor(name: string, dims: number[], values: Float32Array): OnnxTensor {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true)); // ONNX raw data is little-endian
  return { name, dims, dataType: FLOAT, rawData: raw };
}

function valueInfo(name: string, width: number): OnnxValueInfo {
  return { name, elemType: FLOAT, shape: ['N', width] };
}

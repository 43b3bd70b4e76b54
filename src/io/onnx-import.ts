// Import from ONNX: an MLP graph (a chain of Gemm, or MatMul + Add, layers with Relu, Sigmoid or
// Tanh between them, an optional final Softmax or LogSoftmax, Flatten or Reshape at the input, and a
// leading Sub/Div/Mul/Add standardisation) as the model data decodeModel gives, bytes in, data out:
// no network, no kernels. The file is untrusted: anything else is an OnnxFormatError naming the node.
// Not for: running it (networkFromModel) or writing ONNX (onnx.ts).
import type { Activation, Output } from '../core/costs.js';
import { OnnxFormatError } from '../core/errors.js';
import { layerShapes } from '../core/shapes.js';
import type { ModelData } from './model-data.js';
import { withMetadata } from './onnx-metadata.js';
import { ATTRIBUTE_FLOAT, ATTRIBUTE_INT, BFLOAT16, DOUBLE, FLOAT, FLOAT16, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-messages.js';
import { decodeOnnxModel } from './onnx-decode.js';
import { broadcast, floatValues, intValues, sizeOf, typeName } from './onnx-tensors.js';

/** The opsets wasm-mlp reads: 9 (PyTorch's oldest exports) to 28 (the newest the onnx package defines). */
export const ONNX_OPSETS = [9, 28] as const;

const ACTIVATION_OPS: Record<string, Activation> = { Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh' };
const SUPPORTED = 'wasm-mlp imports MLPs: Gemm or MatMul (+ Add) layers, Relu, Sigmoid or Tanh between them, an optional final Softmax or LogSoftmax, Flatten or Reshape at the input and a leading Sub/Div/Mul/Add standardisation';

/** One dense layer as read: W (rows, cols) row-major, b (rows), the activation after it, the node that made it. */
interface Layer {
  W: Float32Array;
  b: Float32Array;
  rows: number;
  cols: number;
  node: number;
  activation?: Activation;
  activationNode?: number;
  /** A MatMul whose bias (an Add) may follow. */
  open?: boolean;
}

/** The ONNX model in `bytes` as wasm-mlp model data; `name` labels errors (a path, say). */
export function importOnnx(bytes: Uint8Array, name = 'model.onnx'): ModelData {
  const fail = (what: string) => new OnnxFormatError(`${name}: ${what}`);
  const model = decodeOnnxModel(bytes, fail);
  const graph = model.graph;
  if (!graph) throw fail('not an ONNX model with a graph');
  const opset = checkOpsets(model, fail);
  return new ChainReader(graph, opset, name).read(model.metadata);
}

function checkOpsets(model: OnnxModel, fail: (what: string) => OnnxFormatError): number {
  const own = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!own) throw fail('imports no opset of the default ONNX domain');
  const [low, high] = ONNX_OPSETS;
  if (own.version < low || own.version > high) throw fail(`opset ${own.version}; wasm-mlp reads opsets ${low} to ${high}`);
  return own.version;
}

/** Walks a graph's nodes in order, following the one value that flows from the input to the output. */
class ChainReader {
  private readonly constants = new Map<string, OnnxTensor>();
  private readonly layers: Layer[] = [];
  /** The standardisation so far: x' = (x - mean) / std per element of an example (scalars until the dims are known). */
  private mean: Float32Array | number = 0;
  private std: Float32Array | number = 1;
  private final: { op: 'Softmax' | 'LogSoftmax'; node: number } | null = null;
  /** The chain's value and its per-example dims (null: unknown). */
  private value = '';
  private dims: (number | null)[] = [];

  constructor(
    private readonly graph: OnnxGraph,
    private readonly opset: number,
    private readonly name: string,
  ) {
    for (const t of graph.initializer) this.constants.set(t.name, t);
  }

  read(metadata: OnnxModel['metadata']): ModelData {
    this.start();
    this.graph.node.forEach((n, i) => this.step(n, i));
    return this.finish(metadata);
  }

  private fail(what: string): OnnxFormatError {
    return new OnnxFormatError(`${this.name}: ${what}`);
  }

  private nodeFail(i: number, what: string): OnnxFormatError {
    const n = this.graph.node[i];
    return new OnnxFormatError(`${this.name}: node ${i}${n.name ? ` "${n.name}"` : ''} (${n.opType}): ${what}`, { index: i, name: n.name, op: n.opType });
  }

  /** The graph's one input that is not an initializer: float32, (N, ...) */
  private start(): void {
    const inputs = this.graph.input.filter((v) => !this.constants.has(v.name));
    if (inputs.length !== 1) throw this.fail(`${inputs.length} graph inputs (${inputs.map((v) => v.name).join(', ')}); an MLP takes one`);
    const [x] = inputs;
    // float64 and half-precision graphs run in float32 here
    if (![FLOAT, DOUBLE, FLOAT16, BFLOAT16].includes(x.elemType)) throw this.fail(`input "${x.name}" is ${typeName(x.elemType)}; expected float32 (or float64, float16, bfloat16, run in float32)`);
    const shape = x.shape ?? [null, null];
    if (shape.length < 2) throw this.fail(`input "${x.name}" has shape [${shape}]; expected (N, features) or (N, channels, rows, cols)`);
    this.dims = shape.slice(1).map((d) => (typeof d === 'number' && d >= 1 && d <= 1 << 24 ? d : null));
    if (sizeOf(this.dims) !== null && sizeOf(this.dims)! > 1 << 24) throw this.fail(`input "${x.name}" has shape [${shape}]: more than ${1 << 24} values per example`);
    this.value = x.name;
  }

  private step(n: OnnxNode, i: number): void {
    if (n.domain !== '' && n.domain !== 'ai.onnx') throw this.nodeFail(i, `domain "${n.domain}"; ${SUPPORTED}`);
    if (n.opType === 'Constant') return this.constant(n, i);
    const at = n.input.indexOf(this.value);
    if (at < 0) throw this.nodeFail(i, `does not take "${this.value}", the value the chain has reached: the graph is not a chain of layers`);
    if (n.output.length !== 1) throw this.nodeFail(i, `${n.output.length} outputs; expected 1`);
    if (this.final) throw this.nodeFail(i, `follows the output's ${this.final.op} (node ${this.final.node})`);
    const last = this.layers[this.layers.length - 1];
    if (n.opType === 'Add' && last?.open) this.bias(n, i, at, last);
    else {
      if (last) last.open = false;
      if (n.opType === 'Gemm' || n.opType === 'MatMul') this.dense(n, i, at);
      else if (n.opType in ACTIVATION_OPS) this.activation(n, i, last);
      else if (n.opType === 'Softmax' || n.opType === 'LogSoftmax') this.output(n, i, last);
      else if (['Sub', 'Div', 'Mul', 'Add'].includes(n.opType)) this.standardize(n, i, at);
      else if (n.opType === 'Flatten' || n.opType === 'Reshape') this.flatten(n, i);
      else throw this.nodeFail(i, `an op wasm-mlp does not import; ${SUPPORTED}`);
    }
    this.value = n.output[0];
  }

  private constant(n: OnnxNode, i: number): void {
    const a = n.attribute[0];
    const tensor = (dataType: number, dims: number[], values: number[]): OnnxTensor => ({ name: n.output[0], dims, dataType, ...(dataType === FLOAT ? { floatData: values } : { int64Data: values }) });
    let t: OnnxTensor | undefined;
    if (n.attribute.length === 1 && a.name === 'value' && a.t) t = { ...a.t, name: n.output[0] };
    else if (n.attribute.length === 1 && a.name === 'value_float' && a.f !== undefined) t = tensor(FLOAT, [], [a.f]);
    else if (n.attribute.length === 1 && a.name === 'value_floats') t = tensor(FLOAT, [a.floats?.length ?? 0], a.floats ?? []);
    else if (n.attribute.length === 1 && a.name === 'value_int' && a.i !== undefined) t = tensor(7, [], [a.i]);
    else if (n.attribute.length === 1 && a.name === 'value_ints') t = tensor(7, [a.ints?.length ?? 0], a.ints ?? []);
    if (!t || n.output.length !== 1) throw this.nodeFail(i, 'expected one value: a tensor, float(s) or int(s)');
    this.constants.set(n.output[0], t);
  }

  /** The constant input `k` of node i (an initializer or a Constant node's output). */
  private constantInput(n: OnnxNode, i: number, k: number): OnnxTensor {
    const t = this.constants.get(n.input[k]);
    if (!t) throw this.nodeFail(i, `input ${k} "${n.input[k]}" is neither the chain's value nor a constant${this.graph.sparseInitializers ? ' (sparse initializers are not read)' : ''}`);
    return t;
  }

  private attribute(n: OnnxNode, i: number, key: string, type: number, fallback: number): number {
    const a = n.attribute.find((x) => x.name === key);
    if (!a) return fallback;
    const v = type === ATTRIBUTE_FLOAT ? a.f : a.i;
    if ((a.type !== type && a.type !== 0) || v === undefined || !Number.isFinite(v)) throw this.nodeFail(i, `attribute ${key} is not a single ${type === ATTRIBUTE_FLOAT ? 'float' : 'int'}`);
    return v;
  }

  /** A Gemm (A B^T or A B, times alpha, plus beta C) or a MatMul (A B, its bias from an Add that may follow). */
  private dense(n: OnnxNode, i: number, at: number): void {
    const gemm = n.opType === 'Gemm';
    if (at !== 0) throw this.nodeFail(i, `takes the chain's value as input ${at}; expected input 0 (x W, not W x)`);
    if (this.dims.length !== 1) throw this.nodeFail(i, `takes a value of shape (N, ${this.dims.map((d) => d ?? '?').join(', ')}); flatten it to (N, features) first`);
    if (n.input.length < 2 || n.input.length > (gemm ? 3 : 2)) throw this.nodeFail(i, `${n.input.length} inputs; expected ${gemm ? '2 or 3' : '2'}`);
    if (gemm && this.attribute(n, i, 'transA', ATTRIBUTE_INT, 0) !== 0) throw this.nodeFail(i, 'transA = 1: the chain\'s value is not transposed in an MLP');
    const transB = gemm ? this.attribute(n, i, 'transB', ATTRIBUTE_INT, 0) : 0;
    const alpha = gemm ? this.attribute(n, i, 'alpha', ATTRIBUTE_FLOAT, 1) : 1;
    const beta = gemm ? this.attribute(n, i, 'beta', ATTRIBUTE_FLOAT, 1) : 1;
    const B = this.constantInput(n, i, 1);
    const values = floatValues(B, `weights "${B.name}"`, (w) => this.nodeFail(i, w));
    if (B.dims.length !== 2) throw this.nodeFail(i, `weights "${B.name}" have ${B.dims.length} dimensions [${B.dims}]; expected 2`);
    const [rows, cols] = transB ? B.dims : [B.dims[1], B.dims[0]];
    const expected = this.dims[0] ?? this.layers[this.layers.length - 1]?.rows ?? cols;
    if (cols !== expected) throw this.nodeFail(i, `weights "${B.name}" [${B.dims}] take ${cols} inputs, but the value before has ${expected}`);
    if (rows < 1 || rows > 1 << 24) throw this.nodeFail(i, `a layer of ${rows} units; expected 1 to ${1 << 24}`);
    // W (rows, cols) row-major: B itself with transB, else B transposed
    const W = transB ? values : transpose(values, cols, rows);
    if (alpha !== 1) for (let k = 0; k < W.length; k++) W[k] *= alpha;
    const b = new Float32Array(rows);
    const layer: Layer = { W, b, rows, cols, node: i, open: !gemm };
    if (gemm && n.input.length === 3 && n.input[2] !== '') this.addBias(n, i, 2, layer, beta);
    this.layers.push(layer);
    this.dims = [rows];
  }

  /** An Add after a MatMul: its bias. */
  private bias(n: OnnxNode, i: number, at: number, layer: Layer): void {
    if (n.input.length !== 2) throw this.nodeFail(i, `${n.input.length} inputs; expected 2`);
    this.addBias(n, i, 1 - at, layer, 1);
    layer.open = false;
  }

  private addBias(n: OnnxNode, i: number, k: number, layer: Layer, scale: number): void {
    const C = this.constantInput(n, i, k);
    const c = broadcast(floatValues(C, `bias "${C.name}"`, (w) => this.nodeFail(i, w)), C.dims, [layer.rows]);
    if (!c) throw this.nodeFail(i, `bias "${C.name}" has dims [${C.dims}]; expected [${layer.rows}], [1, ${layer.rows}] or one value`);
    for (let j = 0; j < layer.rows; j++) layer.b[j] += scale * c[j];
  }

  private activation(n: OnnxNode, i: number, last: Layer | undefined): void {
    if (!last || last.activation) throw this.nodeFail(i, last ? `follows another activation (node ${last.activationNode})` : 'comes before the first layer');
    last.activation = ACTIVATION_OPS[n.opType];
    last.activationNode = i;
  }

  /** A final Softmax or LogSoftmax over the classes (the last axis). */
  private output(n: OnnxNode, i: number, last: Layer | undefined): void {
    if (!last || last.activation) throw this.nodeFail(i, last ? `follows an activation (node ${last.activationNode}); expected it straight after the last layer` : 'comes before the first layer');
    const axis = this.attribute(n, i, 'axis', ATTRIBUTE_INT, this.opset < 13 ? 1 : -1);
    if (axis !== 1 && axis !== -1) throw this.nodeFail(i, `axis ${axis}; expected the classes' axis (1 or -1)`);
    this.final = { op: n.opType as 'Softmax' | 'LogSoftmax', node: i };
  }

  /** Sub, Div, Mul or Add of a constant before the first layer: the inputs' standardisation. */
  private standardize(n: OnnxNode, i: number, at: number): void {
    if (this.layers.length) throw this.nodeFail(i, 'between layers; wasm-mlp reads Sub, Div, Mul and Add only as the standardisation before the first layer (or Add as a MatMul\'s bias)');
    if (n.input.length !== 2) throw this.nodeFail(i, `${n.input.length} inputs; expected 2`);
    if (at !== 0 && (n.opType === 'Sub' || n.opType === 'Div')) throw this.nodeFail(i, `takes the chain's value as input ${at}: c ${n.opType === 'Sub' ? '-' : '/'} x is not a standardisation`);
    const C = this.constantInput(n, i, 1 - at);
    const values = floatValues(C, `constant "${C.name}"`, (w) => this.nodeFail(i, w));
    const known = sizeOf(this.dims) !== null;
    const c = values.length === 1 ? values[0] : known ? broadcast(values, C.dims, this.dims as number[]) : null;
    if (c === null) throw this.nodeFail(i, `constant "${C.name}" [${C.dims}] does not broadcast over one example of (${this.dims.map((d) => d ?? '?').join(', ')})`);
    // (x - m) / s  op  c, as (x - m') / s': Sub m' = m + c s; Add m' = m - c s; Div s' = s c; Mul s' = s / c
    const per = (v: Float32Array | number, k: number) => (typeof v === 'number' ? v : v[k]);
    const n0 = typeof c === 'number' && typeof this.mean === 'number' && typeof this.std === 'number' ? 1 : sizeOf(this.dims)!;
    const mean = new Float64Array(n0);
    const std = new Float64Array(n0);
    for (let k = 0; k < n0; k++) {
      const [m, s, ck] = [per(this.mean, k), per(this.std, k), per(c, k)];
      mean[k] = n.opType === 'Sub' ? m + ck * s : n.opType === 'Add' ? m - ck * s : m;
      std[k] = n.opType === 'Div' ? s * ck : n.opType === 'Mul' ? s / ck : s;
      if (!(std[k] > 0 && std[k] < Infinity && Number.isFinite(mean[k]))) throw this.nodeFail(i, `makes input ${k}'s scale ${1 / std[k]}: a standardisation divides by a positive, finite number`);
    }
    [this.mean, this.std] = n0 === 1 && typeof c === 'number' ? [mean[0], std[0]] : [Float32Array.from(mean), Float32Array.from(std)];
  }

  /** Flatten (axis 1) or Reshape to (N, features) before the first layer. */
  private flatten(n: OnnxNode, i: number): void {
    if (this.layers.length) throw this.nodeFail(i, 'between layers; expected it only at the input');
    const size = sizeOf(this.dims);
    if (n.opType === 'Flatten') {
      const axis = this.attribute(n, i, 'axis', ATTRIBUTE_INT, 1);
      if (axis !== 1) throw this.nodeFail(i, `axis ${axis}; expected 1: (N, ...) to (N, features)`);
    } else {
      if (n.input.length !== 2) throw this.nodeFail(i, `${n.input.length} inputs; expected 2`);
      const S = this.constantInput(n, i, 1);
      const shape = intValues(S, `shape "${S.name}"`, (w) => this.nodeFail(i, w));
      const zero = this.attribute(n, i, 'allowzero', ATTRIBUTE_INT, 0);
      const ok = shape.length === 2 && (shape[0] === -1 || (shape[0] === 0 && !zero)) && (shape[1] === -1 ? shape[0] !== -1 : shape[1] >= 1 && (size === null || shape[1] === size));
      if (!ok) throw this.nodeFail(i, `shape [${shape}]; expected (N, features): [-1, ${size ?? 'features'}], [0, -1] or [0, ${size ?? 'features'}]`);
      if (shape[1] !== -1) return void (this.dims = [shape[1]]);
    }
    this.dims = [size];
  }

  private finish(metadata: OnnxModel['metadata']): ModelData {
    const outputs = this.graph.output;
    if (outputs.length !== 1 || outputs[0].name !== this.value) {
      throw this.fail(`the chain ends at "${this.value}", but the graph's outputs are ${outputs.map((v) => `"${v.name}"`).join(', ') || 'none'}: expected that one alone`);
    }
    const { layers } = this;
    if (!layers.length) throw this.fail('no Gemm or MatMul layer');
    layers.slice(0, -1).forEach((l, k) => {
      if (!l.activation) throw this.nodeFail(layers[k + 1].node, `follows layer ${k + 1} (node ${l.node}) with no activation between them; wasm-mlp's hidden layers take Relu, Sigmoid or Tanh`);
    });
    const top = layers[layers.length - 1];
    if (top.activation && top.activation !== 'sigmoid') throw this.nodeFail(top.activationNode!, `ends the graph; wasm-mlp's outputs are Sigmoid, Softmax, LogSoftmax or the logits (none)`);
    const output: Output = top.activation ? 'sigmoid' : this.final?.op === 'Softmax' ? 'softmax' : this.final ? 'log-softmax' : 'identity';
    const declared = outputs[0].shape?.[1];
    if (typeof declared === 'number' && declared !== top.rows) throw this.fail(`output "${outputs[0].name}" declares ${declared} classes, the last layer has ${top.rows}`);
    const sizes = [layers[0].cols, ...layers.map((l) => l.rows)];
    const parameters = new Float32Array(layerShapes(sizes).reduce((t, s) => t + s.rows * s.cols + s.rows, 0));
    layerShapes(sizes).forEach((s, k) => {
      parameters.set(layers[k].W, s.wOffset);
      parameters.set(layers[k].b, s.bOffset);
    });
    const bad = parameters.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw this.fail(`parameter ${bad} is ${parameters[bad]}; expected finite weights and biases`);
    const model: ModelData = {
      sizes,
      activations: layers.slice(0, -1).map((l) => l.activation!),
      cost: output === 'sigmoid' ? 'cross-entropy' : 'log-likelihood',
      output,
      hyperparameters: { eta: NaN, batchSize: 0, epochs: 0, seed: 0 },
      parameters,
    };
    const standardize = this.standardization(sizes[0]);
    if (standardize) model.standardize = standardize;
    return withMetadata(model, metadata, (w) => this.fail(w));
  }

  /** The standardisation as one mean and std per input, or undefined when it is the identity. */
  private standardization(inputs: number): ModelData['standardize'] {
    if (this.mean === 0 && this.std === 1) return undefined;
    const spread = (v: Float32Array | number) => (typeof v === 'number' ? new Float32Array(inputs).fill(v) : v);
    return { mean: spread(this.mean), std: spread(this.std) };
  }
}

/** (rows, cols) row-major of `values`, which is (cols, rows) row-major. */
function transpose(values: Float32Array, cols: number, rows: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = values[c * rows + r];
  return out;
}

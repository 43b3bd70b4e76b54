// Import from safetensors: a PyTorch state dict of a stack of nn.Linear layers (an nn.Sequential's
// "0.weight" (out, in), "0.bias", "2.weight", ...) as model data, the layer sizes from the tensors'
// shapes and the activations named by the caller (a state dict holds no activations). The file is
// untrusted: its header length, JSON, dtypes, shapes and offsets are checked before any tensor is
// read. Not for: other layers (convolutions, norms) or writing safetensors.
import { COSTS, OUTPUTS, type Activation, type Cost, type Output } from '../core/costs.js';
import { InvalidArgumentError, SafetensorsFormatError } from '../core/errors.js';
import { hiddenActivations, oneOf } from '../core/options.js';
import { layerShapes, parameterCount } from '../core/shapes.js';
import { bfloat16ToFloat, halfToFloat } from './floats.js';
import type { ModelData } from './model-data.js';

export interface SafetensorsOptions {
  /** The hidden layers' activation: one name for all, or one per hidden layer. */
  activation: Activation | readonly Activation[];
  /** What the model's last layer returns (default 'identity': logits, as PyTorch classifiers trained with CrossEntropyLoss end). */
  output?: Output;
  /** Default: log-likelihood (softmax - y), or cross-entropy with a sigmoid output. */
  cost?: Cost;
  /** Labels errors (a path, say). */
  name?: string;
}

const DTYPES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };
/** The safetensors format caps its JSON header at 100 MB. */
const MAX_HEADER = 100_000_000;

interface Entry {
  dtype: string;
  shape: number[];
  start: number;
  end: number;
}

/** The model in a safetensors state dict of linear layers. */
export function readSafetensors(bytes: Uint8Array, options: SafetensorsOptions): ModelData {
  const name = options.name ?? 'model.safetensors';
  const fail = (what: string) => new SafetensorsFormatError(`${name}: ${what}`);
  const { entries, data } = readHeader(bytes, fail);
  const layers = linearLayers(entries, fail);
  const sizes = [layers[0].weight.shape[1], ...layers.map((l) => l.weight.shape[0])];
  const shapes = layerShapes(sizes);
  const parameters = new Float32Array(parameterCount(sizes));
  layers.forEach((l, k) => {
    parameters.set(values(data, l.weight), shapes[k].wOffset);
    if (l.bias) parameters.set(values(data, l.bias), shapes[k].bOffset);
  });
  const bad = parameters.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw fail(`parameter ${bad} is ${parameters[bad]}; expected finite weights and biases`);
  let activations: Activation[];
  try {
    activations = hiddenActivations(options.activation, sizes.length - 2);
  } catch (e) {
    throw new InvalidArgumentError(`${name}: ${(e as Error).message} (its ${layers.length} linear layers: ${layers.map((l) => l.key).join(', ')})`);
  }
  const output = oneOf('output', options.output, OUTPUTS) ?? 'identity';
  const cost = oneOf('cost', options.cost, COSTS) ?? (output === 'sigmoid' ? 'cross-entropy' : 'log-likelihood');
  return { sizes, activations, output, cost, hyperparameters: { eta: NaN, batchSize: 0, epochs: 0, seed: 0 }, parameters };
}

/** u64 header length N | N bytes of JSON { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__? } | the data. */
function readHeader(bytes: Uint8Array, fail: (what: string) => Error): { entries: Map<string, Entry>; data: Uint8Array } {
  if (bytes.length < 8) throw fail(`${bytes.length} bytes is too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > Math.min(MAX_HEADER, bytes.length - 8)) throw fail(`a header of ${n} bytes, the file has ${bytes.length - 8} after its length`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw fail('its header is not UTF-8 JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw fail('its header is not a JSON object');
  const data = bytes.subarray(8 + n);
  const entries = new Map<string, Entry>();
  for (const [key, value] of Object.entries(json)) {
    if (key === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = (value ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in DTYPES)) throw fail(`tensor "${key}" has dtype ${JSON.stringify(dtype)}; expected F32, F64, F16 or BF16`);
    const ints = (a: unknown) => Array.isArray(a) && a.every((v) => Number.isSafeInteger(v) && v >= 0);
    if (!ints(shape) || !ints(offsets) || (offsets as number[]).length !== 2) throw fail(`tensor "${key}" needs a shape and data_offsets [begin, end] of integers >= 0`);
    const [start, end] = offsets as number[];
    if (start > end || end > data.length) throw fail(`tensor "${key}" spans bytes [${start}, ${end}) of data that has ${data.length}`);
    const count = (shape as number[]).reduce((a, d) => a * d, 1);
    if (count * DTYPES[dtype] !== end - start) throw fail(`tensor "${key}" of shape [${shape}] and dtype ${dtype} needs ${count * DTYPES[dtype]} bytes, its offsets give ${end - start}`);
    entries.set(key, { dtype, shape: shape as number[], start, end });
  }
  return { entries, data };
}

/** The state dict's linear layers in order: "<prefix><index>.weight" (out, in) and optional ".bias" (out), one prefix for all. */
function linearLayers(entries: Map<string, Entry>, fail: (what: string) => Error): { key: string; weight: Entry; bias?: Entry }[] {
  const layers = new Map<string, { key: string; index: number; prefix: string; weight?: Entry; bias?: Entry }>();
  for (const [key, entry] of entries) {
    const m = /^(.*?)(\d+)\.(weight|bias)$/.exec(key);
    if (!m) throw fail(`tensor "${key}" is not a linear layer's weight or bias ("0.weight", "0.bias", "2.weight", ... of an nn.Sequential)`);
    const layer = layers.get(m[1] + m[2]) ?? { key: m[1] + m[2], index: Number(m[2]), prefix: m[1] };
    layer[m[3] as 'weight' | 'bias'] = entry;
    layers.set(layer.key, layer);
  }
  const list = [...layers.values()].sort((a, b) => a.index - b.index);
  if (!list.length) throw fail('no tensors');
  if (list.some((l) => l.prefix !== list[0].prefix)) throw fail(`layers under different prefixes (${[...new Set(list.map((l) => l.prefix || '(none)'))].join(', ')}): expected one stack of linear layers`);
  let inputs = 0;
  return list.map((l) => {
    if (!l.weight || l.weight.shape.length !== 2) throw fail(`layer "${l.key}" needs a 2-dimensional weight (out, in)${l.weight ? `, has shape [${l.weight.shape}]` : ''}`);
    const [rows, cols] = l.weight.shape;
    if (rows < 1 || cols < 1 || rows > 1 << 24 || cols > 1 << 24) throw fail(`layer "${l.key}" has weight shape [${rows}, ${cols}]; expected 1 to ${1 << 24} each`);
    if (inputs && cols !== inputs) throw fail(`layer "${l.key}" takes ${cols} inputs, but the layer before gives ${inputs}`);
    if (l.bias && (l.bias.shape.length !== 1 || l.bias.shape[0] !== rows)) throw fail(`layer "${l.key}" has bias shape [${l.bias.shape}]; expected [${rows}]`);
    inputs = rows;
    return { key: l.key, weight: l.weight, bias: l.bias };
  });
}

/** A tensor's values as float32 (little-endian F32; F64, F16 and BF16 converted). */
function values(data: Uint8Array, e: Entry): Float32Array {
  const size = DTYPES[e.dtype];
  const n = (e.end - e.start) / size;
  const view = new DataView(data.buffer, data.byteOffset + e.start, e.end - e.start);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (e.dtype === 'F32') out[i] = view.getFloat32(4 * i, true);
    else if (e.dtype === 'F64') out[i] = view.getFloat64(8 * i, true);
    else out[i] = (e.dtype === 'F16' ? halfToFloat : bfloat16ToFloat)(view.getUint16(2 * i, true));
  }
  return out;
}

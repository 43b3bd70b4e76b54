// The versioned binary model file: header (magic, version, sizes, hyperparameters), the f32
// parameters, each hidden layer's activation and the output function (version 3), a CRC-32.
// Round-trips bit-exactly in Node and browsers. Not for: file I/O (node.ts).
import { crc32 } from './crc32.js';
import { ModelFormatError } from '../core/errors.js';
import { Network } from '../core/network.js';
import { parameterCount } from '../core/shapes.js';
import type { KernelVariant } from '../core/kernels.js';
import { ACTIVATIONS, COSTS, OUTPUTS, costOutput } from '../core/costs.js';
import { extrasJson, readExtras, type ModelData, type ModelExtras, type ModelHyperparameters } from './model-data.js';

export type { ModelData, ModelExtras, ModelHyperparameters, ImageRule } from './model-data.js';

/** The first four bytes of every model file. */
export const MODEL_MAGIC = 'WMLP';
/**
 * Version 1: the network alone (one hidden activation, the cost's output function); version 2 adds
 * class names and feature standardisation; version 3 an activation per hidden layer and the output
 * function. Each model is written in the lowest version that holds it.
 */
export const MODEL_VERSION = 3;
export const MAX_LAYERS = 1024;

// Layout (little-endian): "WMLP" | u16 version | u16 0 | u32 L | u32 sizes[L] | u8 activation (of
// every hidden layer; version 3: 0) | u8 cost | u8 output (version 3; else 0) | u8 0 | f64 eta |
// u32 batchSize | u32 epochs | u32 seed | u32 P | f32 parameters[P] | (version 3: u8 activations[L -
// 2], zeros to a multiple of 4) | (versions 2, 3: u32 E | E bytes of UTF-8 JSON { classNames?,
// standardize?: { mean, std }, image? }) | u32 crc32 of all before.
export function headerBytes(layers: number): number {
  return 40 + 4 * layers;
}

/** The model file bytes of `net` (or of plain model data), with `extras` (or the model data's own). */
export function encodeModel(net: Network | ModelData, hyperparameters: Partial<ModelHyperparameters> = {}, extras: ModelExtras = {}): Uint8Array {
  const sizes = [...net.sizes];
  const parameters = net instanceof Network ? net.getParameters() : net.parameters;
  const { activations, cost, output } = net;
  const v3 = activations.some((a) => a !== activations[0]) || output !== costOutput(cost);
  const listed = v3 ? listBytes(sizes.length) : 0;
  const hp = { eta: NaN, batchSize: 0, epochs: 0, seed: 0, ...(net instanceof Network ? {} : net.hyperparameters), ...hyperparameters };
  const more = extrasJson({ ...(net instanceof Network ? {} : { classNames: net.classNames, standardize: net.standardize, image: net.image }), ...extras });
  const head = headerBytes(sizes.length);
  const json = more && new TextEncoder().encode(more);
  const E = json?.length ?? (v3 ? 0 : -4);
  const bytes = new Uint8Array(head + 4 * parameters.length + listed + 4 + E + 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = MODEL_MAGIC.charCodeAt(i);
  view.setUint16(4, v3 ? 3 : more ? 2 : 1, true);
  view.setUint32(8, sizes.length, true);
  sizes.forEach((n, i) => view.setUint32(12 + 4 * i, n, true));
  let at = 12 + 4 * sizes.length;
  view.setUint8(at, v3 ? 0 : Math.max(0, ACTIVATIONS.indexOf(activations[0])));
  view.setUint8(at + 1, COSTS.indexOf(cost));
  view.setUint8(at + 2, v3 ? OUTPUTS.indexOf(output) : 0);
  view.setFloat64(at + 4, hp.eta, true);
  view.setUint32(at + 12, hp.batchSize >>> 0, true);
  view.setUint32(at + 16, hp.epochs >>> 0, true);
  view.setUint32(at + 20, hp.seed >>> 0, true);
  view.setUint32(at + 24, parameters.length, true);
  at = head;
  for (let i = 0; i < parameters.length; i++, at += 4) view.setFloat32(at, parameters[i], true);
  if (v3) activations.forEach((a, i) => (bytes[at + i] = ACTIVATIONS.indexOf(a)));
  at += listed;
  if (E >= 0) {
    view.setUint32(at, E, true);
    if (json) bytes.set(json, at + 4);
    at += 4 + E;
  }
  view.setUint32(at, crc32(bytes.subarray(0, at)), true);
  return bytes;
}

/** Bytes of version 3's activation list for `layers` sizes: one per hidden layer, padded to a multiple of 4. */
function listBytes(layers: number): number {
  return (layers + 1) & ~3; // 4 ceil((layers - 2) / 4)
}

/** The length of the model at the start of `bytes` (its header and, versions 2 and 3, its extras' length field), or -1 if it cannot tell. */
export function modelLength(bytes: Uint8Array): number {
  if (bytes.length < 12) return -1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [version, layers] = [view.getUint16(4, true), view.getUint32(8, true)];
  if (layers < 2 || layers > MAX_LAYERS || bytes.length < headerBytes(layers)) return -1;
  const end = headerBytes(layers) + 4 * view.getUint32(12 + 4 * layers + 24, true) + (version === 3 ? listBytes(layers) : 0);
  if (version !== 2 && version !== 3) return end + 4;
  return end + 4 <= bytes.length ? end + 4 + view.getUint32(end, true) + 4 : -1;
}

/** Reads and checks model file bytes; `name` labels errors (a path, say). */
export function decodeModel(bytes: Uint8Array, name = 'model'): ModelData {
  const fail = (what: string) => new ModelFormatError(`${name}: ${what}`);
  if (bytes.length < 12) throw fail(`${bytes.length} bytes is too short for a model header`);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== MODEL_MAGIC) throw fail(`not a wasm-mlp model: magic is ${JSON.stringify(magic)}, expected "${MODEL_MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version < 1 || version > 3) throw fail(`unknown version ${version}; this wasm-mlp reads versions 1 to ${MODEL_VERSION}`);
  const layers = view.getUint32(8, true);
  if (layers < 2 || layers > MAX_LAYERS) throw fail(`header declares ${layers} layers; expected 2 to ${MAX_LAYERS}`);
  const head = headerBytes(layers);
  if (bytes.length < head + 4) throw fail(`truncated: ${bytes.length} bytes, the header alone needs ${head + 4}`);
  const sizes: number[] = [];
  for (let i = 0; i < layers; i++) {
    const n = view.getUint32(12 + 4 * i, true);
    if (n < 1 || n > 1 << 24) throw fail(`layer ${i} has width ${n}; expected 1 to ${1 << 24}`);
    sizes.push(n);
  }
  const at = 12 + 4 * layers;
  const code = <T>(what: string, names: readonly T[], c: number): T => {
    if (c >= names.length) throw fail(`unknown ${what} code ${c}; expected 0 to ${names.length - 1} (${names.join(', ')})`);
    return names[c];
  };
  const cost = code('cost', COSTS, view.getUint8(at + 1));
  const output = version === 3 ? code('output', OUTPUTS, view.getUint8(at + 2)) : costOutput(cost);
  const count = view.getUint32(at + 24, true);
  const expected = parameterCount(sizes);
  if (count !== expected) throw fail(`declares ${count} parameters, but sizes [${sizes}] have ${expected}`);
  const listed = version === 3 ? listBytes(layers) : 0;
  let total = head + 4 * count + listed + 4;
  if (bytes.length < total) throw fail(`truncated: ${bytes.length} bytes, expected at least ${total}`);
  const hidden = version === 3 ? null : code('activation', ACTIVATIONS, view.getUint8(at));
  const activations = sizes.slice(2).map((_, i) => hidden ?? code('activation', ACTIVATIONS, bytes[head + 4 * count + i]));
  if (version >= 2) {
    if (bytes.length < total + 4) throw fail(`truncated: ${bytes.length} bytes, expected at least ${total + 4}`);
    const E = view.getUint32(total - 4, true);
    if (E > bytes.length) throw fail(`declares ${E} bytes of class names and standardisation, the file has ${bytes.length}`);
    total += 4 + E;
  }
  if (bytes.length !== total) {
    throw fail(bytes.length < total ? `truncated: ${bytes.length} bytes, expected ${total}` : `${bytes.length - total} unexpected bytes after the checksum`);
  }
  const stored = view.getUint32(total - 4, true);
  const actual = crc32(bytes.subarray(0, total - 4));
  if (stored !== actual) throw fail(`checksum mismatch (stored ${hex32(stored)}, computed ${hex32(actual)}): the file is corrupt`);
  const parameters = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v = view.getFloat32(head + 4 * i, true);
    if (!Number.isFinite(v)) throw fail(`parameter ${i} is ${v}; expected a finite number`);
    parameters[i] = v;
  }
  const extras = total > head + 4 * count + listed + 8 ? readExtras(parseJson(bytes.subarray(head + 4 * count + listed + 4, total - 4)), sizes, fail) : {};
  return {
    ...extras,
    sizes,
    activations,
    cost,
    output,
    hyperparameters: {
      eta: view.getFloat64(at + 4, true),
      batchSize: view.getUint32(at + 12, true),
      epochs: view.getUint32(at + 16, true),
      seed: view.getUint32(at + 20, true),
    },
    parameters,
  };
}

/** A network with the sizes and parameters of a model file (`threads`: for training it further). */
export async function loadModel(bytes: Uint8Array, options: { name?: string; kernels?: KernelVariant; threads?: number } = {}): Promise<Network> {
  return networkFromModel(decodeModel(bytes, options.name), options);
}

/** A network with the sizes, activations, cost, output function and parameters of decoded model data. */
export async function networkFromModel(model: ModelData, options: { kernels?: KernelVariant; threads?: number } = {}): Promise<Network> {
  const net = await Network.create({ sizes: model.sizes, kernels: options.kernels, threads: options.threads, activation: model.activations, cost: model.cost, output: model.output });
  net.setParameters(model.parameters);
  return net;
}

/** The version 2 section's JSON value, or undefined when it is not UTF-8 JSON. */
function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

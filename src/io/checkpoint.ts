// Checkpoints: a model file, then (for momentum and Adam) the optimizer's state, so a run killed
// and resumed ends with the same bits. A plain model file is a checkpoint without state. Not for:
// file I/O (node/files.ts).
import { ModelFormatError } from '../core/errors.js';
import type { Network } from '../core/network.js';
import { OPTIMIZERS, optimizerCode, type OptimizerState } from '../core/optimizer.js';
import { crc32 } from './crc32.js';
import { decodeModel, encodeModel, modelLength, type ModelData, type ModelExtras, type ModelHyperparameters } from './model.js';

// After the model: "WMLS" | u8 optimizer code (1 momentum, 2 adam) | u8 buffers k | u16 0 | u32 t |
// u32 P | f32 [k][P] | u32 crc32 of the section
const STATE_MAGIC = 'WMLS';

/** A checkpoint: the model file of `net`, followed by its optimizer state if it has one. */
export function encodeCheckpoint(net: Network, hyperparameters: Partial<ModelHyperparameters>, extras: ModelExtras = {}): Uint8Array {
  const model = encodeModel(net, hyperparameters, extras);
  const state = net.getOptimizerState();
  if (!state) return model;
  const P = net.parameterCount;
  const section = new Uint8Array(16 + 4 * P * state.buffers.length + 4);
  const view = new DataView(section.buffer);
  for (let i = 0; i < 4; i++) section[i] = STATE_MAGIC.charCodeAt(i);
  view.setUint8(4, optimizerCode(state.kind));
  view.setUint8(5, state.buffers.length);
  view.setUint32(8, state.t, true);
  view.setUint32(12, P, true);
  let at = 16;
  for (const b of state.buffers) for (let i = 0; i < P; i++, at += 4) view.setFloat32(at, b[i], true);
  view.setUint32(at, crc32(section.subarray(0, at)), true);
  const out = new Uint8Array(model.length + section.length);
  out.set(model);
  out.set(section, model.length);
  return out;
}

/** A checkpoint's model and, if it has one, optimizer state. A plain model file is a checkpoint without state. */
export function decodeCheckpoint(bytes: Uint8Array, name = 'checkpoint'): { model: ModelData; state: OptimizerState | null } {
  const fail = (what: string) => new ModelFormatError(`${name}: ${what}`);
  const modelEnd = modelLength(bytes);
  if (modelEnd > 0 && bytes.length > modelEnd && bytes.length - modelEnd >= 20) {
    const model = decodeModel(bytes.subarray(0, modelEnd), name);
    return { model, state: decodeState(bytes.subarray(modelEnd), model, fail) };
  }
  return { model: decodeModel(bytes, name), state: null };
}

function decodeState(section: Uint8Array, model: ModelData, fail: (what: string) => ModelFormatError): OptimizerState {
  const view = new DataView(section.buffer, section.byteOffset, section.byteLength);
  const magic = String.fromCharCode(...section.subarray(0, 4));
  if (magic !== STATE_MAGIC) throw fail(`unexpected bytes after the model (magic ${JSON.stringify(magic)}), expected an optimizer state "${STATE_MAGIC}"`);
  const kind = OPTIMIZERS[view.getUint8(4)];
  const k = view.getUint8(5);
  const P = view.getUint32(12, true);
  if (!kind || kind === 'sgd' || k !== (kind === 'adam' ? 2 : 1)) throw fail(`optimizer state: unknown optimizer code ${view.getUint8(4)} with ${k} buffers`);
  if (P !== model.parameters.length) throw fail(`optimizer state for ${P} parameters, the model has ${model.parameters.length}`);
  const end = 16 + 4 * P * k;
  if (section.length !== end + 4) throw fail(`optimizer state: ${section.length} bytes, expected ${end + 4}`);
  if (view.getUint32(end, true) !== crc32(section.subarray(0, end))) throw fail('optimizer state: checksum mismatch: the file is corrupt');
  const buffers = Array.from({ length: k }, (_, b) => {
    const out = new Float32Array(P);
    for (let i = 0; i < P; i++) out[i] = view.getFloat32(16 + 4 * (b * P + i), true);
    return out;
  });
  return { kind, t: view.getUint32(8, true), buffers };
}

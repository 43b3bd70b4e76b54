// What wasm-mlp keeps in an ONNX model's metadata (metadata_props, key "wasm-mlp"): what the graph
// does not say (the cost, the training settings, class names, the image rule), as JSON, so that an
// exported model imports as the same model. Not for: the graph (onnx.ts, onnx-import.ts).
import { COSTS, type Cost } from '../core/costs.js';
import { extrasJson, readExtras, type ModelData, type ModelHyperparameters } from './model-data.js';

/** The metadata key of wasm-mlp's entry. */
export const ONNX_METADATA_KEY = 'wasm-mlp';

/** The entry for `model`: { cost, hyperparameters (eta null when not recorded), classNames?, image? }. */
export function metadataOf(model: ModelData): { key: string; value: string } {
  const { eta, batchSize, epochs, seed } = model.hyperparameters;
  const extras = JSON.parse(extrasJson({ classNames: model.classNames, image: model.image }) ?? '{}') as object;
  return { key: ONNX_METADATA_KEY, value: JSON.stringify({ cost: model.cost, hyperparameters: { eta: Number.isFinite(eta) ? eta : null, batchSize, epochs, seed }, ...extras }) };
}

/** `model` with what wasm-mlp's entry in `metadata` says, checked; unchanged without one. */
export function withMetadata(model: ModelData, metadata: { key: string; value: string }[], fail: (what: string) => Error): ModelData {
  const entry = metadata.find((e) => e.key === ONNX_METADATA_KEY);
  if (!entry) return model;
  const bad = (what: string) => fail(`metadata "${ONNX_METADATA_KEY}": ${what}`);
  let json: { cost?: unknown; hyperparameters?: Record<string, unknown> | null };
  try {
    json = JSON.parse(entry.value);
  } catch {
    throw bad('not JSON');
  }
  const { standardize: _, ...extras } = readExtras(json, model.sizes, bad); // the graph has the standardisation
  const cost = json.cost ?? model.cost;
  if (!COSTS.includes(cost as Cost)) throw bad(`unknown cost ${JSON.stringify(cost)}`);
  const h = json.hyperparameters ?? {};
  const number = (key: keyof ModelHyperparameters) => {
    const v = h[key] ?? (key === 'eta' ? null : 0);
    if (key === 'eta' && v === null) return NaN;
    const ok = typeof v === 'number' && (key === 'eta' ? Number.isFinite(v) : Number.isInteger(v) && v >= 0 && v <= 0xffffffff);
    if (!ok) throw bad(`${key} ${JSON.stringify(v)}`);
    return v as number;
  };
  return { ...model, ...extras, cost: cost as Cost, hyperparameters: { eta: number('eta'), batchSize: number('batchSize'), epochs: number('epochs'), seed: number('seed') } };
}

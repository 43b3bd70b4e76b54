// What a model is, apart from any file format: its sizes, activations, cost, output function and
// parameters (ModelData), what a model carries besides the network (class names, a feature
// standardisation, an image rule) and their checks when read as JSON. Shared by the model file and
// the ONNX reader. Not for: bytes of a format (model.ts, onnx-import.ts) or networks.
import type { Activation, Cost, Output } from '../core/costs.js';
import type { Standardization } from '../data/features.js';

/** How the model was trained; fields that were not recorded are NaN or 0. */
export interface ModelHyperparameters {
  eta: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

export interface ModelData {
  sizes: number[];
  /** Each hidden layer's activation, layer l's at l - 1 (codes 0 sigmoid, 1 tanh, 2 relu). */
  activations: Activation[];
  /** Cost, which also fixes the output function training uses (code 0 quadratic, 1 cross-entropy, 2 log-likelihood). */
  cost: Cost;
  /** What forward() returns (codes 0 sigmoid, 1 softmax, 2 log-softmax, 3 identity); before version 3, the cost's. */
  output: Output;
  hyperparameters: ModelHyperparameters;
  /** All parameters in the layout W1, b1, W2, b2, ... */
  parameters: Float32Array;
  /** What the model adds to the network (version 2): the classes' names, and the features' standardisation its inputs get first. */
  classNames?: readonly string[];
  standardize?: Standardization | null;
  image?: ImageRule;
}

/** How a model trained on image folders reads an image file: resized to rows x cols, grey (1 channel) or colour (3), inverted or not. */
export interface ImageRule {
  rows: number;
  cols: number;
  channels: 1 | 3;
  invert: boolean;
}

/** What a model file can carry besides the network. */
export interface ModelExtras {
  classNames?: readonly string[];
  standardize?: Standardization | null;
  image?: ImageRule;
}

/** The extras as JSON text, or null when there is nothing to add. */
export function extrasJson(e: ModelExtras): string | null {
  const json: Record<string, unknown> = {};
  if (e.classNames) json.classNames = [...e.classNames];
  if (e.standardize) json.standardize = { mean: Array.from(e.standardize.mean), std: Array.from(e.standardize.std) };
  if (e.image) json.image = { rows: e.image.rows, cols: e.image.cols, channels: e.image.channels, invert: e.image.invert };
  return Object.keys(json).length ? JSON.stringify(json) : null;
}

/**
 * The extras of a parsed JSON object, checked against the network's `sizes`: class names (one per
 * output at most), a standardisation (one mean and positive std per input) and an image rule
 * (making the inputs); `fail` makes the error.
 */
export function readExtras(value: unknown, sizes: readonly number[], fail: (what: string) => Error): ModelExtras {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('its class names and standardisation are not valid UTF-8 JSON');
  const json = value as { classNames?: unknown; standardize?: { mean?: unknown; std?: unknown } | null; image?: { rows?: unknown; cols?: unknown; channels?: unknown; invert?: unknown } | null };
  const out: ModelExtras = {};
  if (json.classNames !== undefined) {
    const names = json.classNames;
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string') || names.length > sizes[sizes.length - 1]) throw fail(`class names must be at most ${sizes[sizes.length - 1]} strings`);
    out.classNames = names as string[];
  }
  if (json.standardize !== undefined) {
    const { mean, std } = json.standardize ?? {};
    const ok = (a: unknown, positive: boolean) => Array.isArray(a) && a.length === sizes[0] && a.every((v) => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0));
    if (!ok(mean, false) || !ok(std, true)) throw fail(`the standardisation must have ${sizes[0]} finite means and positive standard deviations`);
    out.standardize = { mean: Float32Array.from(mean as number[]), std: Float32Array.from(std as number[]) };
  }
  if (json.image !== undefined) {
    const { rows, cols, channels, invert } = json.image ?? {};
    const int = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
    if (!int(rows) || !int(cols) || (channels !== 1 && channels !== 3) || typeof invert !== 'boolean' || (channels as number) * (rows as number) * (cols as number) !== sizes[0]) {
      throw fail(`its image rule must be rows, cols and channels (1 or 3) making its ${sizes[0]} inputs, and invert`);
    }
    out.image = { rows: rows as number, cols: cols as number, channels, invert };
  }
  return out;
}

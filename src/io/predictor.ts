// Predictions from a saved model in plain JavaScript, for pages and scripts that only infer
// (`wasm-mlp/infer`): a wasm-mlp model file or an ONNX MLP, its layers run in f64 over f32
// weights, no kernels, no memory plan, no training. Not for: training or big batches (Network).
import type { Activation, Output } from '../core/costs.js';
import { layerShapes } from '../core/shapes.js';
import { isPixelStandardization, standardize } from '../data/features.js';
import { MODEL_MAGIC, decodeModel } from './model.js';
import type { ModelData } from './model-data.js';

/** What a model predicts, read from its bytes. */
export class Predictor {
  readonly sizes: readonly number[];
  /** The classes' names, when the model has them. */
  readonly classNames?: readonly string[];

  constructor(readonly model: ModelData) {
    this.sizes = model.sizes;
    this.classNames = model.classNames;
  }

  /**
   * The model's outputs, (count, outputs), of x, (count, inputs): images as pixel / 255 in [0, 1],
   * features as the model was trained on them (its standardisation, if any, is applied here;
   * pixel data's / 255 is the image path's already).
   */
  forward(x: Float32Array): Float32Array {
    const { sizes, parameters, activations, output, standardize: s } = this.model;
    const [n0, K] = [sizes[0], sizes[sizes.length - 1]];
    if (x.length === 0 || x.length % n0) throw new RangeError(`input has ${x.length} values, expected a positive multiple of the ${n0} inputs`);
    const count = x.length / n0;
    const own = s && !isPixelStandardization(s) ? s : null;
    const out = new Float32Array(count * K);
    const shapes = layerShapes(sizes);
    for (let n = 0; n < count; n++) {
      const xn = x.subarray(n * n0, (n + 1) * n0);
      let a = Array.from(own ? standardize(xn, own) : xn);
      shapes.forEach((l, i) => {
        const z = new Array<number>(l.rows);
        for (let j = 0; j < l.rows; j++) {
          let sum = parameters[l.bOffset + j];
          for (let c = 0, w = l.wOffset + j * l.cols; c < l.cols; c++) sum += parameters[w + c] * a[c];
          z[j] = sum;
        }
        a = i < shapes.length - 1 ? z.map(ACTIVATE[activations[i]]) : finish(z, output);
      });
      out.set(a, n * K);
    }
    return out;
  }

  /** The predicted class (the largest output) of each example of x, as forward takes it. */
  predict(x: Float32Array): Uint8Array {
    const o = this.forward(x);
    const K = this.sizes[this.sizes.length - 1];
    return Uint8Array.from({ length: o.length / K }, (_, n) => {
      let best = 0;
      for (let j = 1; j < K; j++) if (o[n * K + j] > o[n * K + best]) best = j;
      return best;
    });
  }
}

const ACTIVATE: Record<Activation, (z: number) => number> = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
  relu: (z) => (z > 0 ? z : 0),
};

/** The output function of one example's z. */
function finish(z: number[], output: Output): number[] {
  if (output === 'identity') return z;
  if (output === 'sigmoid') return z.map(ACTIVATE.sigmoid);
  const max = Math.max(...z);
  const log = max + Math.log(z.reduce((t, v) => t + Math.exp(v - max), 0));
  return z.map((v) => (output === 'softmax' ? Math.exp(v - log) : v - log));
}

/** A Predictor of model bytes: a wasm-mlp model file (it starts "WMLP") or an ONNX MLP (its reader is loaded only then). */
export async function loadPredictor(bytes: Uint8Array, name?: string): Promise<Predictor> {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  return new Predictor(magic === MODEL_MAGIC ? decodeModel(bytes, name) : (await import('./onnx-import.js')).importOnnx(bytes, name));
}

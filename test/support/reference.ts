// A plain float64 TypeScript implementation of the lecture's math, written for clarity, one
// example at a time (as Nielsen's network.py). The oracle for tests and the baseline for
// benchmarks; not used by the product path.
import type { Activation, Cost, Output } from '../../src/core/costs.js';
import { layerShapes, parameterCount } from '../../src/core/shapes.js';

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function sigmoidPrime(z: number): number {
  const s = sigmoid(z);
  return s * (1 - s);
}

const ACT: Record<Activation, { f(z: number): number; prime(z: number): number }> = {
  sigmoid: { f: sigmoid, prime: sigmoidPrime },
  tanh: { f: Math.tanh, prime: (z) => 1 - Math.tanh(z) ** 2 },
  relu: { f: (z) => Math.max(0, z), prime: (z) => (z > 0 ? 1 : 0) },
};

/** Dropout of one example: the multiplier (0, or 1 / (1 - p) where kept) of unit j of hidden layer l. */
export type DropoutMask = (l: number, j: number) => number;
const KEEP_ALL: DropoutMask = () => 1;

export class ReferenceNetwork {
  readonly sizes: number[];
  /** Each hidden layer's activation (layer l's at l - 1). */
  readonly activations: Activation[];
  readonly cost: Cost;
  /** W[l-1] is W^l, (sizes[l], sizes[l-1]) row-major; b[l-1] is b^l. */
  readonly W: Float64Array[];
  readonly b: Float64Array[];

  /** A network with the given flat parameters (layout W1, b1, W2, b2, ... as Network uses). */
  constructor(sizes: readonly number[], parameters: ArrayLike<number>, options: { activation?: Activation | readonly Activation[]; cost?: Cost } = {}) {
    if (parameters.length !== parameterCount(sizes)) throw new Error('reference: parameter count mismatch');
    this.sizes = [...sizes];
    const a = options.activation ?? 'sigmoid';
    this.activations = typeof a === 'string' ? sizes.slice(2).map(() => a) : [...a];
    this.cost = options.cost ?? 'quadratic';
    const shapes = layerShapes(sizes);
    const p = Float64Array.from(parameters);
    this.W = shapes.map((s) => p.slice(s.wOffset, s.wOffset + s.rows * s.cols));
    this.b = shapes.map((s) => p.slice(s.bOffset, s.bOffset + s.rows));
  }

  /** The flat parameters, in Network's layout. */
  parameters(): Float64Array {
    const out = new Float64Array(parameterCount(this.sizes));
    layerShapes(this.sizes).forEach((s, i) => {
      out.set(this.W[i], s.wOffset);
      out.set(this.b[i], s.bOffset);
    });
    return out;
  }

  /** z^l and a^l for l = 0..L of one input x (zs[0] is unused, as[0] = x); hidden a^l = f(z^l) * mask(l, j). */
  feedforward(x: ArrayLike<number>, mask: DropoutMask = KEEP_ALL): { zs: Float64Array[]; as: Float64Array[] } {
    const zs = [new Float64Array(0)];
    const as = [Float64Array.from(x)];
    for (let l = 1; l < this.sizes.length; l++) {
      const rows = this.sizes[l];
      const cols = this.sizes[l - 1];
      const W = this.W[l - 1];
      const z = new Float64Array(rows);
      for (let j = 0; j < rows; j++) {
        let s = this.b[l - 1][j];
        for (let k = 0; k < cols; k++) s += W[j * cols + k] * as[l - 1][k];
        z[j] = s;
      }
      zs.push(z);
      if (l < this.sizes.length - 1) as.push(z.map((v, j) => ACT[this.activations[l - 1]].f(v) * mask(l, j)));
      else if (this.cost === 'log-likelihood') {
        const max = Math.max(...z);
        const e = z.map((v) => Math.exp(v - max));
        const sum = e.reduce((a, b) => a + b, 0);
        as.push(e.map((v) => v / sum));
      } else as.push(z.map(sigmoid));
    }
    return { zs, as };
  }

  /** What forward() returns for x: the output function `output` of z^L (default: the cost's). */
  output(x: ArrayLike<number>, output?: Output): Float64Array {
    const { zs, as } = this.feedforward(x);
    const z = zs[zs.length - 1];
    if (output === 'identity') return z;
    if (output === 'sigmoid') return z.map(sigmoid);
    const max = Math.max(...z);
    const log = Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
    if (output === 'log-softmax') return z.map((v) => v - max - log);
    if (output === 'softmax') return z.map((v) => Math.exp(v - max - log));
    return as[as.length - 1];
  }

  /** The cost of one input with class `label`: quadratic sum_j (a_j - y_j)^2, cross-entropy or -ln a_label. */
  costOf(x: ArrayLike<number>, label: number, mask: DropoutMask = KEEP_ALL): number {
    const { as } = this.feedforward(x, mask);
    const a = as[as.length - 1];
    let c = 0;
    if (this.cost === 'log-likelihood') return -Math.log(a[label]);
    for (let j = 0; j < a.length; j++) {
      const y = j === label ? 1 : 0;
      c += this.cost === 'quadratic' ? (a[j] - y) ** 2 : -(y * Math.log(a[j]) + (1 - y) * Math.log(1 - a[j]));
    }
    return c;
  }

  /** dC/dW^l and dC/db^l of one example by the chain rule (index l-1 holds layer l). */
  backprop(x: ArrayLike<number>, label: number, mask: DropoutMask = KEEP_ALL): { nablaW: Float64Array[]; nablaB: Float64Array[] } {
    const { zs, as } = this.feedforward(x, mask);
    const L = this.sizes.length - 1;
    const nablaW = this.W.map((w) => new Float64Array(w.length));
    const nablaB = this.b.map((b) => new Float64Array(b.length));
    // delta^L = 2 (a^L - y) * sigma'(z^L) for the quadratic cost; a^L - y for cross-entropy (sigmoid) and log-likelihood (softmax)
    let delta = as[L].map((a, j) => (this.cost === 'quadratic' ? 2 * (a - (j === label ? 1 : 0)) * sigmoidPrime(zs[L][j]) : a - (j === label ? 1 : 0)));
    for (let l = L; l >= 1; l--) {
      const rows = this.sizes[l];
      const cols = this.sizes[l - 1];
      nablaB[l - 1].set(delta);
      for (let j = 0; j < rows; j++) for (let k = 0; k < cols; k++) nablaW[l - 1][j * cols + k] = delta[j] * as[l - 1][k];
      if (l > 1) {
        // delta^(l-1) = (W^l)^T delta^l * sigma'(z^(l-1))
        const W = this.W[l - 1];
        const prev = new Float64Array(cols);
        for (let k = 0; k < cols; k++) {
          let s = 0;
          for (let j = 0; j < rows; j++) s += W[j * cols + k] * delta[j];
          prev[k] = s * mask(l - 1, k) * ACT[this.activations[l - 2]].prime(zs[l - 1][k]);
        }
        delta = prev;
      }
    }
    return { nablaW, nablaB };
  }

  /** Gradients summed over a batch: xs is (m, sizes[0]). */
  batchGradients(xs: ArrayLike<number>, labels: ArrayLike<number>, masks?: (n: number) => DropoutMask): { nablaW: Float64Array[]; nablaB: Float64Array[] } {
    const n0 = this.sizes[0];
    const nablaW = this.W.map((w) => new Float64Array(w.length));
    const nablaB = this.b.map((b) => new Float64Array(b.length));
    for (let i = 0; i < labels.length; i++) {
      const g = this.backprop(Array.prototype.slice.call(xs, i * n0, (i + 1) * n0), labels[i], masks?.(i));
      g.nablaW.forEach((w, l) => w.forEach((v, k) => (nablaW[l][k] += v)));
      g.nablaB.forEach((b, l) => b.forEach((v, k) => (nablaB[l][k] += v)));
    }
    return { nablaW, nablaB };
  }

  /** One gradient-descent step: W -= (eta / m) sum of the batch's gradients (likewise b). */
  sgdStep(xs: ArrayLike<number>, labels: ArrayLike<number>, eta: number): void {
    const { nablaW, nablaB } = this.batchGradients(xs, labels);
    const scale = eta / labels.length;
    this.W.forEach((w, l) => w.forEach((_, k) => (w[k] -= scale * nablaW[l][k])));
    this.b.forEach((b, l) => b.forEach((_, k) => (b[k] -= scale * nablaB[l][k])));
  }
}

/** The optimizers and weight decays the optimizer suites run (wasm: test/optimizers.test.ts; WebGPU: test/browser/webgpu.test.ts). */
export const OPTIMIZER_CASES = [
  { optimizer: 'sgd' as const, weightDecay: 2 },
  { optimizer: 'momentum' as const, weightDecay: 0 },
  { optimizer: 'momentum' as const, weightDecay: 2 },
  { optimizer: 'adam' as const, weightDecay: 0 },
  { optimizer: 'adam' as const, weightDecay: 1 },
];

/** The activations and costs each of those runs with. */
export const OPTIMIZER_KINDS = [
  { activation: 'sigmoid' as const, cost: 'quadratic' as const },
  { activation: 'relu' as const, cost: 'log-likelihood' as const },
  { activation: 'tanh' as const, cost: 'cross-entropy' as const },
];

/** The settings of those runs: eta 0.01 for Adam and 0.5 for the others, momentum 0.8, beta2 0.99, epsilon 1e-6. */
export function optimizerCase(c: { optimizer: ReferenceOptimizer['optimizer']; weightDecay: number }): ReferenceOptimizer {
  return { ...c, eta: c.optimizer === 'adam' ? 0.01 : 0.5, momentum: 0.8, beta1: 0.9, beta2: 0.99, epsilon: 1e-6 };
}

/** The optimizer settings referenceSteps follows (TrainOptions' names). */
export interface ReferenceOptimizer {
  optimizer: 'sgd' | 'momentum' | 'adam';
  eta: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

/**
 * All parameters, flat, after `steps` full-batch steps from `start` on the examples xs (m, sizes[0])
 * with `labels`: the float64 gradients, L2 on the weights (lambda / m, the batch being the whole
 * training set), then SGD, momentum or Adam as plain float64 updates.
 */
export function referenceSteps(sizes: number[], kind: { activation: Activation; cost: Cost }, start: ArrayLike<number>, xs: ArrayLike<number>, labels: ArrayLike<number>, o: ReferenceOptimizer, steps: number): Float64Array {
  const count = labels.length;
  const ref = new ReferenceNetwork(sizes, start, kind);
  let p = ref.parameters();
  const isWeight = new Uint8Array(p.length);
  let off = 0;
  for (let l = 1; l < sizes.length; l++) {
    isWeight.fill(1, off, off + sizes[l] * sizes[l - 1]);
    off += sizes[l] * sizes[l - 1] + sizes[l];
  }
  const v = new Float64Array(p.length);
  const m2 = new Float64Array(p.length);
  for (let t = 1; t <= steps; t++) {
    const net = new ReferenceNetwork(sizes, p, kind);
    const g = net.batchGradients(xs, labels);
    const flat = new ReferenceNetwork(sizes, new Float64Array(p.length), kind);
    g.nablaW.forEach((w, l) => flat.W[l].set(w));
    g.nablaB.forEach((b, l) => flat.b[l].set(b));
    const grad = flat.parameters().map((x, i) => x / count + (isWeight[i] ? (o.weightDecay / count) * p[i] : 0));
    if (o.optimizer === 'sgd') p = p.map((x, i) => x - o.eta * grad[i]);
    else if (o.optimizer === 'momentum') p = p.map((x, i) => x + (v[i] = o.momentum * v[i] - o.eta * grad[i]));
    else {
      const lr = (o.eta * Math.sqrt(1 - o.beta2 ** t)) / (1 - o.beta1 ** t);
      p = p.map((x, i) => {
        v[i] = o.beta1 * v[i] + (1 - o.beta1) * grad[i];
        m2[i] = o.beta2 * m2[i] + (1 - o.beta2) * grad[i] ** 2;
        return x - (lr * v[i]) / (Math.sqrt(m2[i]) + o.epsilon);
      });
    }
  }
  return p;
}

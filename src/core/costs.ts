// The activations, output functions and costs a network can use, their codes in model files, and
// the costs the kernels do not compute (cross-entropy, log-likelihood: a few logs per example, here
// in f64).
// Not for: anything per weight; that is all in the kernels.

/** Hidden-layer activation: sigmoid (the lecture), tanh, or ReLU. */
export type Activation = 'sigmoid' | 'tanh' | 'relu';
/**
 * quadratic: sum_j (a_j - y_j)^2 with sigmoid outputs (the lecture); cross-entropy: -sum_j [y_j ln
 * a_j + (1 - y_j) ln(1 - a_j)] with sigmoid outputs; log-likelihood: -ln a_y with softmax outputs.
 */
export type Cost = 'quadratic' | 'cross-entropy' | 'log-likelihood';

/**
 * What the output layer's z becomes in what `forward()` returns: sigmoid, softmax, log-softmax
 * (ln softmax) or identity (z itself, logits). Training uses the cost's own (costOutput).
 */
export type Output = 'sigmoid' | 'softmax' | 'log-softmax' | 'identity';

export const ACTIVATIONS: readonly Activation[] = ['sigmoid', 'tanh', 'relu'];
export const COSTS: readonly Cost[] = ['quadratic', 'cross-entropy', 'log-likelihood'];
export const OUTPUTS: readonly Output[] = ['sigmoid', 'softmax', 'log-softmax', 'identity'];

/** The output function a cost trains through: softmax for log-likelihood (delta = a - y), else sigmoid. */
export function costOutput(cost: Cost): Output {
  return cost === 'log-likelihood' ? 'softmax' : 'sigmoid';
}

const FLOOR = 1e-30;

/** Summed cost over m examples: a is (m, K) outputs at `offset` in `f32`, labels y (m). */
export function summedCost(cost: Cost, f32: Float32Array, offset: number, y: Uint8Array, yOffset: number, m: number, K: number): number {
  let total = 0;
  for (let n = 0; n < m; n++) {
    const label = y[yOffset + n];
    const row = offset + n * K;
    if (cost === 'log-likelihood') {
      total -= Math.log(Math.max(f32[row + label], FLOOR));
    } else {
      for (let j = 0; j < K; j++) total -= Math.log(Math.max(j === label ? f32[row + j] : 1 - f32[row + j], FLOOR));
    }
  }
  return total;
}

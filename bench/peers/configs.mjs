// The three networks of the peers bench (bench/peers.mjs), one place for every JS row;
// bench/peers/torch_mlp.py holds the same table for Python: change both together.
// Not for: the main bench's configs (bench/run.mjs).

/** Each trains one epoch of the 60,000 MNIST training images. */
export const CONFIGS = {
  A: { name: '784-30-10 sigmoid quadratic SGD b10', sizes: [784, 30, 10], activation: 'sigmoid', cost: 'quadratic', init: 'normal', optimizer: 'sgd', eta: 1.5, batchSize: 10 },
  B: { name: '784-256-256-10 ReLU softmax SGD b64', sizes: [784, 256, 256, 10], activation: 'relu', cost: 'log-likelihood', init: 'he', optimizer: 'sgd', eta: 0.1, batchSize: 64 },
  C: { name: '784-800-10 ReLU softmax Adam b128', sizes: [784, 800, 10], activation: 'relu', cost: 'log-likelihood', init: 'he', optimizer: 'adam', eta: 1e-3, batchSize: 128 },
};

/** Adam's constants, as wasm-mlp's and PyTorch's defaults. */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** Batches each peer trains before its timed epoch (first calls, compilation). */
export const WARMUP_BATCHES = 20;

// A network's options as the caller gives them, checked and settled once: sizes, initialisation
// (and the draw of the initial parameters), activation and cost, kernel build and threads. Not
// for: training options (train/train.ts).
import { ACTIVATIONS, COSTS, OUTPUTS, costOutput, type Activation, type Cost, type Output } from './costs.js';
import { InvalidArgumentError } from './errors.js';
import { KERNEL_VARIANTS, defaultVariant, lackingFor, threadsSupported, variantFor, type KernelVariant } from './kernels.js';
import { Rng } from './random.js';
import { validateSizes, type LayerShape } from './shapes.js';

/** Most training threads a network takes. */
export const MAX_THREADS = 64;

export interface NetworkOptions {
  /** [inputs, hidden..., outputs], e.g. [784, 30, 10]. */
  sizes: readonly number[];
  /** Seeds the initial weights and biases. Default 1. */
  seed?: number;
  /**
   * Initial parameters: 'scaled' (default) N(0, 1/n_in) weights, N(0, 1) biases (Nielsen's
   * chapter 3: units start unsaturated, so no output unit can start dead); 'normal' N(0, 1)
   * weights and biases as the lecture and network.py; 'he' N(0, 2/n_in) weights and zero biases
   * (He et al., for ReLU).
   */
  init?: WeightInit;
  /**
   * Hidden-layer activation: 'sigmoid' (the lecture, default), 'tanh' or 'relu'; one name for
   * every hidden layer, or an array of one per hidden layer (['relu', 'tanh']).
   */
  activation?: Activation | readonly Activation[];
  /** 'quadratic' (the lecture, default), 'cross-entropy' (sigmoid outputs) or 'log-likelihood' (softmax outputs). */
  cost?: Cost;
  /**
   * What `forward()` returns from the output layer: 'sigmoid', 'softmax', 'log-softmax' or
   * 'identity' (logits). Default: the cost's (softmax for log-likelihood, else sigmoid). Training
   * always goes through the cost's (log-likelihood: delta = softmax - y), and predictions are the
   * largest output either way.
   */
  output?: Output;
  /**
   * Kernel build: default 'relaxed' (fused multiply-adds) where the engine has relaxed SIMD, else
   * 'simd', else 'scalar'. 'simd' gives the same bits on every machine; 'relaxed' the same bits on
   * one machine (runs, thread counts, Node and Chromium), faster. Training threads use the threads
   * build of the same family. 'webgpu': training and its evaluations run on the GPU (WebGPU: in
   * pages that offer it, in Node with the optional package `webgpu`), the rest on the default build;
   * the first train() requests the device, and where WebGPU is missing throws
   * WebGpuUnavailableError (guide.md, kernels).
   */
  kernels?: KernelVariant | 'webgpu';
  /** Examples per kernel call when predicting; training grows it to the batch size. Default 256. */
  batchCapacity?: number;
  /**
   * Threads for training (mini-batches split between them on one shared memory). Default 1. They
   * pay for big steps only: THREADS_PAY says when. Where SharedArrayBuffer is missing (a page that
   * is not cross-origin isolated) the network falls back to 1 thread: see `threads` on the network.
   */
  threads?: number;
}

export type WeightInit = 'normal' | 'scaled' | 'he';
export const WEIGHT_INITS: readonly WeightInit[] = ['normal', 'scaled', 'he'];

/** Options with every default filled in and every value checked. */
export interface Settled {
  sizes: number[];
  seed: number;
  init: WeightInit;
  /** One per hidden layer. */
  activations: Activation[];
  cost: Cost;
  output: Output;
  variant: KernelVariant;
  threads: number;
  capacity: number;
}

export function settle(options: NetworkOptions): Settled {
  const sizes = validateSizes(options.sizes);
  const asked = options.threads ?? 1;
  if (!Number.isInteger(asked) || asked < 1 || asked > MAX_THREADS) {
    throw new InvalidArgumentError(`threads must be an integer from 1 to ${MAX_THREADS}, got ${asked}`);
  }
  // 'webgpu': train() runs on the GPU (src/gpu/), the rest on the default build
  const kernels = oneOf('kernels', options.kernels, [...KERNEL_VARIANTS, 'webgpu' as const]);
  const lacking = kernels && lackingFor(kernels as KernelVariant);
  if (lacking) throw new InvalidArgumentError(`kernels "${kernels}" needs ${lacking}, which this engine lacks`);
  const threads = asked > 1 && threadsSupported() ? asked : 1;
  const seed = options.seed ?? 1;
  checkSeed(seed);
  const capacity = options.batchCapacity ?? 256;
  checkCapacity(capacity);
  const cost = oneOf('cost', options.cost, COSTS) ?? 'quadratic';
  return {
    sizes,
    seed,
    init: oneOf('init', options.init, WEIGHT_INITS) ?? 'scaled',
    activations: hiddenActivations(options.activation, sizes.length - 2),
    cost,
    output: oneOf('output', options.output, OUTPUTS) ?? costOutput(cost),
    variant: variantFor((kernels !== 'webgpu' && kernels) || defaultVariant(), threads),
    threads,
    capacity,
  };
}

/** One activation per hidden layer (`hidden` of them) from one name (default sigmoid) or an array of one per hidden layer. */
export function hiddenActivations(activation: Activation | readonly Activation[] = 'sigmoid', hidden: number): Activation[] {
  const names = typeof activation == 'string' ? Array<Activation>(hidden).fill(activation) : activation;
  if (names.length !== hidden) throw new InvalidArgumentError(`activation: ${names.length} for ${hidden} hidden layers`);
  return names.map((a) => oneOf('activation', a, ACTIVATIONS) ?? 'sigmoid');
}

/** `value` if it is undefined or one of `choices`; else an error naming the option. */
export function oneOf<T>(name: string, value: T | undefined, choices: readonly T[]): T | undefined {
  if (value !== undefined && !choices.includes(value)) throw new InvalidArgumentError(`${name} must be one of ${choices.join(', ')}, got ${value}`);
  return value;
}

/**
 * Draws every parameter into `p` (the layout W1, b1, W2, b2, ...) with the seeded PRNG (stream 0
 * of `seed`), in layout order: N(0, 1) scaled by 1 (init 'normal'), 1/sqrt(n_in) ('scaled') or
 * sqrt(2/n_in) ('he') for weights; N(0, 1) for biases, or zero with 'he'.
 */
export function drawParameters(p: Float32Array, shapes: LayerShape[], seed: number, init: WeightInit): void {
  checkSeed(seed);
  oneOf('init', init, WEIGHT_INITS);
  const rng = new Rng(seed, 0);
  for (const s of shapes) {
    const scale = init === 'normal' ? 1 : Math.sqrt((init === 'he' ? 2 : 1) / s.cols);
    for (let i = s.wOffset; i < s.bOffset; i++) p[i] = scale * rng.normal();
    for (let i = s.bOffset; i < s.bOffset + s.rows; i++) p[i] = init === 'he' ? 0 : rng.normal();
  }
}

export function checkEta(eta: number): void {
  if (typeof eta !== 'number' || !Number.isFinite(eta) || eta <= 0) {
    throw new InvalidArgumentError(`eta (learning rate) must be a finite number > 0, got ${eta}`);
  }
}

export function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidArgumentError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
  }
}

export function checkCapacity(n: number): void {
  checkPositiveInteger('batch capacity', n);
}

/** `v` must be an integer >= 1; else an error naming it. */
export function checkPositiveInteger(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got ${v}`);
}

/** `p` must have `count` finite values (a network of `sizes`' parameters). */
export function checkParameters(p: ArrayLike<number>, count: number, sizes: readonly number[]): void {
  if (p.length !== count) throw new InvalidArgumentError(`parameters: expected ${count} values for sizes [${sizes}], got ${p.length}`);
  for (let i = 0; i < p.length; i++) {
    if (!Number.isFinite(p[i])) throw new InvalidArgumentError(`parameters: value ${i} is ${p[i]}, expected a finite number`);
  }
}

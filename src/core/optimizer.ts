// The optimizers: their codes (one table, shared by model files and the threads' control block),
// the settings of a run and the numbers of one step's update, made once per step for whichever
// engine runs it. Not for: momentum's and Adam's buffers and the update over them
// (optimizer-state.ts, loaded only by runs that use them) or where a step runs (train/engine.ts).
import { InvalidArgumentError, WasmMlpError } from './errors.js';

export type Optimizer = 'sgd' | 'momentum' | 'adam';
/** The optimizers in the order of their codes: sgd 0, momentum 1, adam 2 (model files, the threads' control block). */
export const OPTIMIZERS: readonly Optimizer[] = ['sgd', 'momentum', 'adam'];
export type OptimizerCode = 0 | 1 | 2;

export function optimizerCode(kind: Optimizer): OptimizerCode {
  return OPTIMIZERS.indexOf(kind) as OptimizerCode;
}

export function checkOptimizer(kind: Optimizer): void {
  if (!OPTIMIZERS.includes(kind)) throw new InvalidArgumentError(`optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${kind}`);
}

/** How a training step updates the parameters; see TrainOptions. */
export interface StepSettings {
  optimizer: Optimizer;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** L2: lambda / N (weight decay over the training set size N); 0 for none. */
  decayPerExample: number;
}

/** Momentum's velocity or Adam's two moments and step count, in the parameters' layout. */
export interface OptimizerState {
  kind: Optimizer;
  t: number;
  buffers: Float32Array[];
}

/** One step's update, as numbers (the training threads read them from their control block). */
export interface UpdateSettings {
  optimizer: OptimizerCode;
  /** eta / m */
  scale: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Adam's bias-corrected learning rate of this step. */
  rate: number;
  /** m lambda / N, added to the summed gradients of the weights; 0 for none. */
  decay: number;
  /** 1 - eta lambda / N: the fused SGD step's factor on the weights (1 for none). */
  shrink: number;
  /** 1 / m: summed gradients to their mean. */
  gradScale: number;
}

/** Adam's learning rate at step t, with both moments' bias corrected: eta sqrt(1 - beta2^t) / (1 - beta1^t). */
export function adamRate(eta: number, beta1: number, beta2: number, t: number): number {
  return (eta * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
}

/** What a step needs of the optimizer's buffers: their kind, and Adam's step count. */
export interface StepCount {
  readonly kind: Optimizer;
  t: number;
}

/**
 * The update of one step of m examples at rate eta; with momentum or Adam, from `held` (its kind
 * must match: Network.prepareOptimizer first), whose step count advances: the one place it does.
 */
export function stepUpdate(m: number, eta: number, step: StepSettings | undefined, held: StepCount | null): UpdateSettings {
  const kind = step?.optimizer ?? 'sgd';
  if (kind !== 'sgd' && held?.kind !== kind) throw new WasmMlpError(`call prepareOptimizer('${kind}') before training with it`);
  const decayPerExample = step?.decayPerExample ?? 0;
  return {
    optimizer: optimizerCode(kind),
    scale: eta / m,
    momentum: step?.momentum ?? 0,
    beta1: step?.beta1 ?? 0,
    beta2: step?.beta2 ?? 0,
    epsilon: step?.epsilon ?? 1,
    rate: kind === 'adam' ? adamRate(eta, step!.beta1, step!.beta2, ++held!.t) : 0,
    decay: m * decayPerExample,
    shrink: 1 - eta * decayPerExample,
    gradScale: 1 / m,
  };
}

// The optimizers beyond the fused SGD step: their codes (one table, shared by model files and the
// threads' control block), the settings of a step and the update the threads apply. Not for: plain
// SGD, which backprop fuses with its update (layers.ts), momentum's and Adam's buffers
// (optimizer-state.ts, loaded only by runs that use them) or where a step runs (parallel/routing.ts).
import { InvalidArgumentError, WasmMlpError } from './errors.js';
import type { OptimizerBuffers } from './optimizer-state.js';

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

/** One step's update, as numbers the training threads read from their control block. */
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
  /** 1 / m: summed gradients to their mean. */
  gradScale: number;
}

/** True for the step backprop fuses with its update: SGD without L2. */
export function isPlainSgd(step?: StepSettings): boolean {
  return (step?.optimizer ?? 'sgd') === 'sgd' && !step?.decayPerExample;
}

/** Adam's learning rate at step t, with both moments' bias corrected: eta sqrt(1 - beta2^t) / (1 - beta1^t). */
export function adamRate(eta: number, beta1: number, beta2: number, t: number): number {
  return (eta * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
}

/** A step's update for the training threads; with momentum or Adam, from `buffers` (Adam's step count advances). */
export function threadUpdate(m: number, eta: number, step: StepSettings | undefined, buffers: OptimizerBuffers | null): UpdateSettings {
  const kind = step?.optimizer ?? 'sgd';
  const held = kind === 'sgd' ? null : buffersFor(buffers, kind);
  return {
    optimizer: optimizerCode(kind),
    scale: eta / m,
    momentum: step?.momentum ?? 0,
    beta1: step?.beta1 ?? 0,
    beta2: step?.beta2 ?? 0,
    epsilon: step?.epsilon ?? 1,
    rate: kind === 'adam' ? adamRate(eta, step!.beta1, step!.beta2, ++held!.t) : 0,
    decay: m * (step?.decayPerExample ?? 0),
    gradScale: 1 / m,
  };
}

/** `buffers` if they are `kind`'s: a step with momentum or Adam needs Network.prepareOptimizer first. */
export function buffersFor(buffers: OptimizerBuffers | null, kind: Optimizer): OptimizerBuffers {
  if (!buffers || buffers.kind !== kind) throw new WasmMlpError(`call prepareOptimizer('${kind}') before training with it`);
  return buffers;
}

// The optimizers beyond the fused SGD step: their codes (one table, shared by model files and the
// threads' control block), the settings of a step, and momentum's and Adam's buffers in a
// network's memory with the update that uses them. Not for: plain SGD, which backprop fuses with
// its update (layers.ts), or deciding where a step runs (parallel/routing.ts).
import { InvalidArgumentError, WasmMlpError } from './errors.js';
import type { Kernels } from './kernels.js';
import type { LayerLoop } from './layers.js';
import type { MemoryPlan } from './memory.js';
import type { LayerShape } from './shapes.js';
import type { TransposedW1 } from './transposed.js';

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

/**
 * The gradients of a step and momentum's or Adam's state in a network's memory, each laid out as
 * [WT (wtLength floats) | the parameters], so that W^1 is updated in its transposed copy.
 */
export class OptimizerBuffers {
  /** Adam's step count. */
  t = 0;

  private constructor(
    readonly kind: Optimizer,
    readonly grads: number,
    readonly state: number[],
    private readonly floats: number,
  ) {}

  /** Reserves (and zeroes) `kind`'s buffers; `grads` reuses an earlier optimizer's gradient buffer. */
  static reserve(plan: MemoryPlan, k: Kernels, kind: Exclude<Optimizer, 'sgd'>, floats: number, grads?: number): OptimizerBuffers {
    const what = `the ${kind} optimizer`;
    const g = grads ?? plan.reserve(floats * 4, what);
    const state = Array.from({ length: kind === 'adam' ? 2 : 1 }, () => plan.reserve(floats * 4, what));
    for (const p of state) k.zero(p, floats);
    return new OptimizerBuffers(kind, g, state, floats);
  }

  /**
   * One step on one thread: the gradients of the batch's m examples (backprop already ran forward)
   * into `grads`, L2 folded in, then the momentum or Adam update of WT and the parameters.
   */
  step(k: Kernels, loop: LayerLoop, w1: TransposedW1, params: number, shapes: LayerShape[], m: number, eta: number, step: StepSettings): void {
    const { wt, wtLength } = w1;
    const first = shapes[0];
    const gradsB = this.grads + 4 * wtLength;
    loop.backward(0, m, { kind: 'partial', grads: gradsB, gradsWT: this.grads });
    if (step.decayPerExample > 0) {
      const c = m * step.decayPerExample; // summed gradients: the mean's lambda / N times m
      k.addScaled(this.grads, wt, c, wtLength);
      for (const s of shapes.slice(1)) k.addScaled(gradsB + 4 * s.wOffset, params + 4 * s.wOffset, c, s.rows * s.cols);
    }
    // two ranges: WT with its gradients, then the parameters from b^1 on (W^1's row-major slot is not current)
    const ranges: [number, number, number][] = [
      [wt, 0, wtLength],
      [params + 4 * first.bOffset, 4 * (wtLength + first.bOffset), this.floats - wtLength - first.bOffset],
    ];
    if (this.kind === 'momentum') {
      for (const [p, off, n] of ranges) k.momentumUpdate(p, this.state[0] + off, this.grads + off, eta / m, step.momentum, n);
    } else {
      const lr = adamRate(eta, step.beta1, step.beta2, ++this.t);
      for (const [p, off, n] of ranges) k.adamUpdate(p, this.state[0] + off, this.state[1] + off, this.grads + off, 1 / m, lr, step.beta1, step.beta2, step.epsilon, n);
    }
  }

  /** The state in the parameters' layout (W1 row-major), for checkpoints. */
  read(w1: TransposedW1, parameterCount: number): OptimizerState {
    return { kind: this.kind, t: this.t, buffers: this.state.map((p) => w1.readTrainingLayout(p, parameterCount)) };
  }

  /** Restores a state read from a network of the same sizes. */
  write(w1: TransposedW1, state: OptimizerState, parameterCount: number): void {
    if (state.buffers.length !== this.state.length || state.buffers.some((b) => b.length !== parameterCount)) {
      throw new InvalidArgumentError(`optimizer state: expected ${this.state.length} buffers of ${parameterCount} values for ${state.kind}`);
    }
    this.t = state.t;
    state.buffers.forEach((b, i) => w1.writeTrainingLayout(b, this.state[i]));
  }
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

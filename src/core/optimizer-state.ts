// Momentum's and Adam's buffers in a network's memory (the summed gradients of a step and the
// optimizer's state) and the single-thread update that uses them. Loaded only by networks that
// train with momentum or Adam. Not for: the codes and settings (optimizer.ts).
import { InvalidArgumentError } from './errors.js';
import type { Kernels } from './kernels.js';
import type { LayerLoop } from './layers.js';
import type { MemoryPlan } from './memory.js';
import { adamRate, type Optimizer, type OptimizerState, type StepSettings } from './optimizer.js';
import type { LayerShape } from './shapes.js';
import type { TransposedW1 } from './transposed.js';

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


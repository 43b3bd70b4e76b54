// Momentum's and Adam's buffers in a network's memory (the summed gradients of a step and the
// optimizer's state), and the one update over them: a function over a slice of the parameters that
// one thread runs over all of them and each training thread over its share. Loaded only by runs
// that use momentum, Adam or L2 on threads. Not for: the codes and settings (optimizer.ts).
import { InvalidArgumentError } from './errors.js';
import type { Kernels } from './kernels.js';
import type { LayerLoop } from './layers.js';
import type { MemoryPlan } from './memory.js';
import type { Optimizer, OptimizerState, UpdateSettings } from './optimizer.js';
import type { LayerShape } from './shapes.js';
import { fromTransposed, rowRange, toTransposed, type TransposedW1, type WtBlock } from './transposed.js';

/**
 * Where an update walks, as plain numbers (posted to the threads): two ranges laid out alike in the
 * gradients, the optimizer's state and the parameters ([WT | parameters]): WT, then the
 * parameters from b^1 on (W^1's row-major slot is not current while training).
 */
export interface UpdateLayout {
  /** Byte offsets of WT and of the parameters. */
  wt: number;
  params: number;
  /** Floats of WT (cols * stride), b^1's offset in the parameters, and the parameter count. */
  wtLength: number;
  b1: number;
  parameterCount: number;
  /** [start, end) of W^l for l >= 2 in the parameters: where L2 applies besides WT. */
  weightRanges: [number, number][];
}

export function updateLayout(w1: TransposedW1, params: number, shapes: LayerShape[], parameterCount: number): UpdateLayout {
  return {
    wt: w1.wt,
    params,
    wtLength: w1.wtLength,
    b1: shapes[0].bOffset,
    parameterCount,
    weightRanges: shapes.slice(1).map((s): [number, number] => [s.wOffset, s.wOffset + s.rows * s.cols]),
  };
}

/** A slice [i0, i1) of one of the update's two ranges: its parameters at `target`, its gradients and state `offset` floats in, and the weights' parts in it. */
export interface UpdateSlice {
  target: number;
  offset: number;
  i0: number;
  i1: number;
  weights: [number, number][];
}

/** Share t of T of each range (cut at multiples of 4 elements); empty shares left out. */
export function updateSlices(l: UpdateLayout, t: number, T: number, skipWT = false): UpdateSlice[] {
  const ranges: [target: number, offset: number, n: number, weights: [number, number][]][] = [
    [l.wt, 0, skipWT ? 0 : l.wtLength, [[0, l.wtLength]]],
    [l.params + 4 * l.b1, l.wtLength + l.b1, l.parameterCount - l.b1, l.weightRanges.map(([a, b]) => [a - l.b1, b - l.b1])],
  ];
  return ranges.flatMap(([target, offset, n, weights]) => {
    const [i0, i1] = rowRange(n, t, T, 4);
    return i1 > i0 ? [{ target, offset, i0, i1, weights }] : [];
  });
}

/**
 * Share t of T of the update from the summed gradients at `grads` (laid out as [WT | parameters]):
 * each slice's weights and biases through updateRange. Each element gets the same operations
 * whatever the share: the same bits for any T.
 */
export function updateShare(k: Kernels, u: UpdateSettings, l: UpdateLayout, grads: number, state: readonly number[], t: number, T: number, skipWT = false): void {
  for (const { offset, i0, i1, weights } of updateSlices(l, t, T, skipWT)) {
    // the slice cut where its weights begin and end: L2 applies to the weights only
    const cuts = [i0, ...weights.flat().filter((c) => c > i0 && c < i1), i1].sort((a, b) => a - b);
    for (let c = 0; c + 1 < cuts.length; c++) {
      if (cuts[c + 1] > cuts[c]) updateRange(k, u, l, grads, state, offset + cuts[c], cuts[c + 1] - cuts[c], weights.some(([w0, w1]) => cuts[c] >= w0 && cuts[c] < w1));
    }
  }
}

/**
 * The update of elements [at, at + n) of the [WT | parameters] layout (within WT, or within the
 * parameters): L2 folded into their summed gradients first when they are weights (g += decay w),
 * then SGD, momentum or Adam on the parameters and the optimizer's `state`. The one rule of an
 * update: one thread over everything, each thread over its share or its rows.
 */
export function updateRange(k: Kernels, u: UpdateSettings, l: UpdateLayout, grads: number, state: readonly number[], at: number, n: number, weights: boolean): void {
  const p = at < l.wtLength ? l.wt + 4 * at : l.params + 4 * (at - l.wtLength);
  const g = grads + 4 * at;
  if (weights && u.decay > 0) k.addScaled(g, p, u.decay, n);
  const st = (j: number) => state[j] + 4 * at;
  if (u.optimizer === 0) k.sgdUpdate(p, g, u.scale, n);
  else if (u.optimizer === 1) k.momentumUpdate(p, st(0), g, u.scale, u.momentum, n);
  else k.adamUpdate(p, st(0), st(1), g, u.gradScale, u.rate, u.beta1, u.beta2, u.epsilon, n);
}

/**
 * Adam's step of W^1's block `w` over the batch's m examples, in one pass with its gradient (its
 * deltas made, its lists gathered; `c`: their columns, transposed here by default):
 * sparseAdamColumns on the block and its moments; the block's biases' gradients go to `grads`,
 * for the update of the biases with the other parameters.
 */
export function firstLayerAdam(loop: LayerLoop, u: UpdateSettings, l: UpdateLayout, grads: number, state: readonly number[], w: WtBlock, m: number, c = loop.columns(0, m)): void {
  const { k, plan: p } = loop;
  const { cols, rows } = p.shapes[0];
  const at = 4 * w.offset;
  k.sparseAdamColumns(l.wt + at, state[0] + at, state[1] + at, grads + 4 * (l.wtLength + l.b1 + w.row), p.delta[1] + 4 * w.row, c.tstarts, c.texamples, c.tvals, c.scratch, u.gradScale, u.rate, u.beta1, u.beta2, u.epsilon, u.decay, m, w.rows, cols, w.stride, rows, c.parts, c.pstride);
}

/**
 * The gradients of a step and momentum's or Adam's state in a network's memory, each laid out as
 * [WT (wtLength floats) | the parameters], so that W^1 is updated in its transposed copy.
 */
export class OptimizerBuffers {
  /** Adam's step count (advanced by stepUpdate, optimizer.ts). */
  t = 0;

  private constructor(
    readonly kind: Optimizer,
    readonly layout: UpdateLayout,
    readonly grads: number,
    readonly state: number[],
  ) {}

  /** Reserves (and zeroes) `kind`'s buffers for a network's update layout; `grads` reuses an earlier optimizer's gradient buffer. */
  static reserve(plan: MemoryPlan, k: Kernels, kind: Exclude<Optimizer, 'sgd'>, layout: UpdateLayout, grads?: number): OptimizerBuffers {
    const what = `the ${kind} optimizer`;
    const floats = layout.wtLength + layout.parameterCount;
    const g = grads ?? plan.reserve(floats * 4, what);
    const state = Array.from({ length: kind === 'adam' ? 2 : 1 }, () => plan.reserve(floats * 4, what));
    for (const p of state) k.zero(p, floats);
    return new OptimizerBuffers(kind, layout, g, state);
  }

  /**
   * One step on one thread: the gradients of the batch's m examples (forward already ran) into
   * `grads`, then the update; Adam on a big batch updates W^1 in the same pass as its gradient.
   */
  step(k: Kernels, loop: LayerLoop, m: number, u: UpdateSettings): void {
    const fused = u.optimizer === 2; // Adam updates W^1 in the pass that sums its gradient
    loop.backward(0, m, { kind: 'partial', grads: this.grads + 4 * this.layout.wtLength, gradsWT: this.grads, skipFirst: fused });
    if (fused) for (const w of loop.plan.blocks) firstLayerAdam(loop, u, this.layout, this.grads, this.state, w, m);
    updateShare(k, u, this.layout, this.grads, this.state, 0, 1, fused);
  }

  /** The state in the parameters' layout (W1 row-major), for checkpoints. */
  read(w1: TransposedW1, parameterCount: number): OptimizerState {
    return { kind: this.kind, t: this.t, buffers: this.state.map((p) => readTrainingLayout(w1, p, parameterCount)) };
  }

  /** Restores a state read from a network of the same sizes. */
  write(w1: TransposedW1, state: OptimizerState, parameterCount: number): void {
    if (state.buffers.length !== this.state.length || state.buffers.some((b) => b.length !== parameterCount)) {
      throw new InvalidArgumentError(`optimizer state: expected ${this.state.length} buffers of ${parameterCount} values for ${state.kind}`);
    }
    this.t = state.t;
    state.buffers.forEach((b, i) => writeTrainingLayout(w1, b, this.state[i]));
  }
}

/** A buffer laid out as [WT | parameters] (optimizer state), in the parameters' layout (`count` floats). */
function readTrainingLayout(w1: TransposedW1, p: number, count: number): Float32Array {
  const f = w1.plan.f32;
  const at = (p >> 2) + w1.wtLength;
  const out = f.slice(at, at + count);
  fromTransposed(out, w1.first.wOffset, f, p >> 2, w1.blocks, w1.first.cols);
  return out;
}

/** Writes `values` (the parameters' layout) into a buffer laid out as [WT | parameters]. */
function writeTrainingLayout(w1: TransposedW1, values: Float32Array, p: number): void {
  const f = w1.plan.f32;
  f.set(values, (p >> 2) + w1.wtLength);
  toTransposed(f, p >> 2, values, w1.first.wOffset, w1.blocks, w1.first.cols, w1.wtLength);
}

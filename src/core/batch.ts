// One mini-batch's buffers and what runs over a whole batch of them: loading f32 inputs or
// example indices, the forward pass in chunks of the capacity, predicted classes, and evaluation of
// a staged dataset. Not for: where the buffers sit in memory (regions.ts) or training steps
// (engine.ts).
import type { Activation, Cost, Output } from './costs.js';
import { InvalidArgumentError } from './errors.js';
import type { Kernels } from './kernels.js';
import { reserveLayerPlan, type LayerPlan } from './layer-plan.js';
import { LayerLoop } from './layers.js';
import type { MemoryPlan } from './memory.js';
import type { LayerShape } from './shapes.js';
import type { StagedDataset } from './staging.js';
import type { TransposedW1 } from './transposed.js';

/** Summed (not averaged) gradients of the cost over one batch, per layer l = 1..L at index l-1. */
export interface Gradients {
  nablaW: Float32Array[];
  nablaB: Float32Array[];
  /** Sum over the batch of the cost (quadratic: sum_j (a_j - y_j)^2). */
  cost: number;
}

/** What a network's batches are made of: its shapes, parameters and W^1's transposed copy. */
export interface BatchNetwork {
  sizes: readonly number[];
  /** Training threads: each has its own column starts (layer-plan.ts). */
  threads: number;
  shapes: LayerShape[];
  params: number;
  w1: TransposedW1;
  activations: readonly Activation[];
  cost: Cost;
}

export class BatchBuffers {
  readonly layout: LayerPlan;
  readonly loop: LayerLoop;
  /** (capacity) u8 predicted classes. */
  private readonly predicted: number;

  /** Reserves buffers for batches of up to `capacity` examples in `plan`. */
  constructor(
    private readonly plan: MemoryPlan,
    private readonly k: Kernels,
    net: BatchNetwork,
    readonly capacity: number,
  ) {
    this.layout = reserveLayerPlan(plan, capacity, net);
    this.predicted = plan.reserve(capacity, `a batch of ${capacity} examples`);
    this.loop = new LayerLoop(k, this.layout);
  }

  private get outputs(): number {
    return this.layout.sizes[this.layout.sizes.length - 1];
  }

  /** The batch's example indices: index(n) for n < m (a plain loop: no subarray view per step). */
  setIndices(index: (n: number) => number, m: number): void {
    const u32 = this.plan.u32;
    const at = this.layout.indices >> 2;
    for (let n = 0; n < m; n++) u32[at + n] = index(n);
  }

  /** The predicted classes of the first m examples' outputs (a view: copy it before the next call). */
  argmax(m: number): Uint8Array {
    this.k.argmaxRows(this.predicted, this.layout.a[this.layout.shapes.length], m, this.outputs);
    return this.plan.u8.subarray(this.predicted, this.predicted + m);
  }

  /** The output activations of the first m examples (a view, as argmax). */
  outputsOf(m: number): Float32Array {
    const at = this.layout.a[this.layout.shapes.length] >> 2;
    return this.plan.f32.subarray(at, at + m * this.outputs);
  }

  /**
   * Runs the forward pass over inputs x (count examples) in chunks of the capacity, calling `take`
   * after each chunk; the outputs take `output` (default the cost's).
   */
  forEachChunk(x: Float32Array, count: number, take: (start: number, m: number) => void, output?: Output): void {
    const n0 = this.layout.sizes[0];
    for (let start = 0; start < count; start += this.capacity) {
      const m = Math.min(this.capacity, count - start);
      this.plan.f32.set(x.subarray(start * n0, (start + m) * n0), this.layout.a[0] >> 2);
      this.loop.forward(0, m, false, false, output);
      take(start, m);
    }
  }

  /** Copies m examples given as f32 inputs and their labels into a[0] and y (m <= capacity). */
  load(x: Float32Array, labels: ArrayLike<number>, m: number): void {
    if (labels.length !== m) throw new InvalidArgumentError(`labels: expected ${m} (one per input), got ${labels.length}`);
    for (let i = 0; i < m; i++) {
      const label = labels[i];
      if (!Number.isInteger(label) || label < 0 || label >= this.outputs) {
        throw new InvalidArgumentError(`labels[${i}] is ${label}, expected an integer class from 0 to ${this.outputs - 1}`);
      }
    }
    this.plan.f32.set(x, this.layout.a[0] >> 2);
    this.plan.u8.set(labels, this.layout.y);
  }

  /** Forward and backprop over the m loaded examples, adding their gradients to `nabla` (zeroed first); returns their summed cost. */
  gradients(nabla: number, parameterCount: number, m: number): number {
    this.k.zero(nabla, parameterCount);
    this.loop.forward(0, m, false);
    const cost = this.loop.cost(0, m);
    this.loop.backward(0, m, { kind: 'gradients', nabla });
    return cost;
  }

  /** Copies of the gradients at `nabla` (the parameters' layout), per layer, with the batch's `cost`. */
  readGradients(nabla: number, shapes: LayerShape[], cost: number): Gradients {
    const at = (offset: number, n: number) => this.plan.f32.slice((nabla >> 2) + offset, (nabla >> 2) + offset + n);
    return { nablaW: shapes.map((s) => at(s.wOffset, s.rows * s.cols)), nablaB: shapes.map((s) => at(s.bOffset, s.rows)), cost };
  }

  /** Correct predictions and summed cost over all of `s`, in batches of the capacity; the predicted classes go to `predictions` if given. */
  evaluate(s: StagedDataset, predictions?: Uint8Array): { correct: number; cost: number } {
    const { count, labels } = s.data;
    let correct = 0;
    let cost = 0;
    for (let start = 0; start < count; start += this.capacity) {
      const m = Math.min(this.capacity, count - start);
      this.setIndices((n) => start + n, m);
      this.loop.forwardStaged(s, 0, m);
      cost += this.loop.cost(0, m);
      const predicted = this.argmax(m);
      for (let i = 0; i < m; i++) if (predicted[i] === labels[start + i]) correct++;
      predictions?.set(predicted, start);
    }
    return { correct, cost };
  }
}

/** Number of examples in x, (count, inputs): x must be a Float32Array of whole, finite inputs. */
export function countInputs(x: Float32Array, inputs: number): number {
  if (!(x instanceof Float32Array)) throw new InvalidArgumentError('input must be a Float32Array of pixel values in [0, 1]');
  if (x.length === 0 || x.length % inputs !== 0) {
    throw new InvalidArgumentError(`input has ${x.length} values, expected a positive multiple of the ${inputs} inputs`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new InvalidArgumentError(`input value ${i} is ${x[i]}, expected a finite number`);
  }
  return x.length / inputs;
}

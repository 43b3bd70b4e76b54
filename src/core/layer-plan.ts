// The layout of one mini-batch's buffers: activations, deltas, labels, example indices and the
// first layer's lists, reserved once in the memory plan, as plain numbers a worker can be posted.
// Not for: what runs over them (layers.ts).
import type { Activation, Cost } from './costs.js';
import { contextBytes } from './context.js';
import type { MemoryPlan } from './memory.js';
import type { LayerShape } from './shapes.js';
import type { TransposedW1, WtBlock } from './transposed.js';

/** Byte offsets of every buffer one step touches; plain numbers, so it can be posted to a worker. */
export interface LayerPlan {
  sizes: number[];
  /** Each hidden layer's activation (layer l's at l - 1); the output layer trains through the cost's (costOutput). */
  activations: readonly Activation[];
  cost: Cost;
  shapes: LayerShape[];
  /** Parameter region W1, b1, W2, b2, ... (while training, W1's current copy is `wt`). */
  params: number;
  /** W^1 transposed, in blocks of rows (see transposedBlocks); `wtLength` floats in all. */
  wt: number;
  blocks: WtBlock[];
  wtLength: number;
  /** a[0] = x, a[l] = sigma(z^l): (capacity, sizes[l]); delta[l] likewise, delta[0] unused. */
  a: number[];
  delta: number[];
  /** For hidden layers with dropout, sigma(z^l) before it (a[l] is after): (capacity, sizes[l]); 0 for the input and output layers. */
  h: number[];
  /** The step context (regularize.ts): training or not, the batch's row in its epoch, dropout, max-norm, augmentation. */
  context: number;
  /**
   * (capacity) u8 labels, (capacity) u32 example indices; each example's nonzero inputs: columns
   * (capacity, inputs) u32, their values (capacity, inputs) f32, and their number (capacity) u32.
   */
  y: number;
  indices: number;
  list: number;
  vals: number;
  counts: number;
  /**
   * The batch's nonzeros by column (transposeLists), for the column-by-column form of the first
   * layer's update, a set per training thread (thread t's `tbytes` further on): (inputs + 1) u32
   * starts, (capacity, inputs) u32 examples and f32 values, (capacity + 1, 32) f32 of scratch.
   */
  tstarts: number;
  texamples: number;
  tvals: number;
  scratch: number;
  tbytes: number;
}

/** Reserves the buffers of a mini-batch of up to n examples (activations, deltas, labels, indices, lists) in `plan`. */
export function reserveLayerPlan(plan: MemoryPlan, n: number, net: { sizes: readonly number[]; threads: number; shapes: LayerShape[]; params: number; w1: TransposedW1; activations: readonly Activation[]; cost: Cost }): LayerPlan {
  const { sizes, shapes, params, w1, cost } = net;
  const what = `a batch of ${n} examples`;
  const C = sizes[0];
  return {
    sizes: [...sizes],
    activations: net.activations,
    cost,
    shapes,
    params,
    wt: w1.wt,
    blocks: w1.blocks,
    wtLength: w1.wtLength,
    a: sizes.map((width) => plan.reserve(n * width * 4, what)),
    delta: sizes.map((width, l) => (l === 0 ? 0 : plan.reserve(n * width * 4, what))),
    h: sizes.map((width, l) => (l === 0 || l === sizes.length - 1 ? 0 : plan.reserve(n * width * 4, what))),
    context: plan.reserve(contextBytes(shapes.length), what),
    y: plan.reserve(n, what),
    indices: plan.reserve(n * 4, what),
    list: plan.reserve(n * C * 4, what),
    vals: plan.reserve(n * C * 4, what),
    counts: plan.reserve(n * 4, what),
    ...columnBuffers(plan, n, C, net.threads, what),
  };
}

/** Each thread's set of the column-by-column buffers, one reservation for all of them. */
function columnBuffers(plan: MemoryPlan, n: number, C: number, threads: number, what: string) {
  const starts = Math.ceil(((C + 1) * 4) / 64) * 64;
  const tbytes = starts + 8 * n * C + 128 * (n + 1);
  const at = plan.reserve(threads * tbytes, what);
  return { tstarts: at, texamples: at + starts, tvals: at + starts + 4 * n * C, scratch: at + starts + 8 * n * C, tbytes };
}

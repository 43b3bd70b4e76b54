// The control block the training threads share: its slots, the commands, and the setup each
// thread is started with; how a thread waits for the next command. Not for: what a thread does
// with a command (share.ts) or the caller's side (pool.ts).
import type { LayerPlan } from '../core/layer-plan.js';
import type { OptimizerCode, UpdateSettings } from '../core/optimizer.js';
import type { UpdateLayout } from '../core/optimizer-state.js';
import { MAX_THREADS } from '../core/options.js';
import type { StagedData } from '../core/staging.js';

/** Int32 slots of the control block, then one f64 cost per thread from byte HEADER_BYTES. */
export const GEN = 0;
export const CMD = 1;
export const BATCH = 2;
export const DONE = 3;
export const IMAGES = 4;
export const LABELS = 5;
// f32 slots of the same block, for the update: eta / m, momentum, Adam's beta1, beta2, epsilon and
// bias-corrected rate, L2 (m lambda / N, added to summed gradients), 1 / m; then the optimizer code.
export const SCALE = 6;
export const MU = 7;
export const BETA1 = 8;
export const BETA2 = 9;
export const EPSILON = 10;
export const RATE = 11;
export const DECAY = 12;
export const GRAD_SCALE = 13;
export const OPTIMIZER = 14; // i32: its code (core/optimizer.ts)
export const RUNS = 15;
export const STARTS = 16;
export const FORM = 17;
export const SHRINK = 18; // f32: the fused SGD step's factor on the weights (L2)
export const HEADER_BYTES = 128;
export const CONTROL_BYTES = HEADER_BYTES + 8 * MAX_THREADS;
/** A share that takes longer than this means a worker died: fail instead of hanging. */
export const STALL_MS = 60_000;

export const GRADIENTS = 1;
export const REDUCE = 2;
export const EXIT = 3;
export const DELTAS = 4;
export const UPDATE = 5;
export const FIRST = 6;
export const GATHER = 7;
export const MAX_NORM = 8;

/** Everything one thread needs; plain data plus a module and a memory, so it can be posted. */
export interface ThreadSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  plan: LayerPlan;
  thread: number;
  threads: number;
  /** Byte offsets: the control block, thread 0's gradient buffer (thread t's is gstride floats further). */
  control: number;
  grads: number;
  gstride: number;
  /** Where the update walks (WT, then the parameters from b^1 on), and the optimizer's state buffers laid out alike, if any. */
  layout: UpdateLayout;
  state: readonly number[];
}

/**
 * Views of the control block, made once per thread: the memory is shared, so growth leaves them
 * valid (a shared buffer keeps its old length, and the block is at a fixed offset below it).
 */
export interface Control {
  i32: Int32Array;
  f32: Float32Array;
  costs: Float64Array;
}

export function controlViews(s: ThreadSetup): Control {
  return {
    i32: new Int32Array(s.memory.buffer, s.control, HEADER_BYTES / 4),
    f32: new Float32Array(s.memory.buffer, s.control, HEADER_BYTES / 4),
    costs: new Float64Array(s.memory.buffer, s.control + HEADER_BYTES, MAX_THREADS),
  };
}

/**
 * Whether a step runs by rows (each thread its rows of every layer over the whole batch, the bits
 * of one thread, no reduction): when WT has a block per thread. Otherwise each thread takes a slice
 * of the examples and their gradients are reduced.
 */
export function byRows(plan: LayerPlan, threads: number): boolean {
  return plan.blocks.length === threads;
}

/**
 * W^1 (transposed) from which size a step by rows also sums z^1 by rows (each thread its block of
 * W^1 over the whole batch: two more barriers a step, but each thread reads only the weights it
 * updates); below it, each thread sums z^1 of its own examples over all of W^1, in the phase that
 * makes their deltas. Measured on 2 threads (bench/RESULTS.md): 784-256-10 (0.8 MB) ran 7-12%
 * faster by examples, 784-800-10 (2.5 MB) 30% slower: its other half, rewritten by the other
 * core each step, crosses between the cores' caches.
 */
export const FIRST_BY_ROWS_MIN_BYTES = 1.5 * 2 ** 20;

/**
 * Whether a threaded step by rows sums z^1 by ranges of W^1's rows: when W^1 is big (above) and
 * z^1's rows are whole cache lines (16 floats), so that no two threads write one line of it;
 * otherwise by examples. The same bits either way.
 */
export function firstByRows(plan: LayerPlan): boolean {
  return plan.shapes[0].rows % 16 === 0 && plan.wtLength * 4 >= FIRST_BY_ROWS_MIN_BYTES;
}

/** Writes a step's update into the control block (f32 slots, then the optimizer's code). */
export function writeUpdate(c: Control, u: UpdateSettings): void {
  const f = c.f32;
  c.i32[OPTIMIZER] = u.optimizer;
  f[SCALE] = u.scale;
  f[MU] = u.momentum;
  f[BETA1] = u.beta1;
  f[BETA2] = u.beta2;
  f[EPSILON] = u.epsilon;
  f[RATE] = u.rate;
  f[DECAY] = u.decay;
  f[GRAD_SCALE] = u.gradScale;
  f[SHRINK] = u.shrink;
}

/** The step's update as every thread reads it (f32 values: the kernels take f32). */
export function readUpdate(c: Control): UpdateSettings {
  const f = c.f32;
  return { optimizer: c.i32[OPTIMIZER] as OptimizerCode, scale: f[SCALE], momentum: f[MU], beta1: f[BETA1], beta2: f[BETA2], epsilon: f[EPSILON], rate: f[RATE], decay: f[DECAY], shrink: f[SHRINK], gradScale: f[GRAD_SCALE] };
}

/** The staged dataset a step gathers from, as the caller wrote it in the control block. */
export function stagedData(ctrl: Int32Array): StagedData {
  return { images: ctrl[IMAGES] >>> 0, labels: ctrl[LABELS] >>> 0, runs: ctrl[RUNS] >>> 0, starts: ctrl[STARTS] >>> 0, form: ctrl[FORM] };
}

/** Spins briefly (a step takes well under a millisecond to start), then sleeps on the slot until it changes or `until` (ms) passes. */
export function waitWhileEqual(ctrl: Int32Array, index: number, value: number, until = Infinity): void {
  for (let spin = 0; spin < 20000; spin++) if (Atomics.load(ctrl, index) !== value) return;
  while (Atomics.load(ctrl, index) === value && performance.now() < until) {
    try {
      Atomics.wait(ctrl, index, value, 10);
    } catch {
      // a browser's main thread may not wait: keep spinning
    }
  }
}

// Data-parallel training on one shared WebAssembly.Memory: the caller is thread 0 and T - 1
// workers (worker_threads in Node, Web Workers in browsers) run only kernels on planned pointers.
// Plain SGD, four phases: each thread gathers its slice of the examples; sums z^1 for its range
// of W^1's rows over the whole mini-batch; makes the rest of the forward pass and the deltas of
// its slice of the examples; updates its range of every layer's rows over the whole batch. That
// gives the bits of one thread, and each thread alone ever touches its rows of W^1, which WT keeps
// in a block of their own (transposedBlocks: no line a prefetcher streams holds two threads'). Other
// optimizers and L2: each thread writes its slice's gradients to its own buffer, then reduces a
// slice of the parameters, summing the T buffers in thread order, so a seed and a thread count
// always give the same bits. Not for: memory planning.
import { WasmMlpError } from '../core/errors.js';
import type { Kernels } from '../core/kernels.js';
import { LayerLoop, type LayerPlan } from '../core/layers.js';
import type { MemoryPlan } from '../core/memory.js';
import type { OptimizerBuffers, UpdateSettings } from '../core/optimizer.js';
import { MAX_THREADS } from '../core/options.js';
import { isNode, nodeModule, nodeWorkerUrl } from '../core/platform.js';
import type { LayerShape } from '../core/shapes.js';
import type { StagedData } from '../core/staging.js';
import { rowRange, type TransposedW1 } from '../core/transposed.js';

/** Int32 slots of the control block, then one f64 cost per thread from byte HEADER_BYTES. */
const GEN = 0;
const CMD = 1;
const BATCH = 2;
const DONE = 3;
const IMAGES = 4;
const LABELS = 5;
// f32 slots of the same block, for the update: eta / m, momentum, Adam's beta1, beta2, epsilon and
// bias-corrected rate, L2 (m lambda / N, added to summed gradients), 1 / m; then the optimizer code.
const SCALE = 6;
const MU = 7;
const BETA1 = 8;
const BETA2 = 9;
const EPSILON = 10;
const RATE = 11;
const DECAY = 12;
const GRAD_SCALE = 13;
const OPTIMIZER = 14; // i32: 0 sgd, 1 momentum, 2 adam
const RUNS = 15;
const STARTS = 16;
const HEADER_BYTES = 128;
export const CONTROL_BYTES = HEADER_BYTES + 8 * MAX_THREADS;
/** A share that takes longer than this means a worker died: fail instead of hanging. */
const STALL_MS = 60_000;

const GRADIENTS = 1;
const REDUCE = 2;
const EXIT = 3;
const DELTAS = 4;
const UPDATE = 5;
const FIRST = 6;
const GATHER = 7;

/** What a pool needs of the network it trains. */
export interface PoolNetwork {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  threads: number;
  w1: TransposedW1;
  shapes: LayerShape[];
  parameterCount: number;
  optimizer: OptimizerBuffers | null;
}

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
  /** Floats of WT (cols * stride), b^1's offset in the parameters, and the parameter count. */
  wtLength: number;
  b1: number;
  parameterCount: number;
  /** [start, end) of W^l for l >= 2 in the parameters: where L2 applies besides WT. */
  weightRanges: [number, number][];
  /** The optimizer's state buffers ([WT | parameters] layout, as the gradients), if any. */
  state: number[];
}

/**
 * Views of the control block, made once per thread: the memory is shared, so growth leaves them
 * valid (a shared buffer keeps its old length, and the block is at a fixed offset below it).
 */
interface Control {
  i32: Int32Array;
  f32: Float32Array;
  costs: Float64Array;
}

function controlViews(s: ThreadSetup): Control {
  return {
    i32: new Int32Array(s.memory.buffer, s.control, HEADER_BYTES / 4),
    f32: new Float32Array(s.memory.buffer, s.control, HEADER_BYTES / 4),
    costs: new Float64Array(s.memory.buffer, s.control + HEADER_BYTES, MAX_THREADS),
  };
}

/**
 * Thread t's share of a command: gathering its examples (GATHER), z^1 for its rows of W^1
 * (FIRST), its examples' deltas (DELTAS) or gradients (GRADIENTS), its rows' update (UPDATE) or
 * its slice of the reduction (REDUCE).
 */
export function runShare(k: Kernels, loop: LayerLoop, s: ThreadSetup, c: Control, command: number): void {
  const ctrl = c.i32;
  const T = s.threads;
  const t = s.thread;
  const grads = s.grads + 4 * t * s.gstride;
  const gradsB = grads + 4 * s.wtLength;
  const [e0, e1] = [Math.floor((ctrl[BATCH] * t) / T), Math.floor((ctrl[BATCH] * (t + 1)) / T)]; // its examples
  if (command === GRADIENTS || command === DELTAS) {
    let cost = 0;
    if (e1 > e0) {
      if (command === DELTAS && firstByRows(s.plan)) {
        loop.forward(e0, e1 - e0, true, true); // gathered in GATHER, z^1 made by rows in FIRST
      } else {
        loop.gather(stagedData(ctrl), e0, e1 - e0);
        loop.forward(e0, e1 - e0, true);
      }
      cost = loop.cost(e0, e1 - e0);
      loop.backward(e0, e1 - e0, command === DELTAS ? { kind: 'deltas' } : { kind: 'partial', grads: gradsB, gradsWT: grads });
    } else if (command === GRADIENTS) {
      k.zero(grads, s.gstride); // no examples: nothing to add in the reduction
    }
    c.costs[t] = cost;
  } else if (command === GATHER) {
    if (e1 > e0) loop.gather(stagedData(ctrl), e0, e1 - e0);
  } else if (command === FIRST) {
    loop.firstColumns(ctrl[BATCH], t);
  } else if (command === UPDATE) {
    loop.updateRows(ctrl[BATCH], c.f32[SCALE], t, T);
  } else if (command === REDUCE) {
    reduceShare(k, s, c);
  }
}

/**
 * Whether a threaded SGD step sums z^1 by ranges of W^1's rows: only when z^1's rows are whole
 * cache lines (16 floats), so that no two threads write one line of it; otherwise by examples.
 */
function firstByRows(plan: LayerPlan): boolean {
  return plan.shapes[0].rows % 16 === 0;
}

/** The staged dataset a step gathers from, as the caller wrote it in the control block. */
function stagedData(ctrl: Int32Array): StagedData {
  return { images: ctrl[IMAGES] >>> 0, labels: ctrl[LABELS] >>> 0, runs: ctrl[RUNS] >>> 0, starts: ctrl[STARTS] >>> 0 };
}

/**
 * Thread t's slice of the update, in two ranges laid out alike in the gradients, the state and
 * the parameters: WT, then the parameters from b^1 on. Plain SGD without L2 fuses sum and update;
 * otherwise the sum goes to thread 0's buffer, L2 is added for the weights, then the optimizer.
 */
function reduceShare(k: Kernels, s: ThreadSetup, c: Control): void {
  const f = c.f32;
  const T = s.threads;
  const optimizer = c.i32[OPTIMIZER];
  const decay = f[DECAY];
  const ranges: [target: number, offset: number, n: number, weights: [number, number][]][] = [
    [s.plan.wt, 0, s.wtLength, [[0, s.wtLength]]],
    [s.plan.params + 4 * s.b1, s.wtLength + s.b1, s.parameterCount - s.b1, s.weightRanges.map(([a, b]) => [a - s.b1, b - s.b1])],
  ];
  for (const [target, offset, n, weights] of ranges) {
    const [i0, i1] = rowRange(n, s.thread, T, 4);
    if (i1 <= i0) continue;
    const len = i1 - i0;
    const p = target + 4 * i0;
    const g = s.grads + 4 * (offset + i0);
    if (optimizer === 0 && decay === 0) {
      k.reduceUpdate(p, g, T, s.gstride, f[SCALE], len);
      continue;
    }
    k.reduceInto(g, T, s.gstride, len);
    if (decay > 0) {
      for (const [w0, w1] of weights) {
        const a = Math.max(w0, i0);
        const b = Math.min(w1, i1);
        if (b > a) k.addScaled(s.grads + 4 * (offset + a), target + 4 * a, decay, b - a);
      }
    }
    const st = (j: number) => s.state[j] + 4 * (offset + i0);
    if (optimizer === 0) k.sgdUpdate(p, g, f[SCALE], len);
    else if (optimizer === 1) k.momentumUpdate(p, st(0), g, f[SCALE], f[MU], len);
    else k.adamUpdate(p, st(0), st(1), g, f[GRAD_SCALE], f[RATE], f[BETA1], f[BETA2], f[EPSILON], len);
  }
}

/** The worker side: waits for commands on the control block and runs its share until EXIT. */
export function serveThread(k: Kernels, s: ThreadSetup): void {
  const loop = new LayerLoop(k, s.plan);
  const c = controlViews(s);
  const ctrl = c.i32;
  // ThreadPool.start zeroed the block before any worker started; reading GEN here instead could
  // miss a step the caller began right after this worker said it was ready.
  let seen = 0;
  for (;;) {
    waitWhileEqual(ctrl, GEN, seen);
    seen = Atomics.load(ctrl, GEN);
    const command = Atomics.load(ctrl, CMD);
    if (command === EXIT) return;
    runShare(k, loop, s, c, command);
    Atomics.add(ctrl, DONE, 1);
    Atomics.notify(ctrl, DONE);
  }
}

/** Spins briefly (a step takes well under a millisecond to start), then sleeps on the slot until it changes or `until` (ms) passes. */
function waitWhileEqual(ctrl: Int32Array, index: number, value: number, until = Infinity): void {
  for (let spin = 0; spin < 20000; spin++) if (Atomics.load(ctrl, index) !== value) return;
  while (Atomics.load(ctrl, index) === value && performance.now() < until) {
    try {
      Atomics.wait(ctrl, index, value, 10);
    } catch {
      // a browser's main thread may not wait: keep spinning
    }
  }
}

interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** The caller's end: owns the workers and runs thread 0's share itself. */
export class ThreadPool {
  private readonly control: Control;

  private constructor(
    private readonly k: Kernels,
    private readonly loop: LayerLoop,
    private readonly setup: ThreadSetup,
    private readonly workers: WorkerLike[],
  ) {
    this.control = controlViews(setup);
  }

  /**
   * Reserves the control block and the threads' gradient buffers in `plan`, then starts
   * `threads - 1` workers on the network's module and shared memory; resolves when all are ready.
   */
  static async forNetwork(k: Kernels, loop: LayerLoop, plan: MemoryPlan, n: PoolNetwork): Promise<ThreadPool> {
    const T = n.threads;
    const gstride = Math.ceil((n.w1.wtLength + n.parameterCount) / 16) * 16;
    const what = `training with ${T} threads`;
    return ThreadPool.start(k, loop, {
      module: n.module,
      memory: n.memory,
      plan: loop.plan,
      thread: 0,
      threads: T,
      control: plan.reserve(CONTROL_BYTES, what),
      grads: plan.reserve(T * gstride * 4, what),
      gstride,
      wtLength: n.w1.wtLength,
      b1: n.shapes[0].bOffset,
      parameterCount: n.parameterCount,
      weightRanges: n.shapes.slice(1).map((s): [number, number] => [s.wOffset, s.wOffset + s.rows * s.cols]),
      state: n.optimizer?.state ?? [],
    });
  }

  /** Starts `setup.threads - 1` workers on the same module and memory; resolves when all are ready. */
  private static async start(k: Kernels, loop: LayerLoop, setup: ThreadSetup): Promise<ThreadPool> {
    controlViews(setup).i32.fill(0);
    const workers = await Promise.all(
      Array.from({ length: setup.threads - 1 }, (_, i) => spawn({ ...setup, thread: i + 1 })),
    );
    return new ThreadPool(k, loop, setup, workers);
  }

  /** One step over examples [0, m) of the batch buffers, whose indices are already written. Returns the summed cost. */
  step(data: StagedData, m: number, u: UpdateSettings): number {
    const { i32: ctrl, f32: f, costs } = this.control;
    ctrl[BATCH] = m;
    ctrl[IMAGES] = data.images;
    ctrl[LABELS] = data.labels;
    ctrl[RUNS] = data.runs;
    ctrl[STARTS] = data.starts;
    ctrl[OPTIMIZER] = u.optimizer;
    f[SCALE] = u.scale;
    f[MU] = u.momentum;
    f[BETA1] = u.beta1;
    f[BETA2] = u.beta2;
    f[EPSILON] = u.epsilon;
    f[RATE] = u.rate;
    f[DECAY] = u.decay;
    f[GRAD_SCALE] = u.gradScale;
    // plain SGD (Network sends it only when WT has a block per thread): the gather by examples,
    // z^1 by rows of W^1, the rest of the forward pass and the deltas by examples, then each
    // thread updates its rows of every layer (no gradient copies, the bits of one thread, and each
    // thread alone touches its rows of W^1); otherwise gradients by examples, then a reduction
    const sgd = u.optimizer === 0 && u.decay === 0;
    if (sgd && firstByRows(this.setup.plan)) {
      this.run(ctrl, GATHER);
      this.run(ctrl, FIRST);
    }
    this.run(ctrl, sgd ? DELTAS : GRADIENTS);
    let cost = 0;
    for (let t = 0; t < this.setup.threads; t++) cost += costs[t];
    this.run(ctrl, sgd ? UPDATE : REDUCE);
    return cost;
  }

  private run(ctrl: Int32Array, command: number): void {
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, CMD, command);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    runShare(this.k, this.loop, this.setup, this.control, command);
    const others = this.setup.threads - 1;
    const since = performance.now();
    for (let done = Atomics.load(ctrl, DONE); done < others; done = Atomics.load(ctrl, DONE)) {
      waitWhileEqual(ctrl, DONE, done, since + STALL_MS);
      if (performance.now() - since > STALL_MS) {
        throw new WasmMlpError(`a training thread did not finish its share within ${STALL_MS / 1000} s; ${others - Atomics.load(ctrl, DONE)} of ${others} workers missing`);
      }
    }
  }

  /** Stops the workers. */
  close(): void {
    const ctrl = this.control.i32;
    Atomics.store(ctrl, CMD, EXIT);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    for (const w of this.workers) w.terminate();
  }
}

async function spawn(setup: ThreadSetup): Promise<WorkerLike> {
  if (isNode && typeof Worker === 'undefined') {
    const worker = new (nodeModule('node:worker_threads').Worker)(nodeWorkerUrl(import.meta.url, 'worker'));
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.postMessage(setup);
    });
    worker.unref();
    return worker;
  }
  // written as one expression so that bundlers (Vite) find and emit the worker
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  await new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (e) => reject(new WasmMlpError(`training worker failed: ${e.message}`));
    worker.postMessage(setup);
  });
  return worker;
}

// Data-parallel training on one shared WebAssembly.Memory: the caller is thread 0 and T - 1
// workers (worker_threads in Node, Web Workers in browsers) run only kernels on planned pointers.
// When WT has a block per thread, a step goes by rows, in four phases: each thread gathers its
// slice of the examples; sums z^1 for its range of W^1's rows over the whole mini-batch; makes the
// rest of the forward pass and the deltas of its slice of the examples; updates its range of every
// layer's rows over the whole batch (SGD fused; momentum and Adam from its rows' gradients). That
// gives the bits of one thread for every optimizer, and each thread alone ever touches its rows of
// W^1, which WT keeps in a block of their own (transposedBlocks: no line a prefetcher streams holds
// two threads'). Otherwise each thread writes its slice's gradients to its own buffer, then reduces
// a slice of the parameters, summing the T buffers in thread order, so a seed and a thread count
// always give the same bits. Not for: memory planning.
import type { EngineParts, StartedEngine } from '../core/engine.js';
import { WasmMlpError } from '../core/errors.js';
import type { Kernels } from '../core/kernels.js';
import type { LayerLoop } from '../core/layers.js';
import type { UpdateSettings } from '../core/optimizer.js';
import { updateLayout } from '../core/optimizer-state.js';
import type { StagedData } from '../core/staging.js';
import { startWorker, type WorkerPort } from '../core/workers.js';
import { BATCH, byRows, CMD, CONTROL_BYTES, controlViews, DELTAS, DONE, EXIT, FIRST, firstByRows, FORM, GATHER, GEN, GRADIENTS, IMAGES, LABELS, MAX_NORM, REDUCE, RUNS, STALL_MS, STARTS, UPDATE, waitWhileEqual, writeUpdate, type Control, type ThreadSetup } from './protocol.js';
import { runShare } from './share.js';

/** The caller's end, the threads' step engine: owns the workers and runs thread 0's share itself. */
export class ThreadPool implements StartedEngine {
  private readonly control: Control;

  private constructor(
    private readonly k: Kernels,
    private readonly loop: LayerLoop,
    private readonly setup: ThreadSetup,
    private readonly workers: WorkerPort[],
  ) {
    this.control = controlViews(setup);
  }

  /**
   * Reserves the control block and the threads' gradient buffers in `parts.plan`, then starts
   * `threads - 1` workers on the network's module and shared memory; resolves when all are ready.
   */
  static async start(parts: EngineParts): Promise<ThreadPool> {
    const { k, loop, plan, threads: T } = parts;
    const layout = updateLayout(parts.w1, parts.params, parts.shapes, parts.parameterCount);
    if (!parts.memory) throw new WasmMlpError('training on threads needs a threads build of the kernels, on a shared memory');
    const gstride = Math.ceil((layout.wtLength + layout.parameterCount) / 16) * 16;
    const what = `training with ${T} threads`;
    const setup: ThreadSetup = {
      module: parts.module,
      memory: parts.memory,
      plan: loop.plan,
      thread: 0,
      threads: T,
      control: plan.reserve(CONTROL_BYTES, what),
      grads: plan.reserve(T * gstride * 4, what),
      gstride,
      layout,
      state: parts.optimizer?.state ?? [],
    };
    controlViews(setup).i32.fill(0);
    const workers = await Promise.all(Array.from({ length: T - 1 }, (_, i) => spawn({ ...setup, thread: i + 1 })));
    return new ThreadPool(k, loop, setup, workers);
  }

  /**
   * One step over examples [0, m) of the batch buffers, whose indices are already written (with
   * `maxNorm`, then each thread caps its hidden units' norms). Returns the summed cost.
   */
  step(data: StagedData, m: number, u: UpdateSettings, maxNorm = false): number {
    const { i32: ctrl, costs } = this.control;
    ctrl[BATCH] = m;
    ctrl[IMAGES] = data.images;
    ctrl[LABELS] = data.labels;
    ctrl[RUNS] = data.runs;
    ctrl[STARTS] = data.starts;
    ctrl[FORM] = data.form;
    writeUpdate(this.control, u);
    // by rows when WT has a block per thread: the gather by examples, z^1 by rows of W^1, the rest
    // of the forward pass and the deltas by examples, then each thread updates its rows of every
    // layer (no gradient copies, no reduction: the bits of one thread, and each thread alone
    // touches its rows of W^1); otherwise gradients by examples, then a reduction
    const rows = byRows(this.setup.plan, this.setup.threads);
    if (rows && firstByRows(this.setup.plan)) {
      this.run(ctrl, GATHER);
      this.run(ctrl, FIRST);
    }
    this.run(ctrl, rows ? DELTAS : GRADIENTS);
    let cost = 0;
    for (let t = 0; t < this.setup.threads; t++) cost += costs[t];
    this.run(ctrl, rows ? UPDATE : REDUCE);
    if (maxNorm) this.run(ctrl, MAX_NORM);
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

/** Starts one worker on `setup`; resolves when it is ready. */
function spawn(setup: ThreadSetup): Promise<WorkerPort> {
  return new Promise((resolve, reject) => {
    // the Web Worker written as one expression so that bundlers (Vite) find and emit it
    const worker = startWorker(import.meta.url, 'worker', () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }), {
      message: () => {
        worker.unref();
        resolve(worker);
      },
      error: reject,
    });
    worker.post(setup);
  });
}

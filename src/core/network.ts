// The network of the lecture: sizes [n0, ..., nL], sigmoid layers and quadratic cost by default
// (tanh/ReLU, cross-entropy/log-likelihood as options): NetworkBase's memory, parameters and
// inference (network-base.ts), and training: backprop, steps on an engine (engine.ts),
// regularisation and the optimizer's state. Not for: epochs, shuffling, evaluation schedules or
// which engine runs a step: train/ decides those.
import { compileKernels, sharedBuild, sharedMemory } from './kernels.js';
import type { Gradients } from './batch.js';
import { checkEta, settle, type NetworkOptions } from './options.js';
import { checkOptimizer, stepUpdate, type Optimizer, type OptimizerState, type StepSettings } from './optimizer.js';
import type { OptimizerBuffers } from './optimizer-state.js';
import type { RegularizeOptions, Regularizing } from './regularize.js';
import type { StagedDataset } from './staging.js';
import { oneThreadStep, type EngineParts, type StartedEngine, type StepEngine } from './engine.js';
import { NetworkBase } from './network-base.js';
import type { Gpu } from './webgpu.js';

export type { Gradients } from './batch.js';

/** A network and its kernel instance, which trains. */
export class Network extends NetworkBase {
  /** While a run regularises: its max-norm and how each epoch's keys are written. */
  private regularization?: Regularizing | null;
  private optimizer: OptimizerBuffers | null = null;
  /** @internal The one-thread engine (engine.ts); the engine training steps run on; one started for the current scope (threads). */
  readonly oneThread: StepEngine = { step: (s, m, u, maxNorm) => oneThreadStep(this.k(), this.batch.loop, this.optimizer, s, m, u, maxNorm) };
  private engine: StepEngine = this.oneThread;
  private started?: StartedEngine | null;

  /**
   * With kernels 'webgpu': the device training runs on (train/ hands its runs to src/gpu/), null
   * until the first run requests it (WebGpuUnavailableError there when WebGPU is missing).
   */
  gpu?: Gpu | null;

  /** Loads the kernels (once per process) and makes a network with seeded random parameters. */
  static async create(options: NetworkOptions): Promise<Network> {
    const o = settle(options);
    const module = await compileKernels(o.variant);
    const memory = sharedBuild(o.variant) ? sharedMemory() : undefined; // also for kernels 'threads' on one thread
    const net = new Network(module, memory, o);
    if (options.kernels === 'webgpu') net.gpu = null;
    net.initialize(o.seed, o.init);
    // loaded only by networks that return the log-softmax
    if (o.output === 'log-softmax') net.logSoftmax = (await import('./log-softmax.js')).logSoftmaxRows;
    return net;
  }

  // ---- single batches given as f32 inputs

  /**
   * Backprop over one batch: the gradients of the summed cost, without changing the parameters.
   * With `row0`, as a training step of rows row0.. of the epoch begun by beginEpoch: the hidden
   * layers' dropout masks (regularize) apply. (Input dropout applies only to gathered batches.)
   */
  backprop(x: Float32Array, labels: ArrayLike<number>, row0?: number): Gradients {
    const m = this.loadBatch(x, labels);
    if (row0 !== undefined) this.context.step(row0);
    let cost: number;
    try {
      cost = this.batch.gradients(this.nabla, this.parameterCount, m);
    } finally {
      this.context.step(-1);
    }
    return this.batch.readGradients(this.nabla, this.shapes, cost);
  }

  /** One gradient-descent step on one batch: W -= (eta / n) sum of gradients. Returns the batch's summed cost. */
  sgdStep(x: Float32Array, labels: ArrayLike<number>, eta: number): number {
    checkEta(eta);
    const m = this.loadBatch(x, labels);
    const cost = this.batch.gradients(this.nabla, this.parameterCount, m);
    this.writeParameters(() => this.k().sgdUpdate(this.params, this.nabla, eta / m, this.parameterCount));
    return cost;
  }

  // ---- training steps

  /**
   * Dropout, max-norm and augmentation for the training steps that follow (train() calls it inside
   * its staging scope, after the data is staged and before the threads start; `null` ends them).
   * `images` gives the training images' rows and cols, which augmentation needs.
   */
  async regularize(options: RegularizeOptions | null, images?: { rows?: number; cols?: number }): Promise<void> {
    this.regularization = null;
    this.context.clear();
    if (!options) return;
    // loaded only by runs that regularise: most pages never download it
    this.regularization = (await import('./regularize.js')).setUpRegularization(this.context, this.plan, options, { layers: this.layerCount, inputs: this.inputSize, threads: this.threads }, images);
  }

  /** The dropout and augmentation keys of epoch `epoch` of a run seeded `seed`. */
  beginEpoch(seed: number, epoch: number): void {
    this.regularization?.epoch(seed, epoch);
  }

  /**
   * One step of mini-batch gradient descent on examples indices[start, start + m) of `s` (gather,
   * forward, cost, backprop, update: engine.ts), on the engine set by useEngine (the one-thread
   * engine by default). Returns the batch's summed cost.
   */
  trainBatch(s: StagedDataset, indices: Uint32Array, start: number, m: number, eta: number, step?: StepSettings): number {
    this.batch.setIndices((n) => indices[start + n], m);
    this.w1.willTrain();
    this.context.step(start);
    try {
      return this.engine.step(s, m, stepUpdate(m, eta, step, this.optimizer), (this.regularization?.maxNorm ?? 0) > 0);
    } finally {
      this.context.step(-1);
    }
  }

  /**
   * Makes room for `kind`'s gradients and state (zeroed) unless the network already has them;
   * like resident datasets, only while nothing is staged. Plain SGD needs none.
   */
  async prepareOptimizer(kind: Optimizer): Promise<void> {
    checkOptimizer(kind);
    if (kind === 'sgd' || this.optimizer?.kind === kind) return;
    // loaded only by networks that train with momentum or Adam
    const state = await import('./optimizer-state.js'); // not destructured: bundlers wrap a destructured dynamic import in more code
    this.optimizer = this.regions.fixed('an optimizer', () => state.OptimizerBuffers.reserve(this.plan, this.k(), kind, state.updateLayout(this.w1, this.params, this.shapes, this.parameterCount), this.optimizer?.grads));
  }

  /**
   * The momentum or Adam state (null for plain SGD or before training), each buffer in the
   * parameters' layout (W1, b1, W2, b2, ...; W1 row-major), so that a checkpoint can carry it.
   */
  getOptimizerState(): OptimizerState | null {
    return this.optimizer?.read(this.w1, this.parameterCount) ?? null;
  }

  /** Restores a state from getOptimizerState (same sizes); prepares the optimizer if needed. */
  async setOptimizerState(state: OptimizerState): Promise<void> {
    await this.prepareOptimizer(state.kind);
    this.optimizer!.write(this.w1, state, this.parameterCount);
  }

  /**
   * @internal Starts an engine (the threads') on this network's current buffers, for the rest of the
   * withStaged scope it is called in: the scope's end closes it and the one-thread engine runs
   * steps again. Set it to run steps with useEngine.
   */
  async startEngine<E extends StartedEngine>(start: (parts: EngineParts) => Promise<E>): Promise<E> {
    this.closeEngine();
    this.regions.markThreads();
    const { module, memory, threads, plan, w1, params, shapes, parameterCount, optimizer } = this;
    const engine = await start({ k: this.k(), loop: this.batch.loop, plan, module, memory, threads, w1, params, shapes, parameterCount, optimizer });
    this.started = engine;
    return engine;
  }

  /** @internal The engine training steps run on (train/ routes them; null: the one-thread engine). */
  useEngine(engine: StepEngine | null): void {
    this.engine = engine ?? this.oneThread;
  }

  /** Closes the started engine, if any; steps run on the one-thread engine again. */
  private closeEngine(): void {
    this.started?.close();
    this.started = null;
    this.engine = this.oneThread;
  }

  /** Frees the kernel instance; the network cannot be used afterwards. */
  override dispose(): void {
    this.closeEngine();
    super.dispose();
  }

  protected scopeEnds(): void {
    this.closeEngine();
  }
}

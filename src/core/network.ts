// The network of the lecture: sizes [n0, ..., nL], sigmoid layers and quadratic cost by default
// (tanh/ReLU, cross-entropy/log-likelihood as options). A short front over one kernel instance:
// its memory plan, parameters, inference, staged data and training steps, each of which has a
// module of its own (transposed.ts, staging.ts, layers.ts, optimizer.ts, engine.ts). Not for:
// epochs, shuffling, evaluation schedules or which engine runs a step: train/ decides those.
import type { TrainingData } from './datasets.js';
import type { Activation, Cost } from './costs.js';
import { InvalidArgumentError, WasmMlpError } from './errors.js';
import { compileKernels, instantiateKernels, sharedBuild, sharedMemory, type KernelVariant, type Kernels } from './kernels.js';
import { BatchBuffers, countInputs, type Gradients } from './batch.js';
import { MemoryPlan } from './memory.js';
import { checkOptimizer, stepUpdate, updateLayout, type Optimizer, type OptimizerState, type StepSettings, type UpdateLayout } from './optimizer.js';
import type { OptimizerBuffers } from './optimizer-state.js';
import { checkCapacity, checkEta, checkParameters, drawParameters, settle, type NetworkOptions, type Settled, type WeightInit } from './options.js';
import { layerShape, layerShapes, parameterCount, type LayerShape } from './shapes.js';
import { StepContext } from './context.js';
import type { RegularizeOptions, Regularizing } from './regularize.js';
import { Regions } from './regions.js';
import { Staging, type StagedDataset } from './staging.js';
import { TransposedW1 } from './transposed.js';
import { oneThreadStep, type EngineParts, type StartedEngine, type StepEngine } from './engine.js';

export type { Gradients } from './batch.js';

/** A network and its kernel instance; its memory's regions over time are in regions.ts. */
export class Network {
  readonly sizes: readonly number[];
  readonly parameterCount: number;
  readonly variant: KernelVariant;
  /** Threads used by training (1 when threads were not asked for or are not supported here). */
  readonly threads: number;
  readonly activation: Activation;
  readonly cost: Cost;
  readonly shapes: LayerShape[];
  private readonly plan: MemoryPlan;
  private kernels: Kernels | null;
  /** Byte offsets of the parameters and their gradients, each one contiguous f32 region. */
  readonly params: number;
  private readonly nabla: number;
  readonly w1: TransposedW1;
  private readonly staging: Staging;
  private readonly regions: Regions;
  private batch!: BatchBuffers;
  private context!: StepContext;
  /** While a run regularises: its max-norm and how each epoch's keys are written. */
  private regularization: Regularizing | null = null;
  private optimizer: OptimizerBuffers | null = null;
  private readonly layout: UpdateLayout;
  /** The one-thread engine (engine.ts), the engine training steps run on, and one started for the current scope (threads). */
  readonly oneThread: StepEngine = { step: (s, m, u, maxNorm) => oneThreadStep(this.k(), this.batch.loop, this.optimizer, this.layout, s, m, u, maxNorm) };
  private engine: StepEngine = this.oneThread;
  private started: StartedEngine | null = null;

  /** Loads the kernels (once per process) and makes a network with seeded random parameters. */
  static async create(options: NetworkOptions): Promise<Network> {
    const o = settle(options);
    const module = await compileKernels(o.variant);
    const memory = sharedBuild(o.variant) ? sharedMemory() : undefined; // also for kernels 'threads' on one thread
    const net = new Network(module, memory, o);
    net.initialize(o.seed, o.init);
    return net;
  }

  private constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory | undefined,
    o: Settled,
  ) {
    this.kernels = instantiateKernels(module, memory);
    ({ variant: this.variant, threads: this.threads, activation: this.activation, cost: this.cost } = o);
    this.sizes = Object.freeze(o.sizes);
    this.shapes = layerShapes(o.sizes);
    this.parameterCount = parameterCount(o.sizes);
    this.plan = new MemoryPlan(this.kernels);
    this.params = this.plan.reserve(this.parameterCount * 4, `the ${this.parameterCount} parameters`);
    this.nabla = this.plan.reserve(this.parameterCount * 4, `the ${this.parameterCount} gradients`);
    this.w1 = new TransposedW1(this.plan, this.shapes[0], this.threads);
    this.layout = updateLayout(this.w1, this.params, this.shapes, this.parameterCount);
    this.staging = new Staging(this.plan, this.kernels, this.inputSize, this.outputSize);
    this.regions = new Regions(this.plan);
    this.ensureCapacity(o.capacity);
  }

  get inputSize(): number {
    return this.sizes[0];
  }

  get outputSize(): number {
    return this.sizes[this.sizes.length - 1];
  }

  /** Number of weight layers L (sizes.length - 1). */
  get layerCount(): number {
    return this.shapes.length;
  }

  // ---- parameters

  /** Redraws every parameter with the seeded PRNG, as drawParameters (options.ts) says. */
  initialize(seed: number, init: WeightInit = 'scaled'): void {
    this.writeParameters((p) => drawParameters(p, this.shapes, seed, init));
  }

  /** A copy of all parameters in their layout (W1, b1, W2, b2, ...). */
  getParameters(): Float32Array {
    return this.paramView().slice();
  }

  /** Replaces all parameters; `p` must have parameterCount finite values in the same layout. */
  setParameters(p: ArrayLike<number>): void {
    checkParameters(p, this.parameterCount, this.sizes);
    this.writeParameters((view) => view.set(p));
  }

  /** A copy of W^l, (sizes[l], sizes[l-1]) row-major, for l = 1..L as in the lecture. */
  weights(l: number): Float32Array {
    const s = layerShape(this.shapes, l);
    return this.paramView().slice(s.wOffset, s.wOffset + s.rows * s.cols);
  }

  /** A copy of b^l, (sizes[l]), for l = 1..L. */
  biases(l: number): Float32Array {
    const s = layerShape(this.shapes, l);
    return this.paramView().slice(s.bOffset, s.bOffset + s.rows);
  }

  // ---- inference and single batches given as f32 inputs

  /** Output activations a^L, (count, outputs), of inputs x, (count, inputs) with values in [0, 1]. */
  forward(x: Float32Array): Float32Array {
    const count = this.checkInput(x);
    const out = new Float32Array(count * this.outputSize);
    this.batch.forEachChunk(x, count, (start, m) => out.set(this.batch.outputsOf(m), start * this.outputSize));
    return out;
  }

  /** Predicted class (index of the largest output) of each input in x, (count, inputs). */
  predict(x: Float32Array): Uint8Array {
    const count = this.checkInput(x);
    const out = new Uint8Array(count);
    this.batch.forEachChunk(x, count, (start, m) => out.set(this.batch.argmax(m), start));
    return out;
  }

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

  // ---- data in the network's memory

  /** Makes room for batches of `n` examples. Only between trainings: it forgets staged datasets. */
  ensureCapacity(n: number): void {
    checkCapacity(n);
    if (n <= (this.batch?.capacity ?? 0)) return;
    this.staging.clear();
    this.regions.remakeBatch(() => {
      this.batch = new BatchBuffers(this.plan, this.k(), this, n);
      this.context = new StepContext(this.plan, this.batch.layout.context, this.layerCount);
      this.context.clear();
    });
  }

  /**
   * Runs `use` with a function that stages datasets in the network's memory (copied in unless
   * resident, and scanned once into the run table the mini-batch gather reads); all of it, and the
   * training threads started inside, is released when `use` returns or its promise settles.
   */
  withStaged<T>(use: (stage: (data: TrainingData) => StagedDataset) => T): T {
    return this.regions.scope(() => use((data) => this.staging.stage(data)), (mark, threadsInside) => {
      if (threadsInside) this.closeEngine();
      this.staging.release(mark);
    });
  }

  /**
   * Room for `bytes` in this network's memory that lasts as long as the network (a resident
   * dataset's images or labels: data/resident.ts); only while nothing is staged. Returns a function
   * that gives a fresh view of it on every call (the memory may grow).
   */
  reserveResident(bytes: number, what: string): () => Uint8Array {
    const at = this.regions.fixed('a resident dataset', () => this.plan.reserve(bytes, what));
    return () => this.plan.u8.subarray(at, at + bytes);
  }

  /** Correct predictions and summed cost over all of `s`, in batches of the capacity; the predicted classes go to `predictions` if given. */
  evaluateStaged(s: StagedDataset, predictions?: Uint8Array): { correct: number; cost: number } {
    return this.batch.evaluate(s, predictions);
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
    const { setUpRegularization } = await import('./regularize.js');
    this.regularization = setUpRegularization(this.context, this.plan, options, { layers: this.layerCount, inputs: this.inputSize, threads: this.threads }, images);
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
    const { OptimizerBuffers } = await import('./optimizer-state.js');
    this.optimizer = this.regions.fixed('an optimizer', () => OptimizerBuffers.reserve(this.plan, this.k(), kind, this.w1.wtLength + this.parameterCount, this.optimizer?.grads));
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
   * Starts an engine (the threads') on this network's current buffers, for the rest of the
   * withStaged scope it is called in: the scope's end closes it and the one-thread engine runs
   * steps again. Set it to run steps with useEngine.
   */
  async startEngine<E extends StartedEngine>(start: (parts: EngineParts) => Promise<E>): Promise<E> {
    this.closeEngine();
    this.regions.markThreads();
    const { module, memory, threads, plan, layout } = this;
    const engine = await start({ k: this.k(), loop: this.batch.loop, plan, module, memory, threads, layout, state: this.optimizer?.state ?? [] });
    this.started = engine;
    return engine;
  }

  /** The engine training steps run on (train/ routes them; null: the one-thread engine). */
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
  dispose(): void {
    this.closeEngine();
    this.kernels = null;
    this.staging.clear();
  }

  get disposed(): boolean {
    return this.kernels === null;
  }

  // ---- helpers

  /** Lets `write` change the parameter region (row-major layout), then copies W^1 into WT. */
  private writeParameters(write: (p: Float32Array) => void): void {
    write(this.paramView());
    this.w1.loadRowMajor(this.params);
  }

  private paramView(): Float32Array {
    this.k();
    this.w1.refreshRowMajor(this.params);
    return this.plan.f32.subarray(this.params >> 2, (this.params >> 2) + this.parameterCount);
  }

  /** Copies a batch given as f32 inputs and labels into the batch buffers; returns its size. */
  private loadBatch(x: Float32Array, labels: ArrayLike<number>): number {
    const m = this.checkInput(x);
    this.ensureCapacity(m);
    this.batch.load(x, labels, m);
    return m;
  }

  private checkInput(x: Float32Array): number {
    this.k();
    return countInputs(x, this.inputSize);
  }

  private k(): Kernels {
    if (!this.kernels) throw new WasmMlpError('this network was disposed');
    return this.kernels;
  }
}

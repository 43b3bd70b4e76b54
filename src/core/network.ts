// The network of the lecture: sizes [n0, ..., nL], sigmoid layers and quadratic cost by default
// (tanh/ReLU, cross-entropy/log-likelihood as options). A short front over one kernel instance:
// its memory plan, parameters, inference, staged data and training steps, each of which has a
// module of its own (transposed.ts, staging.ts, layers.ts, optimizer.ts, parallel/). Not for:
// epochs, shuffling or evaluation schedules; the training loop in train/ drives those.
import type { TrainingData } from '../data/features.js';
import type { Activation, Cost } from './costs.js';
import { InvalidArgumentError, WasmMlpError } from './errors.js';
import { compileKernels, instantiateKernels, sharedBuild, sharedMemory, type KernelVariant, type Kernels } from './kernels.js';
import { BatchBuffers, countInputs } from './batch.js';
import { MemoryPlan } from './memory.js';
import { buffersFor, checkOptimizer, isPlainSgd, threadUpdate, type Optimizer, type OptimizerState, type StepSettings } from './optimizer.js';
import type { OptimizerBuffers } from './optimizer-state.js';
import { checkCapacity, checkEta, drawParameters, settle, type NetworkOptions, type Settled, type WeightInit } from './options.js';
import { layerShapes, parameterCount, type LayerShape } from './shapes.js';
import { StepContext } from './context.js';
import type { RegularizeOptions } from './regularize.js';
import { scoped, Staging, type StagedDataset } from './staging.js';
import { TransposedW1 } from './transposed.js';
import { runsThreaded } from '../parallel/routing.js';
import type { ThreadPool } from '../parallel/pool.js';

/** Summed (not averaged) gradients of the cost over one batch, per layer l = 1..L at index l-1. */
export interface Gradients {
  nablaW: Float32Array[];
  nablaB: Float32Array[];
  /** Sum over the batch of the cost (quadratic: sum_j (a_j - y_j)^2). */
  cost: number;
}

/**
 * Memory, bottom up: parameters, gradients and WT (fixed); the batch buffers; resident datasets
 * and optimizer buffers (fixed, kept across trainings); then what a scope stages, and the threads'
 * buffers, both released when the scope ends.
 */
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
  /** Start and end of the batch buffers, and end of everything that is not staged. */
  private batchMark: number;
  private batchEnd = 0;
  private fixedEnd = 0;
  private batch!: BatchBuffers;
  private context!: StepContext;
  /** While a run regularises: its max-norm and how each epoch's keys are written. */
  private regularization: { maxNorm: number; epoch(seed: number, e: number): void } | null = null;
  private optimizer: OptimizerBuffers | null = null;
  private pool: ThreadPool | null = null;
  private poolMark = 0;

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
    this.staging = new Staging(this.plan, this.kernels, this.inputSize, this.outputSize);
    this.batchMark = this.plan.mark();
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

  /**
   * Redraws every parameter with the seeded PRNG (stream 0 of `seed`), in layout order: N(0, 1)
   * scaled by 1 (init 'normal'), 1/sqrt(n_in) ('scaled') or sqrt(2/n_in) ('he') for weights;
   * N(0, 1) for biases, or zero with 'he'.
   */
  initialize(seed: number, init: WeightInit = 'scaled'): void {
    this.writeParameters((p) => drawParameters(p, this.shapes, seed, init));
  }

  /** A copy of all parameters in their layout (W1, b1, W2, b2, ...). */
  getParameters(): Float32Array {
    return this.paramView().slice();
  }

  /** Replaces all parameters; `p` must have parameterCount finite values in the same layout. */
  setParameters(p: ArrayLike<number>): void {
    if (p.length !== this.parameterCount) {
      throw new InvalidArgumentError(`parameters: expected ${this.parameterCount} values for sizes [${this.sizes}], got ${p.length}`);
    }
    for (let i = 0; i < p.length; i++) {
      if (!Number.isFinite(p[i])) throw new InvalidArgumentError(`parameters: value ${i} is ${p[i]}, expected a finite number`);
    }
    this.writeParameters((view) => view.set(p));
  }

  /** A copy of W^l, (sizes[l], sizes[l-1]) row-major, for l = 1..L as in the lecture. */
  weights(l: number): Float32Array {
    const s = this.shape(l);
    return this.paramView().slice(s.wOffset, s.wOffset + s.rows * s.cols);
  }

  /** A copy of b^l, (sizes[l]), for l = 1..L. */
  biases(l: number): Float32Array {
    const s = this.shape(l);
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
    const g = this.plan.f32;
    const at = (offset: number, n: number) => g.slice((this.nabla >> 2) + offset, (this.nabla >> 2) + offset + n);
    return { nablaW: this.shapes.map((s) => at(s.wOffset, s.rows * s.cols)), nablaB: this.shapes.map((s) => at(s.bOffset, s.rows)), cost };
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
    // Resident datasets after the batch buffers must survive: then the new buffers go on top.
    if (this.fixedEnd > this.batchEnd) this.batchMark = this.fixedEnd;
    this.plan.release(this.batchMark);
    this.batch = new BatchBuffers(this.plan, this.k(), this, n);
    this.context = new StepContext(this.plan, this.batch.layout.context, this.layerCount);
    this.context.clear();
    this.batchEnd = this.fixedEnd = this.plan.mark();
  }

  /**
   * Runs `use` with a function that stages datasets in the network's memory (copied in unless
   * resident, and scanned once into the run table the mini-batch gather reads); all of it, and the
   * training threads started inside, is released when `use` returns or its promise settles.
   */
  withStaged<T>(use: (stage: (data: TrainingData) => StagedDataset) => T): T {
    const mark = this.plan.mark();
    return scoped(() => use((data) => this.staging.stage(data)), () => {
      if (mark <= this.poolMark) this.stopThreads();
      this.staging.release(mark);
      this.plan.release(mark);
    });
  }

  /**
   * Room for `bytes` in this network's memory that lasts as long as the network (a resident
   * dataset's images or labels: data/resident.ts); only while nothing is staged. Returns a function
   * that gives a fresh view of it on every call (the memory may grow).
   */
  reserveResident(bytes: number, what: string): () => Uint8Array {
    this.checkNothingStaged('a resident dataset');
    const at = this.plan.reserve(bytes, what);
    this.fixedEnd = this.plan.mark();
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
    const reg = await import('./regularize.js');
    const r = reg.checkRegularization(options, this.layerCount);
    let augment = null;
    if (r.augment) {
      const { rows = 0, cols = 0 } = images ?? {};
      if (rows * cols !== this.inputSize) throw new InvalidArgumentError(`augmentation distorts images: it needs a dataset of images of ${this.inputSize} pixels${rows ? `, got ${rows} x ${cols}` : ', not features'}`);
      const params = this.plan.reserve(reg.AUGMENT_PARAMS * 4, 'the augmentation');
      this.plan.f32.set(reg.augmentParams(r.augment), params >> 2);
      const scratchBytes = Math.ceil((reg.augmentScratchFloats(rows, cols) * 4) / 64) * 64;
      augment = { params, scratch: this.plan.reserve(this.threads * scratchBytes, 'the augmentation'), scratchBytes, rows, cols };
    }
    reg.configure(this.context, r, augment);
    this.regularization = { maxNorm: r.maxNorm, epoch: (seed, e) => reg.setEpochKeys(this.context, seed, e) };
  }

  /** The dropout and augmentation keys of epoch `epoch` of a run seeded `seed`. */
  beginEpoch(seed: number, epoch: number): void {
    this.regularization?.epoch(seed, epoch);
  }

  /**
   * One step of mini-batch gradient descent on examples indices[start, start + m) of `s`:
   * gather, forward, then backprop fused with the update W^l -= (eta / m) delta^l (a^(l-1))^T,
   * which gives the same bits as backprop into nablaW followed by sgdUpdate for l >= 2 (W^1 is
   * updated example by example, so rounded in another order); momentum and Adam update from the
   * batch's gradients. On the threads where they pay (parallel/routing.ts). Returns the batch's
   * summed cost.
   */
  trainBatch(s: StagedDataset, indices: Uint32Array, start: number, m: number, eta: number, step?: StepSettings): number {
    const { batch } = this;
    batch.setIndices((n) => indices[start + n], m);
    this.w1.willTrain();
    this.context.step(start);
    try {
      return this.step(s, m, eta, step);
    } finally {
      this.context.step(-1);
    }
  }

  private step(s: StagedDataset, m: number, eta: number, step?: StepSettings): number {
    const { batch } = this;
    const maxNorm = (this.regularization?.maxNorm ?? 0) > 0;
    if (this.pool && runsThreaded({ plainSgd: isPlainSgd(step), batch: m, parameters: this.parameterCount, blocks: this.w1.blocks.length, threads: this.threads })) {
      return this.pool.step(s, m, threadUpdate(m, eta, step, this.optimizer), maxNorm);
    }
    batch.loop.gather(s, 0, m);
    batch.loop.forward(0, m, true);
    const cost = batch.loop.cost(0, m);
    if ((step?.optimizer ?? 'sgd') === 'sgd') {
      batch.loop.backward(0, m, { kind: 'step', scale: eta / m, decay: 1 - eta * (step?.decayPerExample ?? 0) });
    } else {
      buffersFor(this.optimizer, step!.optimizer).step(this.k(), batch.loop, this.w1, this.params, this.shapes, m, eta, step!);
    }
    if (maxNorm) batch.loop.maxNorm(0, 1);
    return cost;
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
    this.checkNothingStaged('an optimizer');
    this.optimizer = OptimizerBuffers.reserve(this.plan, this.k(), kind, this.w1.wtLength + this.parameterCount, this.optimizer?.grads);
    this.fixedEnd = this.plan.mark();
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

  /** Starts the training threads on the current buffers (inside withStaged, which stops them). Does nothing for one thread. */
  async startThreads(): Promise<void> {
    if (this.threads === 1 || this.pool) return;
    this.poolMark = this.plan.mark();
    const { module, memory, threads, w1, shapes, parameterCount, optimizer } = this;
    // loaded only by networks that train on threads: most pages never download it
    const { ThreadPool } = await import('../parallel/pool.js');
    this.pool = await ThreadPool.forNetwork(this.k(), this.batch.loop, this.plan, { module, memory: memory!, threads, w1, shapes, parameterCount, optimizer });
  }

  /** Stops the training threads, if any. */
  stopThreads(): void {
    this.pool?.close();
    this.pool = null;
  }

  /** Frees the kernel instance; the network cannot be used afterwards. */
  dispose(): void {
    this.stopThreads();
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

  private checkNothingStaged(what: string): void {
    if (this.plan.mark() !== this.fixedEnd) throw new WasmMlpError(`${what} cannot be made while data is staged (during training or evaluation)`);
  }

  private shape(l: number): LayerShape {
    if (!Number.isInteger(l) || l < 1 || l > this.layerCount) {
      throw new InvalidArgumentError(`layer ${l} does not exist: layers are numbered 1 to ${this.layerCount}`);
    }
    return this.shapes[l - 1];
  }

  private k(): Kernels {
    if (!this.kernels) throw new WasmMlpError('this network was disposed');
    return this.kernels;
  }
}

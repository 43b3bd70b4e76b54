// The network of the lecture: sizes [n0, ..., nL], sigmoid layers and quadratic cost by default
// (tanh/ReLU, cross-entropy/log-likelihood as options). Owns one kernel instance, its memory plan,
// the layer loop and the optimizer state. Not for: epochs, shuffling or evaluation schedules;
// the training loop in train.ts drives those.
import { InvalidArgumentError, WasmMlpError } from './errors.js';
import { createDataset, type Dataset } from '../data/dataset.js';
import { MemoryPlan } from './memory.js';
import { Rng } from './random.js';
import { ACTIVATIONS, COSTS, type Activation, type Cost } from './costs.js';
import { LayerLoop, transposedBlocks, type LayerPlan, type StagedData, type WtBlock } from './layers.js';
import { layerShapes, parameterCount, validateSizes, type LayerShape } from './shapes.js';
import { CONTROL_BYTES, MAX_THREADS, ThreadPool, type UpdateSettings } from '../parallel/pool.js';
import { compileKernels, defaultVariant, instantiateKernels, KERNEL_VARIANTS, sharedMemory, threadsSupported, type KernelVariant, type Kernels } from './kernels.js';

export interface NetworkOptions {
  /** [inputs, hidden..., outputs], e.g. [784, 30, 10]. */
  sizes: readonly number[];
  /** Seeds the initial weights and biases. Default 1. */
  seed?: number;
  /**
   * Initial parameters: 'scaled' (default) N(0, 1/n_in) weights, N(0, 1) biases (Nielsen's
   * chapter 3: units start unsaturated, so no output unit can start dead); 'normal' N(0, 1)
   * weights and biases as the lecture and network.py; 'he' N(0, 2/n_in) weights and zero biases
   * (He et al., for ReLU).
   */
  init?: WeightInit;
  /** Hidden-layer activation: 'sigmoid' (the lecture, default), 'tanh' or 'relu'. */
  activation?: Activation;
  /** 'quadratic' (the lecture, default), 'cross-entropy' (sigmoid outputs) or 'log-likelihood' (softmax outputs). */
  cost?: Cost;
  /** Kernel build; default SIMD where the engine has it, else scalar. */
  kernels?: KernelVariant;
  /** Examples per kernel call when predicting; training grows it to the batch size. Default 256. */
  batchCapacity?: number;
  /**
   * Threads for training (mini-batches split between them on one shared memory). Default 1. It
   * pays for big steps only (784-256-256-10 from batch ~16, 784-100-10 from ~64): plain SGD steps
   * under 3 million multiply-adds (batch x parameters) or with under 32 first-layer rows a thread,
   * and other steps under 8 million, run on the calling thread (plain SGD: with the same bits).
   * Where SharedArrayBuffer is missing (a page that is not cross-origin isolated) the network
   * falls back to 1 thread: see `threads` on the network.
   */
  threads?: number;
}

/** A dataset copied into the network's wasm memory, ready for gathering mini-batches. */
export interface StagedDataset extends Readonly<StagedData> {
  readonly data: Dataset;
}

/** Summed (not averaged) gradients of the cost over one batch, per layer l = 1..L at index l-1. */
export interface Gradients {
  nablaW: Float32Array[];
  nablaB: Float32Array[];
  /** Sum over the batch of the cost (quadratic: sum_j (a_j - y_j)^2). */
  cost: number;
}

/** How a training step updates the parameters; see TrainOptions. */
export interface StepSettings {
  optimizer: Optimizer;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** L2: lambda / N (weight decay over the training set size N); 0 for none. */
  decayPerExample: number;
}

export type Optimizer = 'sgd' | 'momentum' | 'adam';

/** Momentum's velocity or Adam's two moments and step count, in the parameters' layout. */
export interface OptimizerState {
  kind: Optimizer;
  t: number;
  buffers: Float32Array[];
}
export const OPTIMIZERS: readonly Optimizer[] = ['sgd', 'momentum', 'adam'];

export type WeightInit = 'normal' | 'scaled' | 'he';
export const WEIGHT_INITS: readonly WeightInit[] = ['normal', 'scaled', 'he'];

const DEFAULT_CAPACITY = 256;
/**
 * Steps run on the threads only where they pay, by multiply-adds (batch size x parameters);
 * smaller steps run on the calling thread. Plain SGD: from 3 million, and only when WT has a block
 * per thread (a first layer of 32 rows a thread or more); the same bits either way. Two threads
 * against one, measured: 784-30-10 (one block) 0.26x at batch 10 to 0.85x at 512; 784-64-10
 * 0.88x at batch 32 (1.6 million), 1.48x at 64 (3.3 million); 784-100-10 0.94x at 32 (2.5
 * million), 1.33x at 64; 784-256-256-10 1.15x at 10 (2.7 million), 1.42x at 16, 1.8x at 64.
 * Momentum, Adam and L2 (each thread's gradients, then a reduction): from 8 million; measured
 * 784-30-10 with momentum 0.26x at batch 10, 784-100-10 with Adam 0.74x at 10 and 0.94x at 64
 * (5.1 million), 784-256-256-10 with Adam 1.56x at 64. The routing depends only on the network,
 * the thread count and the batch size, so a seed and a thread count still give the same bits.
 */
const THREADED_SGD_MIN_WORK = 3_000_000;
const THREADED_REDUCTION_MIN_WORK = 8_000_000;

export class Network {
  readonly sizes: readonly number[];
  readonly parameterCount: number;
  readonly variant: KernelVariant;
  private readonly shapes: LayerShape[];
  private readonly plan: MemoryPlan;
  private kernels: Kernels | null;
  /** Byte offsets: parameters and their gradients, each one contiguous f32 region. */
  private readonly params: number;
  private readonly nabla: number;
  /** Start and end of the batch buffers, and end of everything that is not staging (batch buffers, resident datasets). */
  private batchMark: number;
  private batchEnd = 0;
  private fixedEnd = 0;
  private capacity = 0;
  /** Pointers of the batch buffers, W^1's transposed copy and the parameters, for the layer loop. */
  private layout!: LayerPlan;
  private loop!: LayerLoop;
  private predicted = 0;
  private readonly staged = new Map<Dataset, StagedDataset>();
  /**
   * Layer 1 computes from each example's nonzero inputs only (MNIST is ~81% zeros), so it keeps
   * W^1 transposed in its own buffer, WT: one (cols, stride) block per training thread, each of
   * its range of the rows (transposedBlocks), stride = those rows rounded up to 16, padding zero;
   * one block for one thread. WT is the current copy; the row-major W^1 in the parameter region
   * is refreshed from it before anyone reads the parameters (`w1Current`), and every write there
   * is copied into WT.
   */
  private readonly wt: number;
  private readonly blocks: WtBlock[];
  private readonly wtLength: number;
  private w1Current = true;
  /** Threads used by training (1 when threads were not asked for or are not supported here). */
  readonly threads: number;
  private readonly module: WebAssembly.Module;
  private readonly memory: WebAssembly.Memory | undefined;
  private pool: ThreadPool | null = null;
  private poolMark = 0;
  /**
   * For momentum and Adam: the summed gradients of a step and the optimiser's state, each laid
   * out as [WT (wtLength floats) | the parameters], so W^1 is updated in its transposed copy.
   */
  private optimizer: { kind: Optimizer; grads: number; state: number[]; t: number } | null = null;

  /** Loads the kernels (once per process) and makes a network with seeded random parameters. */
  static async create(options: NetworkOptions): Promise<Network> {
    const sizes = validateSizes(options.sizes);
    const asked = options.threads ?? 1;
    if (!Number.isInteger(asked) || asked < 1 || asked > MAX_THREADS) {
      throw new InvalidArgumentError(`threads must be an integer from 1 to ${MAX_THREADS}, got ${asked}`);
    }
    if (options.kernels !== undefined && !KERNEL_VARIANTS.includes(options.kernels)) {
      throw new InvalidArgumentError(`kernels must be one of ${KERNEL_VARIANTS.join(', ')}, got ${options.kernels}`);
    }
    if (options.kernels === 'threads' && !threadsSupported()) {
      throw new InvalidArgumentError('kernels "threads" needs SharedArrayBuffer (in a page: cross-origin isolation) and SIMD, which this engine lacks');
    }
    const threads = asked > 1 && threadsSupported() ? asked : 1;
    const variant = threads > 1 ? 'threads' : options.kernels ?? defaultVariant();
    const module = await compileKernels(variant);
    const memory = variant === 'threads' ? sharedMemory() : undefined; // also for kernels 'threads' on one thread
    const activation = options.activation ?? 'sigmoid';
    const cost = options.cost ?? 'quadratic';
    if (!ACTIVATIONS.includes(activation)) throw new InvalidArgumentError(`activation must be one of ${ACTIVATIONS.join(', ')}, got ${activation}`);
    if (!COSTS.includes(cost)) throw new InvalidArgumentError(`cost must be one of ${COSTS.join(', ')}, got ${cost}`);
    const net = new Network(module, memory, sizes, variant, threads, options.batchCapacity ?? DEFAULT_CAPACITY, activation, cost);
    net.initialize(options.seed ?? 1, options.init ?? 'scaled');
    return net;
  }

  private constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory | undefined,
    sizes: number[],
    variant: KernelVariant,
    threads: number,
    capacity: number,
    readonly activation: Activation,
    readonly cost: Cost,
  ) {
    this.module = module;
    this.memory = memory;
    this.kernels = instantiateKernels(module, memory);
    this.sizes = Object.freeze(sizes);
    this.variant = variant;
    this.threads = threads;
    this.shapes = layerShapes(sizes);
    this.parameterCount = parameterCount(sizes);
    this.plan = new MemoryPlan(this.kernels);
    this.params = this.plan.reserve(this.parameterCount * 4, `the ${this.parameterCount} parameters`);
    this.nabla = this.plan.reserve(this.parameterCount * 4, `the ${this.parameterCount} gradients`);
    const first = this.shapes[0];
    ({ blocks: this.blocks, wtLength: this.wtLength } = transposedBlocks(first.rows, first.cols, threads));
    this.wt = this.plan.reserve(this.wtLength * 4, 'the transposed first-layer weights');
    this.batchMark = this.plan.mark();
    this.ensureCapacity(capacity);
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

  /**
   * Redraws every parameter with the seeded PRNG (stream 0 of `seed`), in layout order: N(0, 1)
   * scaled by 1 (init 'normal'), 1/sqrt(n_in) ('scaled') or sqrt(2/n_in) ('he') for weights;
   * N(0, 1) for biases, or zero with 'he'.
   */
  initialize(seed: number, init: WeightInit = 'scaled'): void {
    checkSeed(seed);
    if (!WEIGHT_INITS.includes(init)) throw new InvalidArgumentError(`init must be one of ${WEIGHT_INITS.join(', ')}, got ${init}`);
    const rng = new Rng(seed, 0);
    this.writeParameters((p) => {
      for (const s of this.shapes) {
        const scale = init === 'normal' ? 1 : Math.sqrt((init === 'he' ? 2 : 1) / s.cols);
        for (let i = s.wOffset; i < s.bOffset; i++) p[i] = scale * rng.normal();
        for (let i = s.bOffset; i < s.bOffset + s.rows; i++) p[i] = init === 'he' ? 0 : rng.normal();
      }
    });
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

  /** Output activations a^L, (count, outputs), of inputs x, (count, inputs) with values in [0, 1]. */
  forward(x: Float32Array): Float32Array {
    const count = this.checkInput(x);
    const K = this.outputSize;
    const out = new Float32Array(count * K);
    const aL = this.layout.a[this.layerCount] >> 2;
    this.forEachChunk(x, count, (start, m) => out.set(this.plan.f32.subarray(aL, aL + m * K), start * K));
    return out;
  }

  /** Predicted class (index of the largest output) of each input in x, (count, inputs). */
  predict(x: Float32Array): Uint8Array {
    const count = this.checkInput(x);
    const out = new Uint8Array(count);
    this.forEachChunk(x, count, (start, m) => {
      this.k().argmaxRows(this.predicted, this.layout.a[this.layerCount], m, this.outputSize);
      out.set(this.plan.u8.subarray(this.predicted, this.predicted + m), start);
    });
    return out;
  }

  /** Backprop over one batch: the gradients of the summed cost, without changing the parameters. */
  backprop(x: Float32Array, labels: ArrayLike<number>): Gradients {
    const m = this.loadBatch(x, labels);
    const cost = this.computeGradients(m);
    const g = this.plan.f32;
    const at = (offset: number, n: number) => g.slice((this.nabla >> 2) + offset, (this.nabla >> 2) + offset + n);
    return {
      nablaW: this.shapes.map((s) => at(s.wOffset, s.rows * s.cols)),
      nablaB: this.shapes.map((s) => at(s.bOffset, s.rows)),
      cost,
    };
  }

  /** One gradient-descent step on one batch: W -= (eta / n) sum of gradients. Returns the batch's summed cost. */
  sgdStep(x: Float32Array, labels: ArrayLike<number>, eta: number): number {
    checkEta(eta);
    const m = this.loadBatch(x, labels);
    const cost = this.computeGradients(m);
    this.writeParameters(() => this.k().sgdUpdate(this.params, this.nabla, eta / m, this.parameterCount));
    return cost;
  }

  // ---- the mini-batch path used by the training loop: data staged once, batches gathered in wasm

  /** Makes room for batches of `n` examples. Only between trainings: it forgets staged datasets. */
  ensureCapacity(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`batch capacity must be a positive integer, got ${n}`);
    if (n <= this.capacity) return;
    this.staged.clear();
    // Resident datasets after the batch buffers must survive: then the new buffers go on top.
    if (this.fixedEnd > this.batchEnd) this.batchMark = this.fixedEnd;
    this.plan.release(this.batchMark);
    const what = `a batch of ${n} examples`;
    const C = this.inputSize;
    this.layout = {
      sizes: [...this.sizes],
      activation: this.activation,
      cost: this.cost,
      shapes: this.shapes,
      params: this.params,
      wt: this.wt,
      blocks: this.blocks,
      wtLength: this.wtLength,
      a: this.sizes.map((width) => this.plan.reserve(n * width * 4, what)),
      delta: this.sizes.map((width, l) => (l === 0 ? 0 : this.plan.reserve(n * width * 4, what))),
      y: this.plan.reserve(n, what),
      indices: this.plan.reserve(n * 4, what),
      list: this.plan.reserve(n * C * 4, what),
      vals: this.plan.reserve(n * C * 4, what),
      counts: this.plan.reserve(n * 4, what),
    };
    this.predicted = this.plan.reserve(n, what);
    this.loop = new LayerLoop(this.k(), this.layout);
    this.capacity = n;
    this.batchEnd = this.fixedEnd = this.plan.mark();
  }

  /**
   * Copies `data` into wasm memory once (kept until `unstage`; a resident dataset is not copied)
   * and scans its images once into the run table the mini-batch gather reads. Its shape must fit
   * the network.
   */
  stage(data: Dataset): StagedDataset {
    const known = this.staged.get(data);
    if (known) return known;
    if (data.pixels !== this.inputSize) {
      throw new InvalidArgumentError(`dataset has ${data.rows} x ${data.cols} = ${data.pixels} pixels per image, but the network has ${this.inputSize} inputs`);
    }
    if (data.classes > this.outputSize) {
      throw new InvalidArgumentError(`dataset has ${data.classes} classes, but the network has ${this.outputSize} outputs`);
    }
    const dataImages = data.images;
    const dataLabels = data.labels;
    if (dataImages.length !== data.count * data.pixels || dataLabels.length !== data.count) {
      throw new InvalidArgumentError(`dataset views hold ${dataImages.length} image bytes and ${dataLabels.length} labels, expected ${data.count * data.pixels} and ${data.count} (a view detached by memory growth?)`);
    }
    const k = this.k();
    const what = `a dataset of ${data.count} images`;
    let images = dataImages.byteOffset;
    let labels = dataLabels.byteOffset;
    if (dataImages.buffer !== k.memory.buffer || dataLabels.buffer !== dataImages.buffer) {
      images = this.plan.reserve(dataImages.length, what); // not resident: copied
      labels = this.plan.reserve(dataLabels.length, what);
      this.plan.u8.set(dataImages, images);
      this.plan.u8.set(dataLabels, labels);
    }
    const starts = this.plan.reserve((data.count + 1) * 4, what);
    const total = k.countRuns(starts, images, data.count, data.pixels) >>> 0; // a u32 comes back as an i32
    const runs = this.plan.reserve(total * 4, what);
    k.encodeRuns(runs, starts, images, data.count, data.pixels);
    const staged = { data, images, labels, runs, starts };
    this.staged.set(data, staged);
    return staged;
  }

  /**
   * Room for a dataset in this network's own memory, so that it never needs a second copy (a file
   * can be read straight into it): `images` and `labels` are fresh views on every access. Fill
   * them, then pass the result of `done` to train or evaluate; it lives as long as the network.
   */
  residentDataset(count: number, rows: number, cols: number): { images: () => Uint8Array; labels: () => Uint8Array; done: (classes?: number) => Dataset } {
    if (![count, rows, cols].every((n) => Number.isInteger(n) && n >= 1)) {
      throw new InvalidArgumentError(`a resident dataset needs positive integer count, rows and cols, got ${count}, ${rows}, ${cols}`);
    }
    if (this.plan.mark() !== this.fixedEnd) {
      throw new WasmMlpError('a resident dataset cannot be made while data is staged (during training or evaluation)');
    }
    const pixels = rows * cols;
    const what = `a dataset of ${count} images of ${rows} x ${cols}`;
    const imagesAt = this.plan.reserve(count * pixels, what);
    const labelsAt = this.plan.reserve(count, what);
    this.fixedEnd = this.plan.mark();
    const images = () => this.plan.u8.subarray(imagesAt, imagesAt + count * pixels);
    const labels = () => this.plan.u8.subarray(labelsAt, labelsAt + count);
    const done = (classes?: number): Dataset => {
      const checked = createDataset({ images: images(), labels: labels(), rows, cols, classes });
      return {
        get images() {
          return images();
        },
        get labels() {
          return labels();
        },
        count,
        rows,
        cols,
        pixels,
        classes: checked.classes,
      };
    };
    return { images, labels, done };
  }

  /** Marks the staging area so that `unstage(mark)` frees what is staged after it. */
  stagingMark(): number {
    return this.plan.mark();
  }

  unstage(mark: number): void {
    if (mark <= this.poolMark) this.stopThreads();
    for (const [data, s] of this.staged) if (s.starts >= mark) this.staged.delete(data); // a resident dataset's images stay, its run table goes
    this.plan.release(mark);
  }

  /**
   * One step of mini-batch gradient descent on examples indices[start, start + m) of `s`:
   * gather, forward, then backprop fused with the update W^l -= (eta / m) delta^l (a^(l-1))^T,
   * which gives the same bits as backprop into nablaW followed by sgdUpdate for l >= 2 (W^1 is
   * updated example by example, so rounded in another order). Returns the batch's summed cost.
   */
  trainBatch(s: StagedDataset, indices: Uint32Array, start: number, m: number, eta: number, step?: StepSettings): number {
    const u32 = this.plan.u32;
    const at = this.layout.indices >> 2;
    for (let n = 0; n < m; n++) u32[at + n] = indices[start + n]; // no subarray view per step
    this.w1Current = false;
    const plainSgd = (step?.optimizer ?? 'sgd') === 'sgd' && !step?.decayPerExample;
    const work = m * this.parameterCount;
    const threaded = plainSgd ? this.blocks.length === this.threads && work >= THREADED_SGD_MIN_WORK : work >= THREADED_REDUCTION_MIN_WORK;
    if (this.pool && threaded) return this.pool.step(s, m, this.updateSettings(m, eta, step));
    this.loop.gather(s, 0, m);
    this.loop.forward(0, m, true);
    const cost = this.loop.cost(0, m);
    const kind = step?.optimizer ?? 'sgd';
    if (kind === 'sgd') {
      const decay = 1 - eta * (step?.decayPerExample ?? 0);
      this.loop.backward(0, m, { kind: 'step', scale: eta / m, decay });
    } else {
      this.optimizerStep(m, eta, step!);
    }
    return cost;
  }

  /** The update the training threads apply after summing their gradients (Adam's step count advances). */
  private updateSettings(m: number, eta: number, step?: StepSettings): UpdateSettings {
    const kind = step?.optimizer ?? 'sgd';
    if (kind !== 'sgd' && this.optimizer?.kind !== kind) throw new WasmMlpError(`call prepareOptimizer('${kind}') before training with it`);
    let rate = 0;
    if (kind === 'adam') {
      const t = ++this.optimizer!.t;
      rate = (eta * Math.sqrt(1 - step!.beta2 ** t)) / (1 - step!.beta1 ** t);
    }
    return {
      optimizer: kind === 'sgd' ? 0 : kind === 'momentum' ? 1 : 2,
      scale: eta / m,
      momentum: step?.momentum ?? 0,
      beta1: step?.beta1 ?? 0,
      beta2: step?.beta2 ?? 0,
      epsilon: step?.epsilon ?? 1,
      rate,
      decay: m * (step?.decayPerExample ?? 0),
      gradScale: 1 / m,
    };
  }

  /**
   * Makes room for `kind`'s gradients and state (zeroed) unless the network already has them;
   * like resident datasets, only while nothing is staged. Plain SGD needs none.
   */
  prepareOptimizer(kind: Optimizer): void {
    if (!OPTIMIZERS.includes(kind)) throw new InvalidArgumentError(`optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${kind}`);
    if (kind === 'sgd' || this.optimizer?.kind === kind) return;
    if (this.plan.mark() !== this.fixedEnd) throw new WasmMlpError('an optimizer cannot be prepared while data is staged');
    const floats = this.wtLength + this.parameterCount;
    const what = `the ${kind} optimizer`;
    const grads = this.optimizer?.grads ?? this.plan.reserve(floats * 4, what);
    const state = Array.from({ length: kind === 'adam' ? 2 : 1 }, () => this.plan.reserve(floats * 4, what));
    for (const p of state) this.k().zero(p, floats);
    this.fixedEnd = this.plan.mark();
    this.optimizer = { kind, grads, state, t: 0 };
  }

  /**
   * The momentum or Adam state (null for plain SGD or before training), each buffer in the
   * parameters' layout (W1, b1, W2, b2, ...; W1 row-major), so that a checkpoint can carry it.
   */
  getOptimizerState(): OptimizerState | null {
    const o = this.optimizer;
    if (!o) return null;
    return { kind: o.kind, t: o.t, buffers: o.state.map((p) => this.fromTrainingLayout(p)) };
  }

  /** Restores a state from getOptimizerState (same sizes); prepares the optimizer if needed. */
  setOptimizerState(state: OptimizerState): void {
    this.prepareOptimizer(state.kind);
    const o = this.optimizer!;
    if (state.buffers.length !== o.state.length || state.buffers.some((b) => b.length !== this.parameterCount)) {
      throw new InvalidArgumentError(`optimizer state: expected ${o.state.length} buffers of ${this.parameterCount} values for ${state.kind}`);
    }
    o.t = state.t;
    state.buffers.forEach((b, i) => this.toTrainingLayout(b, o.state[i]));
  }

  /** A buffer laid out as [WT | parameters] (gradients, optimizer state) in the parameters' layout. */
  private fromTrainingLayout(p: number): Float32Array {
    const f = this.plan.f32;
    const { cols, wOffset } = this.shapes[0];
    const at = (p >> 2) + this.wtLength;
    const out = f.slice(at, at + this.parameterCount);
    fromTransposed(out, wOffset, f, p >> 2, this.blocks, cols);
    return out;
  }

  private toTrainingLayout(values: Float32Array, p: number): void {
    const f = this.plan.f32;
    const { cols, wOffset } = this.shapes[0];
    f.set(values, (p >> 2) + this.wtLength);
    toTransposed(f, p >> 2, values, wOffset, this.blocks, cols, this.wtLength);
  }

  /** Gradients of the loaded batch into the optimizer's buffer, L2 folded in, then the momentum or Adam update. */
  private optimizerStep(m: number, eta: number, step: StepSettings): void {
    const o = this.optimizer;
    if (!o || o.kind !== step.optimizer) throw new WasmMlpError(`call prepareOptimizer('${step.optimizer}') before training with it`);
    const k = this.k();
    const first = this.shapes[0];
    const { wtLength } = this;
    const gradsB = o.grads + 4 * wtLength;
    this.loop.backward(0, m, { kind: 'partial', grads: gradsB, gradsWT: o.grads });
    if (step.decayPerExample > 0) {
      const c = m * step.decayPerExample; // summed gradients: the mean's lambda / N times m
      k.addScaled(o.grads, this.wt, c, wtLength);
      for (const s of this.shapes.slice(1)) k.addScaled(gradsB + 4 * s.wOffset, this.params + 4 * s.wOffset, c, s.rows * s.cols);
    }
    // two ranges: WT with its gradients, then the parameters from b^1 on (W^1's row-major slot is not current)
    const ranges: [number, number, number][] = [
      [this.wt, 0, wtLength],
      [this.params + 4 * first.bOffset, 4 * (wtLength + first.bOffset), this.parameterCount - first.bOffset],
    ];
    if (o.kind === 'momentum') {
      for (const [p, off, n] of ranges) k.momentumUpdate(p, o.state[0] + off, o.grads + off, eta / m, step.momentum, n);
    } else {
      o.t++;
      const lr = (eta * Math.sqrt(1 - step.beta2 ** o.t)) / (1 - step.beta1 ** o.t);
      for (const [p, off, n] of ranges) k.adamUpdate(p, o.state[0] + off, o.state[1] + off, o.grads + off, 1 / m, lr, step.beta1, step.beta2, step.epsilon, n);
    }
  }

  /**
   * Starts the training threads on the current buffers (after staging; `stopThreads` or
   * `unstage` below the mark ends them). Does nothing for a single-threaded network.
   */
  async startThreads(): Promise<void> {
    if (this.threads === 1 || this.pool) return;
    const T = this.threads;
    const gstride = Math.ceil((this.wtLength + this.parameterCount) / 16) * 16;
    const what = `training with ${T} threads`;
    this.poolMark = this.plan.mark();
    const setup = {
      module: this.module,
      memory: this.memory!,
      plan: this.layout,
      thread: 0,
      threads: T,
      control: this.plan.reserve(CONTROL_BYTES, what),
      grads: this.plan.reserve(T * gstride * 4, what),
      gstride,
      wtLength: this.wtLength,
      b1: this.shapes[0].bOffset,
      parameterCount: this.parameterCount,
      weightRanges: this.shapes.slice(1).map((s): [number, number] => [s.wOffset, s.wOffset + s.rows * s.cols]),
      state: this.optimizer?.state ?? [],
    };
    this.pool = await ThreadPool.start(this.k(), this.loop, setup);
  }

  /** Stops the training threads, if any. */
  stopThreads(): void {
    this.pool?.close();
    this.pool = null;
  }

  /** Correct predictions and summed cost over all of `s`, in batches of the capacity; the predicted classes go to `predictions` if given. */
  evaluateStaged(s: StagedDataset, predictions?: Uint8Array): { correct: number; cost: number } {
    const k = this.k();
    const { count, labels } = s.data;
    const K = this.outputSize;
    let correct = 0;
    let cost = 0;
    for (let start = 0; start < count; start += this.capacity) {
      const m = Math.min(this.capacity, count - start);
      const idx = this.plan.u32;
      for (let i = 0; i < m; i++) idx[(this.layout.indices >> 2) + i] = start + i;
      this.loop.gather(s, 0, m);
      this.loop.forward(0, m, true);
      cost += this.loop.cost(0, m);
      k.argmaxRows(this.predicted, this.layout.a[this.layerCount], m, K);
      const predicted = this.plan.u8;
      for (let i = 0; i < m; i++) if (predicted[this.predicted + i] === labels[start + i]) correct++;
      predictions?.set(predicted.subarray(this.predicted, this.predicted + m), start);
    }
    return { correct, cost };
  }

  /** Copies WT (the current W^1) into the row-major W^1 of the parameter region. */
  private refreshW1(): void {
    if (this.w1Current) return;
    const f = this.plan.f32;
    const { cols, wOffset } = this.shapes[0];
    fromTransposed(f, (this.params >> 2) + wOffset, f, this.wt >> 2, this.blocks, cols);
    this.w1Current = true;
  }

  /** Lets `write` change the parameter region (row-major layout), then copies W^1 into WT. */
  private writeParameters(write: (p: Float32Array) => void): void {
    write(this.paramView());
    const f = this.plan.f32;
    const { cols, wOffset } = this.shapes[0];
    toTransposed(f, this.wt >> 2, f, (this.params >> 2) + wOffset, this.blocks, cols, this.wtLength);
  }

  /** Frees the kernel instance; the network cannot be used afterwards. */
  dispose(): void {
    this.stopThreads();
    this.kernels = null;
    this.staged.clear();
  }

  get disposed(): boolean {
    return this.kernels === null;
  }

  /** Zeroes the gradients, then forward and backprop over the loaded batch of m; returns its summed cost. */
  private computeGradients(m: number): number {
    this.k().zero(this.nabla, this.parameterCount);
    this.loop.forward(0, m, false);
    const cost = this.loop.cost(0, m);
    this.loop.backward(0, m, { kind: 'gradients', nabla: this.nabla });
    return cost;
  }

  /** Copies a batch given as f32 inputs and labels into a[0] and y; returns its size. */
  private loadBatch(x: Float32Array, labels: ArrayLike<number>): number {
    const m = this.checkInput(x);
    if (labels.length !== m) throw new InvalidArgumentError(`labels: expected ${m} (one per input), got ${labels.length}`);
    for (let i = 0; i < m; i++) {
      const label = labels[i];
      if (!Number.isInteger(label) || label < 0 || label >= this.outputSize) {
        throw new InvalidArgumentError(`labels[${i}] is ${label}, expected an integer class from 0 to ${this.outputSize - 1}`);
      }
    }
    this.ensureCapacity(m);
    this.plan.f32.set(x, this.layout.a[0] >> 2);
    this.plan.u8.set(labels, this.layout.y);
    return m;
  }

  /** Runs the forward pass over x in chunks of the capacity, calling `take` after each chunk. */
  private forEachChunk(x: Float32Array, count: number, take: (start: number, m: number) => void): void {
    const n0 = this.inputSize;
    for (let start = 0; start < count; start += this.capacity) {
      const m = Math.min(this.capacity, count - start);
      this.plan.f32.set(x.subarray(start * n0, (start + m) * n0), this.layout.a[0] >> 2);
      this.loop.forward(0, m, false);
      take(start, m);
    }
  }

  /** Number of examples in x; x must be whole, finite inputs. */
  private checkInput(x: Float32Array): number {
    this.k();
    if (!(x instanceof Float32Array)) throw new InvalidArgumentError('input must be a Float32Array of pixel values in [0, 1]');
    const n0 = this.inputSize;
    if (x.length === 0 || x.length % n0 !== 0) {
      throw new InvalidArgumentError(`input has ${x.length} values, expected a positive multiple of the ${n0} inputs`);
    }
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) throw new InvalidArgumentError(`input value ${i} is ${x[i]}, expected a finite number`);
    }
    return x.length / n0;
  }

  private shape(l: number): LayerShape {
    if (!Number.isInteger(l) || l < 1 || l > this.layerCount) {
      throw new InvalidArgumentError(`layer ${l} does not exist: layers are numbered 1 to ${this.layerCount}`);
    }
    return this.shapes[l - 1];
  }

  private paramView(): Float32Array {
    this.k();
    this.refreshW1();
    return this.plan.f32.subarray(this.params >> 2, (this.params >> 2) + this.parameterCount);
  }

  private k(): Kernels {
    if (!this.kernels) throw new WasmMlpError('this network was disposed');
    return this.kernels;
  }
}

export function checkEta(eta: number): void {
  if (typeof eta !== 'number' || !Number.isFinite(eta) || eta <= 0) {
    throw new InvalidArgumentError(`eta (learning rate) must be a finite number > 0, got ${eta}`);
  }
}

export function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidArgumentError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
  }
}

/** W (rows, cols) row-major at index w of `dst`, from WT (its blocks) at index t of `src`. */
function fromTransposed(dst: Float32Array, w: number, src: Float32Array, t: number, blocks: WtBlock[], cols: number): void {
  for (const { row, rows, offset, stride } of blocks) {
    for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) dst[w + (row + j) * cols + i] = src[t + offset + i * stride + j];
  }
}

/** WT (its blocks, `length` floats, padding zero) at index t of `dst`, from W (rows, cols) row-major at index w of `src`. */
function toTransposed(dst: Float32Array, t: number, src: Float32Array, w: number, blocks: WtBlock[], cols: number, length: number): void {
  dst.fill(0, t, t + length);
  for (const { row, rows, offset, stride } of blocks) {
    for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) dst[t + offset + i * stride + j] = src[w + (row + j) * cols + i];
  }
}


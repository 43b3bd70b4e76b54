// A network's memory and what needs no training: the kernel instance, the memory plan and its
// regions, the parameters, inference in batches of the capacity, and datasets staged for a scope.
// Network (network.ts) adds training on top. Not for: gradients, optimizers or engines.
import type { Activation, Cost, Output } from './costs.js';
import type { TrainingData } from './datasets.js';
import { WasmMlpError } from './errors.js';
import { instantiateKernels, type KernelVariant, type Kernels } from './kernels.js';
import { BatchBuffers, countInputs } from './batch.js';
import { MemoryPlan } from './memory.js';
import { checkCapacity, checkParameters, drawParameters, type Settled, type WeightInit } from './options.js';
import { layerShape, layerShapes, parameterCount, type LayerShape } from './shapes.js';
import { StepContext } from './context.js';
import { Regions } from './regions.js';
import { Staging, type StagedDataset } from './staging.js';
import { TransposedW1 } from './transposed.js';

/** The part of a network that infers; its memory's regions over time are in regions.ts. */
export abstract class NetworkBase {
  readonly sizes: readonly number[];
  readonly parameterCount: number;
  readonly variant: KernelVariant;
  /** Threads used by training (1 when threads were not asked for or are not supported here). */
  readonly threads: number;
  /** Each hidden layer's activation (layer l's at l - 1). */
  readonly activations: readonly Activation[];
  readonly cost: Cost;
  /** What forward() returns from the output layer's z. */
  readonly output: Output;
  /** @internal The log-softmax over forward()'s result, loaded (log-softmax.ts) by networks whose output it is. */
  logSoftmax?: (a: Float32Array, K: number) => void;
  readonly shapes: LayerShape[];
  protected readonly plan: MemoryPlan;
  private kernels: Kernels | null;
  /** Byte offsets of the parameters and their gradients, each one contiguous f32 region. */
  readonly params: number;
  protected readonly nabla: number;
  /** @internal W^1's transposed copy, the current one while training (transposed.ts). */
  readonly w1: TransposedW1;
  private readonly staging: Staging;
  protected readonly regions: Regions;
  protected batch!: BatchBuffers;
  protected context!: StepContext;

  protected constructor(
    protected readonly module: WebAssembly.Module,
    protected readonly memory: WebAssembly.Memory | undefined,
    o: Settled,
  ) {
    this.kernels = instantiateKernels(module, memory);
    ({ variant: this.variant, threads: this.threads, activations: this.activations, cost: this.cost, output: this.output } = o);
    this.sizes = Object.freeze(o.sizes);
    this.shapes = layerShapes(o.sizes);
    this.parameterCount = parameterCount(o.sizes);
    this.plan = new MemoryPlan(this.kernels);
    this.params = this.plan.reserve(this.parameterCount * 4, `the ${this.parameterCount} parameters`);
    this.nabla = this.plan.reserve(this.parameterCount * 4, `the ${this.parameterCount} gradients`);
    this.w1 = new TransposedW1(this.plan, this.shapes[0], this.threads);
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

  /** Outputs, (count, outputs), of inputs x, (count, inputs) with values in [0, 1]: the output function (`output`) of z^L. */
  forward(x: Float32Array): Float32Array {
    const count = this.checkInput(x);
    const out = new Float32Array(count * this.outputSize);
    this.batch.forEachChunk(x, count, (start, m) => out.set(this.batch.outputsOf(m), start * this.outputSize), this.output);
    this.logSoftmax?.(out, this.outputSize);
    return out;
  }

  /** Predicted class (index of the largest output) of each input in x, (count, inputs). */
  predict(x: Float32Array): Uint8Array {
    const count = this.checkInput(x);
    const out = new Uint8Array(count);
    this.batch.forEachChunk(x, count, (start, m) => out.set(this.batch.argmax(m), start));
    return out;
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
      if (threadsInside) this.scopeEnds();
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

  /** The end of a withStaged scope in which training threads started: they must stop first. */
  protected abstract scopeEnds(): void;

  /** Frees the kernel instance; the network cannot be used afterwards. */
  dispose(): void {
    this.kernels = null;
    this.staging.clear();
  }

  get disposed(): boolean {
    return this.kernels === null;
  }

  // ---- helpers

  /** Lets `write` change the parameter region (row-major layout), then copies W^1 into WT. */
  protected writeParameters(write: (p: Float32Array) => void): void {
    write(this.paramView());
    this.w1.loadRowMajor(this.params);
  }

  private paramView(): Float32Array {
    this.k();
    this.w1.refreshRowMajor(this.params);
    return this.plan.f32.subarray(this.params >> 2, (this.params >> 2) + this.parameterCount);
  }

  /** Copies a batch given as f32 inputs and labels into the batch buffers; returns its size. */
  protected loadBatch(x: Float32Array, labels: ArrayLike<number>): number {
    const m = this.checkInput(x);
    this.ensureCapacity(m);
    this.batch.load(x, labels, m);
    return m;
  }

  private checkInput(x: Float32Array): number {
    this.k();
    return countInputs(x, this.inputSize);
  }

  protected k(): Kernels {
    if (!this.kernels) throw new WasmMlpError('this network was disposed');
    return this.kernels;
  }
}

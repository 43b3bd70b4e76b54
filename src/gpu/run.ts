// A training run on the GPU, epoch by epoch: each epoch's mini-batches queued in chunks (their
// shuffle, keys and update numbers written first), the chunk before read back while the next runs
// (its batches' costs: onBatchEnd, divergence, abort), evaluation on the GPU with only the correct
// count and summed cost read back, and the network's parameters and optimizer state brought back
// when a hook may look at them and when the run ends. train/ owns the loop (epochs, schedule,
// metrics, hooks) and hands it the run's epoch and score. Not for: the kernels (kernels.ts, step.ts).
import type { TrainingData } from '../core/datasets.js';
import { InvalidArgumentError, TrainingDivergedError } from '../core/errors.js';
import type { Network } from '../core/network.js';
import { requestGpu } from '../core/webgpu.js';
import { stepUpdate, type StepSettings, type UpdateSettings } from '../core/optimizer.js';
import { augmentedImages, augmentParams, checkRegularization, dropoutCode, epochKeys, type RegularizeOptions } from '../core/regularize.js';
import { AUGMENT_KERNELS } from './augment.js';
import { readBack, RunBuffers, type GpuData } from './buffers.js';
import { Pipelines } from './pipelines.js';
import { RunState, type EpochAt } from './state.js';
import { StepEncoder } from './step.js';
import { STEP_BYTES, STEP_FIELDS, field } from './wgsl.js';

/** Examples per evaluation chunk at least (training batches bigger than it set it). */
const EVALUATION_CHUNK = 256;
/** Multiply-adds (batch size x parameters, per batch) queued before the run reads the costs of what it queued. */
const CHUNK_WORK = 2 ** 30;

/** The options of a run as train/ settles them, as far as the GPU needs them. */
export interface GpuRunOptions extends RegularizeOptions {
  batchSize: number;
  seed: number;
  step: StepSettings;
  test?: TrainingData;
  validation?: TrainingData;
  signal?: AbortSignal;
  onBatchEnd?(info: { epoch: number; batch: number; batches: number; cost: number }): void;
  /** When given, the network's parameters are brought back after every epoch, before it runs. */
  onEpochEnd?(metrics: never): unknown;
}

/** Batches from `from` on, queued, and their costs as they will be read back. */
type Chunk = { from: number; costs: Promise<ArrayBuffer> };
type Epoch = (epoch: number, indices: Uint32Array, eta: number) => Promise<[cost: number, seconds: number] | null>;
type Score = (data: TrainingData) => Promise<{ accuracy: number; cost: number; correct: number; count: number }>;

/** Runs train/'s epoch loop on the GPU for a network made with kernels 'webgpu'. */
export async function train<R>(net: Network, data: TrainingData, o: GpuRunOptions, loop: (epoch: Epoch, score: Score) => Promise<R>): Promise<R> {
  const run = await GpuRun.start(net, data, o);
  try {
    return await loop((epoch, indices, eta) => run.epoch(epoch, indices, eta), (d) => run.score(d));
  } finally {
    await run.close();
  }
}

export class GpuRun {
  private readonly slots: DataView;
  private readonly sets: Map<TrainingData, GpuData>;
  /** The epoch under way (for a divergence found when the parameters come back). */
  private at: EpochAt | null = null;

  private constructor(
    private readonly net: Network,
    private readonly o: GpuRunOptions,
    private readonly device: GPUDevice,
    private readonly pipelines: Pipelines,
    private readonly b: RunBuffers,
    private readonly encoder: StepEncoder,
    private readonly state: RunState,
    sets: GpuData[],
  ) {
    this.slots = new DataView(new ArrayBuffer(b.shape.slots * STEP_BYTES));
    this.sets = new Map(sets.map((s) => [s.data, s]));
  }

  /** Compiles the kernels, uploads the datasets, the parameters and the optimizer's state. */
  static async start(net: Network, data: TrainingData, o: GpuRunOptions): Promise<GpuRun> {
    const { device } = (net.gpu ??= await requestGpu());
    const L = net.layerCount;
    const r = checkRegularization(o, L);
    const images = r.augment ? augmentedImages(net.inputSize, 'features' in data ? {} : data) : null;
    const capacity = Math.max(o.batchSize, EVALUATION_CHUNK);
    if (capacity > 65535) throw new InvalidArgumentError(`kernels webgpu: batchSize must be at most 65535, got ${o.batchSize}`);
    const evaluated = [o.test, o.validation].filter((d): d is TrainingData => d !== undefined);
    const chunks = Math.max(...[data, ...evaluated].map((d) => Math.ceil(d.count / capacity)));
    const batches = Math.ceil(data.count / o.batchSize);
    const kind = o.step.optimizer;
    const pipelines = await Pipelines.compile(device, { activations: net.activations, cost: net.cost, optimizer: kind }, r.augment ? [] : AUGMENT_KERNELS.map((k) => k.name));
    const augment = r.augment ? augmentParams(r.augment) : undefined;
    const b = new RunBuffers(device, { sizes: net.sizes, shapes: net.shapes, parameterCount: net.parameterCount, capacity, examples: data.count, slots: batches + chunks, chunks, augment }, RunState.buffers(kind));
    try {
      const codes = r.dropout.map(dropoutCode);
      const elastic = (augment?.[4] ?? 0) !== 0;
      const encoder = new StepEncoder(pipelines, b, net.shapes, net.activations, { thresholds: codes.map((c) => c[0] >>> 0), scales: codes.map((c) => c[1]), maxNorm: r.maxNorm, augment: images ? { ...images, elastic } : undefined });
      const sets = [...new Set([data, ...evaluated])].map((d) => b.upload(d));
      return new GpuRun(net, o, device, pipelines, b, encoder, new RunState(net, b, kind), sets);
    } catch (e) {
      b.destroy();
      pipelines.destroy();
      throw e;
    }
  }

  /** Epoch `epoch` over `indices`; see train/'s EpochRun. */
  async epoch(epoch: number, indices: Uint32Array, eta: number): Promise<[cost: number, seconds: number] | null> {
    const t0 = performance.now();
    const { o, b, device } = this;
    const train = this.sets.values().next().value!;
    const n = train.data.count;
    const batches = Math.ceil(n / o.batchSize);
    this.at = { epoch, batches, eta };
    this.writeEpoch(epoch, indices);
    for (let k = 0; k < batches; k++) {
      const m = Math.min(o.batchSize, n - k * o.batchSize);
      this.slot(k, [m, k * o.batchSize, k, 1], stepUpdate(m, eta, o.step, this.state.held));
    }
    b.write(b.steps, new Uint8Array(this.slots.buffer, 0, batches * STEP_BYTES));
    this.state.keep();
    const per = Math.max(1, Math.min(512, Math.floor(CHUNK_WORK / (o.batchSize * this.net.parameterCount))));
    let costSum = 0;
    let pending: Chunk | null = null;
    for (let from = 0; pending || from < batches; from += per) {
      let next: Chunk | null = null;
      if (from < batches && !o.signal?.aborted) {
        const to = Math.min(batches, from + per);
        const encoder = device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        for (let k = from; k < to; k++) this.encoder.train(pass, train, k, Math.min(o.batchSize, n - k * o.batchSize));
        pass.end();
        device.queue.submit([encoder.finish()]);
        next = { from, costs: readBack(device, b.costs, 4 * from, 4 * (to - from)) };
      }
      if (pending) {
        const costs = new Float32Array(await pending.costs);
        for (let i = 0; i < costs.length; i++) {
          const k = pending.from + i;
          const cost = costs[i];
          if (!Number.isFinite(cost)) {
            await next?.costs; // the chunk after it ran on: restore after it
            this.state.restore();
            this.state.unstep(batches - k - 1);
            throw new TrainingDivergedError(epoch, k + 1, batches, cost, eta);
          }
          costSum += cost;
          o.onBatchEnd?.({ epoch, batch: k, batches, cost: cost / Math.min(o.batchSize, n - k * o.batchSize) });
        }
      }
      pending = next;
      if (!next && from < batches) {
        this.state.unstep(batches - from); // aborted: those batches never ran
        return null;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    if (o.onEpochEnd) await this.state.sync(this.at);
    return [costSum, seconds];
  }

  /** Accuracy and mean cost of a test or validation set, on the GPU. */
  async score(data: TrainingData): Promise<{ accuracy: number; cost: number; correct: number; count: number }> {
    const chunks = this.evaluate(data);
    const scores = new Float32Array(await readBack(this.device, this.b.scores, 0, 8 * chunks));
    let correct = 0;
    let cost = 0;
    for (let c = 0; c < chunks; c++) {
      correct += scores[2 * c];
      cost += scores[2 * c + 1];
    }
    return { accuracy: correct / data.count, cost: cost / data.count, correct, count: data.count };
  }

  /** The output activations a^L, (count, outputs), of a dataset of the run, on the GPU (for tests and benchmarks). */
  async outputs(data: TrainingData): Promise<Float32Array> {
    const bytes = 4 * data.count * this.net.outputSize;
    const out = this.b.buffer(bytes);
    this.evaluate(data, out);
    return new Float32Array(await readBack(this.device, out, 0, bytes));
  }

  /**
   * The inputs of the training step of rows row0 .. row0 + m of epoch `epoch` shuffled as `indices`
   * (augmented and dropped as the run says), (m, inputs): to test and show the GPU's distortions.
   */
  async inputs(epoch: number, indices: Uint32Array, row0: number, m: number): Promise<Float32Array> {
    const { b, device } = this;
    this.writeEpoch(epoch, indices);
    this.slot(0, [m, row0, 0, 1]);
    b.write(b.steps, new Uint8Array(this.slots.buffer, 0, STEP_BYTES));
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    this.encoder.inputs(pass, this.sets.values().next().value!, 0, m);
    pass.end();
    device.queue.submit([encoder.finish()]);
    return new Float32Array(await readBack(device, b.x, 0, 4 * m * this.net.inputSize));
  }

  /** The epoch's keys (augmentation, dropout) and shuffle. */
  private writeEpoch(epoch: number, indices: Uint32Array): void {
    const keys = epochKeys(this.o.seed, epoch, this.net.layerCount);
    this.b.write(this.b.keys, Uint32Array.from([keys.augment, ...keys.dropout]));
    this.b.write(this.b.indices, indices);
  }

  /** Queues the evaluation of `data` in chunks of the capacity (their a^L copied to `out` if given); returns the chunk count. */
  private evaluate(data: TrainingData, out?: GPUBuffer): number {
    const set = this.sets.get(data)!;
    const { b, device } = this;
    const capacity = b.shape.capacity;
    const chunks = Math.ceil(data.count / capacity);
    const first = b.shape.slots - b.shape.chunks;
    const size = (c: number) => Math.min(capacity, data.count - c * capacity);
    for (let c = 0; c < chunks; c++) this.slot(first + c, [size(c), c * capacity, c, 0]);
    b.write(b.steps, new Uint8Array(this.slots.buffer, first * STEP_BYTES, chunks * STEP_BYTES), first * STEP_BYTES);
    const encoder = device.createCommandEncoder();
    const row = 4 * this.net.outputSize;
    for (let c = 0; c < chunks; c++) {
      const pass = encoder.beginComputePass();
      this.encoder.evaluate(pass, set, first + c, size(c));
      pass.end();
      if (out) encoder.copyBufferToBuffer(b.a[b.a.length - 1], 0, out, c * capacity * row, size(c) * row);
    }
    device.queue.submit([encoder.finish()]);
    return chunks;
  }

  /** Brings the parameters and the optimizer's state back into the network, then frees the run's buffers. */
  async close(): Promise<void> {
    try {
      await this.state.sync(this.at);
    } finally {
      this.b.destroy();
      this.pipelines.destroy();
    }
  }

  /** Writes step slot `slot`: m, row0, slot, training, then the update's numbers. */
  private slot(slot: number, head: [number, number, number, number], u?: UpdateSettings): void {
    const at = slot * STEP_BYTES;
    STEP_FIELDS.forEach((f, i) => {
      const [name, type] = field(f);
      const v = i < 4 ? head[i] : (u?.[name as keyof UpdateSettings] ?? 0);
      if (type === 'f32') this.slots.setFloat32(at + 4 * i, v, true);
      else this.slots.setUint32(at + 4 * i, v, true);
    });
  }
}

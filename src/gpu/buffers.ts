// A GPU run's buffers: the datasets uploaded once (u8 images four to a u32, or f32 features; u32
// labels), the parameters in their layout (W1, b1, W2, b2, ...) with a copy of the last good ones
// and the optimizer's state beside them, one batch's inputs, activations and deltas per layer, the
// epoch's shuffle and keys, the per-step uniforms, the costs and scores the run reads back; and
// reading a buffer back. Not for: what runs over them (step.ts).
import type { TrainingData } from '../core/datasets.js';
import type { LayerShape } from '../core/shapes.js';
import { MAP_READ, USAGE } from './pipelines.js';
import { STEP_BYTES } from './wgsl.js';

const STORAGE = USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC;

/** A dataset on the GPU. */
export interface GpuData {
  data: TrainingData;
  values: GPUBuffer;
  labels: GPUBuffer;
  features: boolean;
}

/** What the buffers are sized for. */
export interface RunShape {
  sizes: readonly number[];
  shapes: readonly LayerShape[];
  parameterCount: number;
  /** Examples of the largest batch or evaluation chunk. */
  capacity: number;
  /** Training examples (the shuffle's length), step slots, and evaluation chunks. */
  examples: number;
  slots: number;
  chunks: number;
  /** The augmentation's parameters (core/regularize.ts augmentParams), when the run augments. */
  augment?: Float32Array;
}

export class RunBuffers {
  private readonly all: GPUBuffer[] = [];
  readonly params: GPUBuffer;
  readonly lastGood: GPUBuffer;
  /** Momentum's velocity or Adam's first moment, and Adam's second (4 bytes when unused). */
  readonly m1: GPUBuffer;
  readonly m2: GPUBuffer;
  /** The batch's inputs (capacity, sizes[0]) and labels (capacity) u32. */
  readonly x: GPUBuffer;
  readonly y: GPUBuffer;
  /** Per layer l = 1..L at index l - 1: a^l, delta^l and h^l = f(z^l) before dropout, each (capacity, sizes[l]). */
  readonly a: GPUBuffer[];
  readonly delta: GPUBuffer[];
  readonly h: GPUBuffer[];
  readonly indices: GPUBuffer;
  readonly keys: GPUBuffer;
  readonly steps: GPUBuffer;
  /** Each step's summed cost (slots), and each evaluation chunk's correct count and summed cost (2 chunks). */
  readonly costs: GPUBuffer;
  readonly scores: GPUBuffer;
  /** Augmentation: its parameters, and two (capacity, 2, sizes[0]) buffers for the elastic fields (4 bytes each without it). */
  readonly aug: GPUBuffer;
  readonly fields: [GPUBuffer, GPUBuffer];

  constructor(
    readonly device: GPUDevice,
    readonly shape: RunShape,
    optimizerBuffers: number,
  ) {
    const { sizes, parameterCount: P, capacity: B } = shape;
    const f32 = (n: number) => this.buffer(4 * Math.max(1, n));
    this.params = f32(P);
    this.lastGood = f32(P);
    this.m1 = f32(optimizerBuffers > 0 ? P : 1);
    this.m2 = f32(optimizerBuffers > 1 ? P : 1);
    this.x = f32(B * sizes[0]);
    this.y = f32(B);
    this.a = sizes.slice(1).map((n) => f32(B * n));
    this.delta = sizes.slice(1).map((n) => f32(B * n));
    this.h = sizes.slice(1).map((n) => f32(B * n));
    this.indices = f32(shape.examples);
    this.keys = f32(sizes.length);
    this.steps = this.buffer(STEP_BYTES * shape.slots, USAGE.UNIFORM | USAGE.COPY_DST);
    this.costs = f32(shape.slots);
    this.scores = f32(2 * shape.chunks);
    this.aug = f32(shape.augment?.length ?? 1);
    if (shape.augment) this.write(this.aug, shape.augment);
    this.fields = [0, 1].map(() => f32(shape.augment ? B * 2 * sizes[0] : 1)) as [GPUBuffer, GPUBuffer];
  }

  buffer(bytes: number, usage: number = STORAGE): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage });
    this.all.push(b);
    return b;
  }

  /** Uploads a dataset: u8 images packed four to a u32 (zero-padded), f32 features as they are, labels as u32. */
  upload(data: TrainingData): GpuData {
    const features = 'features' in data; // as core's isFeatures, which the main bundle would have to export
    const bytes = features ? new Uint8Array(data.features.buffer, data.features.byteOffset, data.features.byteLength) : data.images;
    const values = this.buffer(bytes.length);
    this.write(values, bytes);
    const labels = this.buffer(4 * data.count);
    this.write(labels, Uint32Array.from(data.labels));
    return { data, values, labels, features };
  }

  /** Writes `bytes` at the start of `buffer` (a copy when its length is not a multiple of 4). */
  write(buffer: GPUBuffer, bytes: ArrayBufferView, offset = 0): void {
    const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const whole = u8.length & ~3;
    if (whole) this.device.queue.writeBuffer(buffer, offset, u8.buffer, u8.byteOffset, whole);
    if (whole < u8.length) {
      const tail = new Uint8Array(4);
      tail.set(u8.subarray(whole));
      this.device.queue.writeBuffer(buffer, offset + whole, tail);
    }
  }

  /** Frees every buffer. */
  destroy(): void {
    for (const b of this.all.splice(0)) b.destroy();
  }
}

/**
 * Reads back `bytes` of `source` from `offset` after the work submitted so far: a copy into a
 * mappable buffer, submitted now, mapped when the GPU gets there.
 */
export async function readBack(device: GPUDevice, source: GPUBuffer, offset: number, bytes: number): Promise<ArrayBuffer> {
  const target = device.createBuffer({ size: Math.max(4, bytes), usage: USAGE.MAP_READ | USAGE.COPY_DST });
  try {
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(source, offset, target, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await target.mapAsync(MAP_READ);
    return target.getMappedRange().slice(0);
  } finally {
    target.destroy();
  }
}

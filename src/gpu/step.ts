// One training step and one evaluation chunk as dispatches into a compute pass, on a run's
// buffers with bind groups made once: gather, forward layer by layer, output delta and cost, then
// for l = L..1 the delta of the layer below (from W^l before its update) and the update of W^l,
// then max-norm; evaluation gathers, goes forward and scores. Not for: when steps run or what is
// read back (run.ts).
import type { Activation } from '../core/costs.js';
import type { LayerShape } from '../core/shapes.js';
import type { GpuData, RunBuffers } from './buffers.js';
import type { Pipelines } from './pipelines.js';
import { TILE } from './products.js';
import { STEP_BYTES } from './wgsl.js';

/** A run's dropout per layer l = 0 .. L - 1 (0 the input), as thresholds (u32) and scales, and max-norm (0: none). */
export interface StepRegularization {
  thresholds: number[];
  scales: number[];
  maxNorm: number;
  /** Augmentation of the training images (rows x cols), with or without the elastic distortion. */
  augment?: { rows: number; cols: number; elastic: boolean };
}

interface Dispatch {
  kernel: string;
  /** The activation of the layer it applies one of (forward, backwardInput). */
  activation?: Activation;
  group: GPUBindGroup;
  /** Workgroups along x and y for a batch of m examples. */
  size(m: number): [number, number];
}

const tiles = (n: number) => Math.ceil(n / TILE);

export class StepEncoder {
  private readonly stepGroup: GPUBindGroup;
  private readonly forward: Dispatch[];
  private readonly backward: Dispatch[];
  private readonly score: Dispatch;
  private readonly gathers = new Map<GpuData, Dispatch>();
  /** The input's dropout threshold and scale. */
  private readonly input: [number, number];
  private readonly augment: StepRegularization['augment'];
  private readonly augments = new Map<GpuData, Dispatch[]>();

  constructor(
    private readonly p: Pipelines,
    private readonly b: RunBuffers,
    shapes: readonly LayerShape[],
    /** Each hidden layer's activation (layer l's at l - 1). */
    activations: readonly Activation[],
    r: StepRegularization,
  ) {
    const L = shapes.length;
    const inputOf = (l: number) => (l === 1 ? b.x : b.a[l - 2]);
    const [K, last] = [shapes[L - 1].rows, L - 1];
    this.stepGroup = p.device.createBindGroup({ layout: p.stepLayout, entries: [{ binding: 0, resource: { buffer: b.steps, size: STEP_BYTES } }] });
    this.forward = shapes.map((s, i) => {
      const l = i + 1;
      const args = [s.rows, s.cols, s.wOffset, s.bOffset, l, l < L ? r.thresholds[l] : 0, l < L ? r.scales[l] : 1];
      return { kernel: l < L ? 'forward' : 'forwardOutput', activation: activations[i], group: p.bind(l < L ? 'forward' : 'forwardOutput', [inputOf(l), b.params, b.h[i], b.a[i], b.keys], args), size: (m) => [tiles(s.rows), tiles(m)] };
    });
    const backward: Dispatch[] = [{ kernel: 'outputDelta', group: p.bind('outputDelta', [b.a[last], b.delta[last], b.y, b.costs], [K]), size: () => [1, 1] }];
    for (let l = L; l >= 1; l--) {
      const s = shapes[l - 1];
      if (l > 1) {
        const dropped = r.thresholds[l - 1] !== 0;
        const group = p.bind('backwardInput', [b.delta[l - 1], b.params, b.delta[l - 2], dropped ? b.h[l - 2] : b.a[l - 2], b.keys], [s.rows, s.cols, s.wOffset, l - 1, r.thresholds[l - 1], r.scales[l - 1]]);
        backward.push({ kernel: 'backwardInput', activation: activations[l - 2], group, size: (m) => [tiles(s.cols), tiles(m)] });
      }
      const group = p.bind('update', [b.delta[l - 1], inputOf(l), b.params, b.m1, b.m2], [s.rows, s.cols, s.wOffset, s.bOffset]);
      backward.push({ kernel: 'update', group, size: () => [tiles(s.cols + 1), tiles(s.rows)] });
    }
    if (r.maxNorm > 0) {
      for (const s of shapes.slice(0, -1)) backward.push({ kernel: 'maxNorm', group: p.bind('maxNorm', [b.params], [s.rows, s.cols, s.wOffset, r.maxNorm]), size: () => [Math.ceil(s.rows / 64), 1] });
    }
    this.backward = backward;
    this.score = { kernel: 'score', group: p.bind('score', [b.a[last], b.y, b.scores], [K]), size: () => [1, 1] };
    this.input = [r.thresholds[0], r.scales[0]];
    this.augment = r.augment;
  }

  /** A training step's gather of `data`: gather, or the augmentation's dispatches when the run augments. */
  private trainingGather(data: GpuData): Dispatch[] {
    const a = this.augment;
    if (!a) return [this.gather(data)];
    let d = this.augments.get(data);
    if (!d) {
      const { b, p } = this;
      const P = a.rows * a.cols;
      const per = (n: number) => (m: number): [number, number] => [Math.ceil(n / 64), m];
      const sample = p.bind('augmentSample', [b.x, b.y, data.values, data.labels, b.indices, b.keys, b.fields[0], b.aug], [a.rows, a.cols, ...this.input]);
      d = [{ kernel: 'augmentSample', group: sample, size: per(P) }];
      if (a.elastic) {
        d.unshift(
          { kernel: 'augmentFields', group: p.bind('augmentFields', [b.fields[0], b.keys], [P]), size: per(P) },
          { kernel: 'augmentBlur', group: p.bind('augmentBlur', [b.fields[0], b.fields[1], b.aug], [a.rows, a.cols, 0]), size: per(2 * P) },
          { kernel: 'augmentBlur', group: p.bind('augmentBlur', [b.fields[1], b.fields[0], b.aug], [a.rows, a.cols, 1]), size: per(2 * P) },
        );
      }
      this.augments.set(data, d);
    }
    return d;
  }

  /** The gather of `data` (made on first use): its inputs dropped as the run's input dropout says. */
  private gather(data: GpuData): Dispatch {
    let d = this.gathers.get(data);
    if (!d) {
      const { b } = this;
      const cols = b.shape.sizes[0];
      const kernel = data.features ? 'gatherFeatures' : 'gather';
      d = { kernel, group: this.p.bind(kernel, [b.x, b.y, data.values, data.labels, b.indices, b.keys], [cols, ...this.input]), size: (m) => [Math.ceil(cols / 64), m] };
      this.gathers.set(data, d);
    }
    return d;
  }

  /** The training step of step slot `slot` (m examples of `data`, by the epoch's shuffle). */
  train(pass: GPUComputePassEncoder, data: GpuData, slot: number, m: number): void {
    this.run(pass, slot, m, [...this.trainingGather(data), ...this.forward, ...this.backward]);
  }

  /** Only the gather of the training step of step slot `slot`: its inputs (augmented, dropped) in x. */
  inputs(pass: GPUComputePassEncoder, data: GpuData, slot: number, m: number): void {
    this.run(pass, slot, m, this.trainingGather(data));
  }

  /** The evaluation chunk of step slot `slot` (examples row0 .. row0 + m of `data`). */
  evaluate(pass: GPUComputePassEncoder, data: GpuData, slot: number, m: number): void {
    this.run(pass, slot, m, [this.gather(data), ...this.forward, this.score]);
  }

  private run(pass: GPUComputePassEncoder, slot: number, m: number, dispatches: Dispatch[]): void {
    pass.setBindGroup(0, this.stepGroup, [slot * STEP_BYTES]);
    for (const d of dispatches) {
      pass.setPipeline(this.p.pipeline(d.kernel, d.activation));
      pass.setBindGroup(1, d.group);
      pass.dispatchWorkgroups(...d.size(m));
    }
  }
}

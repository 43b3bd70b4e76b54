// What a GPU run keeps of the network's own: its parameters (and a copy of the last good ones) and
// momentum's or Adam's state, with Adam's step count: written from the network when the run
// starts, brought back into it when asked, restored after a divergence. Not for: training
// (run.ts) or the buffers' layout (buffers.ts).
import { TrainingDivergedError } from '../core/errors.js';
import type { Network } from '../core/network.js';
import type { Optimizer, StepCount } from '../core/optimizer.js';
import { readBack, type RunBuffers } from './buffers.js';

/** Where an epoch is, for the divergence found when the parameters come back. */
export interface EpochAt {
  epoch: number;
  batches: number;
  eta: number;
}

export class RunState {
  /** Adam's step count (core's stepUpdate advances it), and the optimizer. */
  readonly held: StepCount;

  /** Writes the network's parameters and, when it has them for this optimizer, its state. */
  constructor(
    private readonly net: Network,
    private readonly b: RunBuffers,
    kind: Optimizer,
  ) {
    b.write(b.params, net.getParameters());
    const state = net.getOptimizerState();
    const same = state?.kind === kind;
    if (same) state.buffers.forEach((buffer, i) => b.write(i ? b.m2 : b.m1, buffer));
    this.held = { kind, t: same ? state.t : 0 };
  }

  /** Buffers that hold state: 1 for momentum, 2 for Adam. */
  static buffers(kind: Optimizer): number {
    return kind === 'sgd' ? 0 : kind === 'momentum' ? 1 : 2;
  }

  /** The parameters as they are now become the last good ones (an epoch begins). */
  keep(): void {
    this.copy(this.b.params, this.b.lastGood);
  }

  /** The last good parameters back (after a divergence). */
  restore(): void {
    this.copy(this.b.lastGood, this.b.params);
  }

  /** Adam's step count as if the epoch's last `k` steps, counted when it was queued, had not been. */
  unstep(k: number): void {
    if (this.held.kind === 'adam') this.held.t -= k;
  }

  /**
   * The network's parameters and optimizer state from the GPU's. A parameter that is not finite
   * (a NaN that never reached a cost: ReLU maps NaN to 0, as the wasm build does) is a divergence at
   * the epoch's end: the last good parameters come back instead, and TrainingDivergedError says so.
   */
  async sync(at: EpochAt | null): Promise<void> {
    const { b, net } = this;
    const [params, ...state] = await this.read();
    if (!params.every(Number.isFinite)) {
      this.restore();
      net.setParameters((await this.read())[0]);
      throw new TrainingDivergedError(at?.epoch ?? 0, at?.batches ?? 0, at?.batches ?? 0, NaN, at?.eta ?? NaN);
    }
    net.setParameters(params);
    if (state.length) await net.setOptimizerState({ kind: this.held.kind, t: this.held.t, buffers: state });
  }

  private async read(): Promise<Float32Array[]> {
    const { b } = this;
    const bytes = 4 * this.net.parameterCount;
    const buffers = [b.params, b.m1, b.m2].slice(0, 1 + RunState.buffers(this.held.kind));
    return (await Promise.all(buffers.map((buffer) => readBack(b.device, buffer, 0, bytes)))).map((bytes) => new Float32Array(bytes));
  }

  private copy(from: GPUBuffer, to: GPUBuffer): void {
    const encoder = this.b.device.createCommandEncoder();
    encoder.copyBufferToBuffer(from, 0, to, 0, 4 * this.net.parameterCount);
    this.b.device.queue.submit([encoder.finish()]);
  }
}

// The step-engine seam: what runs one training step over the mini-batch buffers (gather, forward,
// cost, backprop, update, max-norm), the parts of a network an engine is started on, and the
// one-thread engine. Who picks the engine of each step is the run's owner (train/engine.ts); the
// threads' engine lives in parallel/. Not for: choosing, or starting threads.
import type { Kernels } from './kernels.js';
import type { LayerLoop } from './layers.js';
import type { MemoryPlan } from './memory.js';
import type { UpdateSettings } from './optimizer.js';
import type { OptimizerBuffers } from './optimizer-state.js';
import type { LayerShape } from './shapes.js';
import type { StagedData } from './staging.js';
import type { TransposedW1 } from './transposed.js';

export interface StepEngine {
  /**
   * One step over examples [0, m) of the batch buffers, whose example indices are written: their
   * gather from `s`, forward, cost, backprop and update `u` (then max-norm of the hidden units, with
   * `maxNorm`). Returns the batch's summed cost.
   */
  step(s: StagedData, m: number, u: UpdateSettings, maxNorm: boolean): number;
}

/** An engine with resources of its own (threads), closed when the staging scope it started in ends. */
export interface StartedEngine extends StepEngine {
  close(): void;
}

/** What an engine is started on: a network's kernels, layer loop and memory, its parameters and optimizer. */
export interface EngineParts {
  k: Kernels;
  loop: LayerLoop;
  /** Reserves what the engine needs (inside the scope: released with it). */
  plan: MemoryPlan;
  module: WebAssembly.Module;
  /** The shared memory of a threads build; undefined for the others. */
  memory: WebAssembly.Memory | undefined;
  threads: number;
  w1: TransposedW1;
  /** Byte offset of the parameters. */
  params: number;
  shapes: LayerShape[];
  parameterCount: number;
  optimizer: OptimizerBuffers | null;
}

/**
 * The one-thread step: gather, forward, cost, then plain SGD fused with backprop (W^l -= (eta / m)
 * delta^l (a^(l-1))^T, L2's shrink first; W^1 updated example by example, so rounded in another
 * order than backprop + sgdUpdate) or momentum's / Adam's step from the batch's gradients;
 * max-norm after. Returns the summed cost.
 */
export function oneThreadStep(k: Kernels, loop: LayerLoop, optimizer: OptimizerBuffers | null, s: StagedData, m: number, u: UpdateSettings, maxNorm: boolean): number {
  loop.gather(s, 0, m);
  loop.forward(0, m, true);
  const cost = loop.cost(0, m);
  if (u.optimizer === 0) loop.backward(0, m, { kind: 'step', scale: u.scale, decay: u.shrink });
  else optimizer!.step(k, loop, m, u);
  if (maxNorm) loop.maxNorm(0, 1);
  return cost;
}

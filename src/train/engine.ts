// Which engine runs each training step of a run: the threads' (parallel/pool.ts) pay only for big
// steps, so smaller ones run on the calling thread. The thresholds and the one sentence that says
// them (the `threads` option's doc, the CLI's help and the demo page show it) live here and nowhere
// else; threads.ts, loaded with the pool, starts them and routes by runsThreaded. Not for: running
// steps (core/engine.ts, parallel/) or measuring (bench/RESULTS.md has the measurements behind the
// numbers).
import { MIN_BLOCK_ROWS } from '../core/transposed.js';

/** Steps by rows (each thread its rows of every layer: no gradient copies, the bits of one thread) run threaded from this many multiply-adds: batch x parameters. */
export const THREADED_ROWS_MIN_WORK = 3_000_000;
/** Steps by examples (gradients per thread, then a reduction: first layers too narrow for a block a thread) run threaded from this many. */
export const THREADED_REDUCTION_MIN_WORK = 8_000_000;

/** When threads pay, in one sentence. */
export const THREADS_PAY =
  `threads pay for big steps only: steps under ${THREADED_ROWS_MIN_WORK / 1e6} million multiply-adds (batch size x parameters) run on the calling thread, ` +
  `and with under ${MIN_BLOCK_ROWS} first-layer rows a thread, plain SGD steps and steps under ${THREADED_REDUCTION_MIN_WORK / 1e6} million too`;

export interface StepShape {
  /** SGD without L2: never by examples, whose reduction would round it otherwise than one thread. */
  plainSgd: boolean;
  batch: number;
  parameters: number;
  /** Blocks of W^1's transposed copy, and training threads: a step by rows needs one block a thread. */
  blocks: number;
  threads: number;
}

/**
 * Whether a step of this shape runs on the threads. It depends only on the network, the thread
 * count and the batch size, so a seed and a thread count always give the same bits.
 */
export function runsThreaded(s: StepShape): boolean {
  const work = s.batch * s.parameters;
  if (s.blocks === s.threads) return work >= THREADED_ROWS_MIN_WORK;
  return !s.plainSgd && work >= THREADED_REDUCTION_MIN_WORK;
}

// Which engine runs each training step of a run: the threads' (parallel/pool.ts) pay only for big
// steps, so smaller ones run on the calling thread. The thresholds and the one sentence that says
// them (the `threads` option's doc, the CLI's help and the demo page show it) live here and nowhere
// else. Not for: running steps (core/engine.ts, parallel/) or measuring (bench/RESULTS.md has the
// measurements behind the numbers).
import type { Network } from '../core/network.js';
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

/**
 * Starts the training threads of a network made with threads > 1 (inside its withStaged scope,
 * which stops them) and routes each step: to the threads where runsThreaded says they pay, else to
 * the one-thread engine. Does nothing for one thread.
 */
export async function startThreads(net: Network): Promise<void> {
  if (net.threads === 1) return;
  // loaded only by networks that train on threads: most pages never download it
  const pool = await net.startEngine(await import('../parallel/pool.js').then((m) => m.ThreadPool.start));
  const { oneThread, parameterCount: parameters, threads } = net;
  const blocks = net.w1.blocks.length;
  net.useEngine({
    step: (s, m, u, maxNorm) => (runsThreaded({ plainSgd: u.optimizer === 0 && u.decay === 0, batch: m, parameters, blocks, threads }) ? pool : oneThread).step(s, m, u, maxNorm),
  });
}

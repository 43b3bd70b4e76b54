// Which engine runs each training step of a run: the threads' (parallel/pool.ts) pay only for big
// steps, so smaller ones run on the calling thread. The thresholds and the one sentence that says
// them (the `threads` option's doc, the CLI's help and the demo page show it) live here and nowhere
// else. Not for: running steps (core/engine.ts, parallel/) or measuring (bench/RESULTS.md has the
// measurements behind the numbers).
import type { Network } from '../core/network.js';
import { isPlainSgd } from '../core/optimizer.js';
import { MIN_BLOCK_ROWS } from '../core/transposed.js';

/** Plain SGD steps (no gradient copies, the bits of one thread) run threaded from this many multiply-adds: batch x parameters. */
export const THREADED_SGD_MIN_WORK = 3_000_000;
/** Momentum, Adam and L2 steps (gradients per thread, then a reduction) run threaded from this many. */
export const THREADED_REDUCTION_MIN_WORK = 8_000_000;

/** When threads pay, in one sentence. */
export const THREADS_PAY =
  `threads pay for big steps only: plain SGD steps under ${THREADED_SGD_MIN_WORK / 1e6} million multiply-adds (batch size x parameters) ` +
  `or with under ${MIN_BLOCK_ROWS} first-layer rows a thread, and other steps under ${THREADED_REDUCTION_MIN_WORK / 1e6} million, run on the calling thread`;

export interface StepShape {
  /** SGD without L2 (isPlainSgd). */
  plainSgd: boolean;
  batch: number;
  parameters: number;
  /** Blocks of W^1's transposed copy, and training threads: plain SGD needs one block a thread. */
  blocks: number;
  threads: number;
}

/**
 * Whether a step of this shape runs on the threads. It depends only on the network, the thread
 * count and the batch size, so a seed and a thread count always give the same bits.
 */
export function runsThreaded(s: StepShape): boolean {
  const work = s.batch * s.parameters;
  return s.plainSgd ? s.blocks === s.threads && work >= THREADED_SGD_MIN_WORK : work >= THREADED_REDUCTION_MIN_WORK;
}

/**
 * Starts the training threads of a network made with threads > 1 (inside its withStaged scope,
 * which stops them) and routes each step: to the threads where runsThreaded says they pay, else to
 * the one-thread engine. Does nothing for one thread.
 */
export async function startThreads(net: Network): Promise<void> {
  if (net.threads === 1) return;
  // loaded only by networks that train on threads: most pages never download it
  const { ThreadPool } = await import('../parallel/pool.js');
  const pool = await net.startEngine(ThreadPool.start);
  const { oneThread, parameterCount: parameters, threads } = net;
  const blocks = net.w1.blocks.length;
  net.useEngine({
    step: (s, m, u, maxNorm) => (runsThreaded({ plainSgd: isPlainSgd(u), batch: m, parameters, blocks, threads }) ? pool : oneThread).step(s, m, u, maxNorm),
  });
}

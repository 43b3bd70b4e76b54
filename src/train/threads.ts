// Training threads for a run: started inside its staging scope (which stops them), each step
// routed to them where runsThreaded (engine.ts) says they pay, else to the one-thread engine.
// Loaded, with the threads' pool, only by networks that train on threads: most pages never
// download it. Not for: when threads pay (engine.ts) or running steps (parallel/).
import type { Network } from '../core/network.js';
import { ThreadPool } from '../parallel/pool.js';
import type { StepShape } from './engine.js';

/**
 * Starts the training threads of a network made with threads > 1 and routes each step by
 * `runsThreaded` (engine.ts's, given by train(): engine.ts stays out of this chunk).
 */
export async function startThreads(net: Network, runsThreaded: (s: StepShape) => boolean): Promise<void> {
  const pool = await net.startEngine(ThreadPool.start);
  const { oneThread, parameterCount: parameters, threads } = net;
  const blocks = net.w1.blocks.length;
  net.useEngine({
    step: (s, m, u, maxNorm) => (runsThreaded({ plainSgd: u.optimizer === 0 && u.decay === 0, batch: m, parameters, blocks, threads }) ? pool : oneThread).step(s, m, u, maxNorm),
  });
}

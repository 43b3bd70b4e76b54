// A training thread's share of each command: gathering its examples, z^1 for its rows of W^1,
// the deltas or gradients of its examples, the update of its rows or its slice of the reduction;
// and the loop a worker runs. The same code runs on the caller (thread 0) and in every worker.
// Not for: starting threads (pool.ts).
import type { Kernels } from '../core/kernels.js';
import { LayerLoop } from '../core/layers.js';
import { updateShare, updateSlices } from '../core/optimizer-state.js';
import { BATCH, CMD, controlViews, DELTAS, DONE, EXIT, FIRST, firstByRows, GATHER, GEN, GRADIENTS, MAX_NORM, readUpdate, REDUCE, SCALE, stagedData, UPDATE, waitWhileEqual, type Control, type ThreadSetup } from './protocol.js';

/**
 * Thread t's share of a command: gathering its examples (GATHER), z^1 for its rows of W^1
 * (FIRST), its examples' deltas (DELTAS) or gradients (GRADIENTS), its rows' update (UPDATE) or
 * its slice of the reduction (REDUCE), then max-norm of its hidden units (MAX_NORM).
 */
export function runShare(k: Kernels, loop: LayerLoop, s: ThreadSetup, c: Control, command: number): void {
  const ctrl = c.i32;
  const T = s.threads;
  const t = s.thread;
  const grads = s.grads + 4 * t * s.gstride;
  const gradsB = grads + 4 * s.layout.wtLength;
  const [e0, e1] = [Math.floor((ctrl[BATCH] * t) / T), Math.floor((ctrl[BATCH] * (t + 1)) / T)]; // its examples
  if (command === GRADIENTS || command === DELTAS) {
    let cost = 0;
    if (e1 > e0) {
      if (command === DELTAS && firstByRows(s.plan)) {
        loop.forward(e0, e1 - e0, true, true); // gathered in GATHER, z^1 made by rows in FIRST
      } else {
        loop.gather(stagedData(ctrl), e0, e1 - e0);
        loop.forward(e0, e1 - e0, true);
      }
      cost = loop.cost(e0, e1 - e0);
      loop.backward(e0, e1 - e0, command === DELTAS ? { kind: 'deltas' } : { kind: 'partial', grads: gradsB, gradsWT: grads });
    } else if (command === GRADIENTS) {
      k.zero(grads, s.gstride); // no examples: nothing to add in the reduction
    }
    c.costs[t] = cost;
  } else if (command === GATHER) {
    if (e1 > e0) loop.gather(stagedData(ctrl), e0, e1 - e0);
  } else if (command === FIRST) {
    loop.firstColumns(ctrl[BATCH], t);
  } else if (command === UPDATE) {
    loop.updateRows(ctrl[BATCH], c.f32[SCALE], t, T);
  } else if (command === MAX_NORM) {
    loop.maxNorm(t, T);
  } else if (command === REDUCE) {
    reduceShare(k, s, c);
  }
}

/**
 * Thread t's slice of the update: its slice of the T gradient buffers summed into thread 0's (in
 * thread order), then the one update over that slice (core/optimizer-state.ts), as one thread
 * runs it over all of them.
 */
function reduceShare(k: Kernels, s: ThreadSetup, c: Control): void {
  for (const { offset, i0, i1 } of updateSlices(s.layout, s.thread, s.threads)) k.reduceInto(s.grads + 4 * (offset + i0), s.threads, s.gstride, i1 - i0);
  updateShare(k, readUpdate(c), s.layout, s.grads, s.state, s.thread, s.threads);
}

/** The worker side: waits for commands on the control block and runs its share until EXIT. */
export function serveThread(k: Kernels, s: ThreadSetup): void {
  const loop = new LayerLoop(k, s.plan, s.thread);
  const c = controlViews(s);
  const ctrl = c.i32;
  // ThreadPool.start zeroed the block before any worker started; reading GEN here instead could
  // miss a step the caller began right after this worker said it was ready.
  let seen = 0;
  for (;;) {
    waitWhileEqual(ctrl, GEN, seen);
    seen = Atomics.load(ctrl, GEN);
    const command = Atomics.load(ctrl, CMD);
    if (command === EXIT) return;
    runShare(k, loop, s, c, command);
    Atomics.add(ctrl, DONE, 1);
    Atomics.notify(ctrl, DONE);
  }
}

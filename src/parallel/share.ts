// A training thread's share of each command: gathering its examples, z^1 for its rows of W^1,
// the deltas or gradients of its examples, the update of its rows or its slice of the reduction;
// and the loop a worker runs. The same code runs on the caller (thread 0) and in every worker.
// Not for: starting threads (pool.ts).
import type { Kernels } from '../core/kernels.js';
import { LayerLoop } from '../core/layers.js';
import { rowRange } from '../core/transposed.js';
import { BATCH, BETA1, BETA2, CMD, controlViews, DECAY, DELTAS, DONE, EPSILON, EXIT, FIRST, firstByRows, GATHER, GEN, GRAD_SCALE, GRADIENTS, MAX_NORM, MU, OPTIMIZER, RATE, REDUCE, SCALE, stagedData, UPDATE, waitWhileEqual, type Control, type ThreadSetup } from './protocol.js';

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
  const gradsB = grads + 4 * s.wtLength;
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
 * Thread t's slice of the update, in two ranges laid out alike in the gradients, the state and
 * the parameters: WT, then the parameters from b^1 on. Plain SGD without L2 fuses sum and update;
 * otherwise the sum goes to thread 0's buffer, L2 is added for the weights, then the optimizer.
 */
function reduceShare(k: Kernels, s: ThreadSetup, c: Control): void {
  const f = c.f32;
  const T = s.threads;
  const optimizer = c.i32[OPTIMIZER];
  const decay = f[DECAY];
  const ranges: [target: number, offset: number, n: number, weights: [number, number][]][] = [
    [s.plan.wt, 0, s.wtLength, [[0, s.wtLength]]],
    [s.plan.params + 4 * s.b1, s.wtLength + s.b1, s.parameterCount - s.b1, s.weightRanges.map(([a, b]) => [a - s.b1, b - s.b1])],
  ];
  for (const [target, offset, n, weights] of ranges) {
    const [i0, i1] = rowRange(n, s.thread, T, 4);
    if (i1 <= i0) continue;
    const len = i1 - i0;
    const p = target + 4 * i0;
    const g = s.grads + 4 * (offset + i0);
    if (optimizer === 0 && decay === 0) {
      k.reduceUpdate(p, g, T, s.gstride, f[SCALE], len);
      continue;
    }
    k.reduceInto(g, T, s.gstride, len);
    if (decay > 0) {
      for (const [w0, w1] of weights) {
        const a = Math.max(w0, i0);
        const b = Math.min(w1, i1);
        if (b > a) k.addScaled(s.grads + 4 * (offset + a), target + 4 * a, decay, b - a);
      }
    }
    const st = (j: number) => s.state[j] + 4 * (offset + i0);
    if (optimizer === 0) k.sgdUpdate(p, g, f[SCALE], len);
    else if (optimizer === 1) k.momentumUpdate(p, st(0), g, f[SCALE], f[MU], len);
    else k.adamUpdate(p, st(0), st(1), g, f[GRAD_SCALE], f[RATE], f[BETA1], f[BETA2], f[EPSILON], len);
  }
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

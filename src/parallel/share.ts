// A training thread's share of each command: gathering its examples, z^1 for its rows of W^1,
// the deltas or gradients of its examples, the update of its rows or its slice of the reduction;
// and the loop a worker runs. The same code runs on the caller (thread 0) and in every worker.
// Not for: starting threads (pool.ts).
import type { Kernels } from '../core/kernels.js';
import type { UpdateSettings } from '../core/optimizer.js';
import { LayerLoop, sgdByColumns, type Columns } from '../core/layers.js';
import { firstLayerAdam, updateRange, updateShare, updateSlices } from '../core/optimizer-state.js';
import { rowRange } from '../core/transposed.js';
import { BATCH, CMD, controlViews, DELTAS, DONE, EXIT, FIRST, firstByRows, GATHER, GEN, GRADIENTS, MAX_NORM, readUpdate, REDUCE, stagedData, UPDATE, waitWhileEqual, type Control, type ThreadSetup } from './protocol.js';

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
    // its examples' nonzeros by column, its part of the batch's for the update by rows (none when empty)
    if (command === DELTAS && byColumns(s, readUpdate(c), ctrl[BATCH])) transposeShare(loop, e0, e1 - e0);
    c.costs[t] = cost;
  } else if (command === GATHER) {
    if (e1 > e0) loop.gather(stagedData(ctrl), e0, e1 - e0);
  } else if (command === FIRST) {
    firstColumns(loop, ctrl[BATCH], t);
  } else if (command === UPDATE) {
    updateRows(loop, s, readUpdate(c), ctrl[BATCH]);
  } else if (command === MAX_NORM) {
    loop.maxNorm(t, T);
  } else if (command === REDUCE) {
    reduceShare(k, s, c);
  }
}

/**
 * Thread t's share of z^1 = W^1 x + b^1 for all examples [0, m) (all gathered), when WT has a
 * block per thread: the rows of W^1 in block t, whose weights it also updates, so that no other
 * thread ever reads them. Each z^1[n, j] is summed as the loop's forward sums it: the same bits.
 */
function firstColumns(loop: LayerLoop, m: number, t: number): void {
  const { k, plan: p } = loop;
  const s = p.shapes[0];
  const w = p.blocks[t];
  const z1 = p.shapes.length > 1 && loop.context().dropoutThreshold(1) !== 0 ? p.h[1] : p.a[1];
  k.sparseForward(z1 + 4 * w.row, p.wt + 4 * w.offset, p.params + 4 * (s.bOffset + w.row), p.vals, p.list, p.counts, m, w.rows, s.cols, w.stride, s.rows);
}

/**
 * Thread t of T's share of the update over examples [0, m), once backward(e0, m_t, { kind:
 * 'deltas' }) has made every example's deltas: its range of the rows of every layer (of W^1, WT's
 * block t: WT has a block per thread, so no two threads write one cache line). SGD is fused:
 * W^l -= scale delta^l (a^(l-1))^T, b^l -= scale sum_n delta^l, after L2's shrink; momentum and
 * Adam take its rows' gradients into thread 0's gradient buffer, then their update. Each
 * parameter gets the operations one thread gives it, in the same order: the same bits.
 */
function updateRows(loop: LayerLoop, s: ThreadSetup, u: UpdateSettings, m: number): void {
  const { k, plan: p } = loop;
  const { thread: t, threads: T, layout: l, grads } = s;
  const sgd = u.optimizer === 0;
  p.shapes.forEach((sh, i) => {
    const b = p.params + 4 * sh.bOffset;
    if (i === 0) {
      const w = p.blocks[t];
      const WT = p.wt + 4 * w.offset;
      const columns = byColumns(s, u, m) ? batchColumns(loop, T) : undefined; // every thread's part, made in DELTAS
      if (sgd) {
        if (u.shrink !== 1) k.scaleInPlace(WT, u.shrink, sh.cols * w.stride);
        loop.firstLayerUpdate(WT, b + 4 * w.row, w, 0, m, -u.scale, columns);
        return;
      }
      if (u.optimizer === 2) firstLayerAdam(loop, u, l, grads, s.state, w, m, columns);
      else {
        loop.firstLayerUpdate(grads + 4 * w.offset, grads + 4 * (l.wtLength + sh.bOffset + w.row), w, 0, m, null, columns);
        updateRange(k, u, l, grads, s.state, w.offset, sh.cols * w.stride, true);
      }
      updateRange(k, u, l, grads, s.state, l.wtLength + sh.bOffset + w.row, w.rows, false);
      return;
    }
    const [j0, j1] = rowRange(sh.rows, t, T, 1);
    if (j1 <= j0) return;
    const [W, d, x] = [p.params + 4 * (sh.wOffset + j0 * sh.cols), p.delta[i + 1] + 4 * j0, p.a[i]];
    if (sgd) {
      if (u.shrink !== 1) k.scaleInPlace(W, u.shrink, (j1 - j0) * sh.cols);
      k.denseSgdStep(W, b + 4 * j0, d, x, u.scale, m, j1 - j0, sh.cols, sh.rows);
      return;
    }
    const [gW, gb] = [l.wtLength + sh.wOffset + j0 * sh.cols, l.wtLength + sh.bOffset + j0];
    k.denseGradient(grads + 4 * gW, grads + 4 * gb, d, x, m, j1 - j0, sh.cols, sh.rows);
    updateRange(k, u, l, grads, s.state, gW, (j1 - j0) * sh.cols, true);
    updateRange(k, u, l, grads, s.state, gb, j1 - j0, false);
  });
}

/** Thread t's examples [e0, e0 + m)'s nonzeros by column, numbered from e0: its part of the batch's, in its column buffers (layer-plan.ts). */
function transposeShare(loop: LayerLoop, e0: number, m: number): void {
  const { k, plan: p, thread } = loop;
  const C = p.sizes[0];
  const at = thread * p.tbytes;
  k.transposeLists(p.tstarts + at, p.texamples + at, p.tvals + at, p.list + 4 * e0 * C, p.vals + 4 * e0 * C, p.counts + 4 * e0, m, C, e0);
}

/** The batch's nonzeros by column in T parts (every thread's transposeShare), read from thread 0's buffers on, with this thread's scratch. */
function batchColumns(loop: LayerLoop, T: number): Columns {
  const p = loop.plan;
  return { tstarts: p.tstarts, texamples: p.texamples, tvals: p.tvals, scratch: p.scratch + loop.thread * p.tbytes, parts: T, pstride: p.tbytes };
}

/** Whether a step by rows updates W^1 column by column (then each thread transposes its examples' lists in DELTAS): momentum and Adam always, SGD as sgdByColumns says. */
function byColumns(s: ThreadSetup, u: UpdateSettings, m: number): boolean {
  return u.optimizer !== 0 || sgdByColumns(m, s.plan.shapes[0].rows);
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

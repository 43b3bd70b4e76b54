// The layer loop of the lecture's network over a range of examples of the mini-batch buffers:
// gather, forward, cost, backprop. Shared by Network (all examples) and the training threads (a
// slice each). Not for: scheduling or the memory plan (layer-plan.ts lays the buffers out); it
// only calls kernels on planned pointers.
import { costOutput, summedCost, type Output } from './costs.js';
import type { Kernels } from './kernels.js';
import type { LayerPlan } from './layer-plan.js';
import { MemoryViews } from './memory.js';
import type { LayerShape } from './shapes.js';
import { FEATURES_DENSE, FEATURES_SPARSE, IMAGE_RUNS, type StagedData } from './staging.js';
import { ContextReader } from './context.js';
import { rowRange, type WtBlock } from './transposed.js';

/** The batch's nonzeros by column for the column-by-column kernels: `parts` parts (transposeLists each), `pstride` bytes apart, and a scratch. */
export interface Columns {
  tstarts: number;
  texamples: number;
  tvals: number;
  scratch: number;
  parts: number;
  pstride: number;
}

/** Each hidden activation's kernels: f(z) in place, and delta *= f'(z) from f(z); looked up per layer. */
const ACTIVATION_KERNELS = {
  sigmoid: ['sigmoid', 'sigmoidPrimeMul'],
  tanh: ['tanhForward', 'tanhPrimeMul'],
  relu: ['reluForward', 'reluPrimeMul'],
} as const;

/** What backprop does with delta^l (a^(l-1))^T. */
export type BackwardTarget =
  /**
   * The fused SGD step: W^l -= scale delta^l (a^(l-1))^T (W^1 in WT); with `decay` (L2: 1 - eta
   * lambda / N), W^l is first scaled by it, after it has served the backprop below.
   */
  | { kind: 'step'; scale: number; decay?: number }
  /** Add the gradients to `nabla`, laid out as the parameters (W^1 row-major). */
  | { kind: 'gradients'; nabla: number }
  /**
   * Write (not add) this slice's gradients to `grads` (parameter layout; W^1's slot unused) and
   * `gradsWT` (WT layout); with `skipFirst`, layer 1's are left to the caller (a fused update).
   */
  | { kind: 'partial'; grads: number; gradsWT: number; skipFirst?: boolean }
  /** Nothing: only the deltas are made (the threads' SGD step updates afterwards: parallel/share.ts). */
  | { kind: 'deltas' };

export class LayerLoop {
  private readonly views: MemoryViews;
  private readonly reader: ContextReader;

  constructor(
    readonly k: Kernels,
    readonly plan: LayerPlan,
    /** Which training thread runs this loop (its augmentation scratch, its column buffers); 0 for the calling thread. */
    readonly thread = 0,
  ) {
    this.views = new MemoryViews(k);
    this.reader = new ContextReader(this.views, plan.context);
  }

  context(): ContextReader {
    return this.reader.read();
  }

  /**
   * The inputs (lists) and y of examples [e0, e0 + m) from a staged dataset, by plan.indices: an
   * image's nonzero pixels from its run table (or, when training augments, from its distortion),
   * a feature row's nonzeros or all of it (by the staged form); then input dropout, when training
   * drops inputs. The dense x is not needed, so it is not made. Then forward(e0, m, true).
   */
  gather(s: StagedData, e0: number, m: number): void {
    const p = this.plan;
    const C = p.sizes[0];
    const [list, vals, counts] = [row(p.list, e0, C), row(p.vals, e0, C), p.counts + 4 * e0];
    const c = this.context();
    const indices = p.indices + 4 * e0;
    if (s.form === FEATURES_DENSE) this.k.gatherFeatures(vals, list, counts, p.y + e0, s.images, s.labels, indices, m, C);
    else if (s.form === FEATURES_SPARSE) this.k.gatherFeaturesSparse(vals, list, counts, p.y + e0, s.images, s.runs, s.starts, s.labels, indices, m, C);
    else if (c.augment) {
      this.k.augmentGather(list, vals, counts, p.y + e0, s.images, s.labels, indices, m, c.rows, c.cols, c.row0 + e0, c.augmentKey, c.params, c.scratch + this.thread * c.scratchBytes);
    } else {
      this.k.gatherRuns(list, vals, counts, p.y + e0, s.images, s.labels, s.runs, s.starts, indices, m, C);
    }
    const threshold = c.dropoutThreshold(0);
    if (threshold !== 0) this.k.dropoutLists(list, vals, counts, m, C, c.dropoutKey(0), c.row0 + e0, threshold, c.dropoutScale(0));
  }

  /**
   * The forward pass of examples [e0, e0 + m) of a staged dataset outside training steps
   * (evaluation): images go straight from their run tables into layer 1 (sparseForwardRuns: the
   * bits of gather then forward, without writing the lists); features, and training steps (whose
   * dropout and augmentation act on the lists), gather first.
   */
  forwardStaged(s: StagedData, e0: number, m: number): void {
    if (s.form !== IMAGE_RUNS || this.context().training) {
      this.gather(s, e0, m);
      this.forward(e0, m, true);
      return;
    }
    const { k, plan: p } = this;
    const first = p.shapes[0];
    const [z, b] = [row(p.a[1], e0, first.rows), p.params + 4 * first.bOffset];
    for (const w of p.blocks) {
      k.sparseForwardRuns(z + 4 * w.row, p.wt + 4 * w.offset, b + 4 * w.row, p.y + e0, s.images, s.labels, s.runs, s.starts, p.indices + 4 * e0, m, w.rows, first.cols, w.stride, first.rows);
    }
    this.forward(e0, m, true, true);
  }

  /**
   * z^l = W^l a^(l-1) + b^l and a^l = sigma(z^l) for l = 1..L (z^l is overwritten by a^l); layer
   * 1 sums over each example's nonzero inputs, in order, then adds b^1. `gathered`: the lists
   * come from gather(); otherwise they are made from the dense inputs in a[0]. `firstSummed`:
   * z^1 is already made (by the threads: parallel/share.ts), only its activation is left.
   * `output`: the output function a^L takes (default the cost's: costOutput).
   */
  forward(e0: number, m: number, gathered: boolean, firstSummed = false, output = costOutput(this.plan.cost)): void {
    const { k, plan: p } = this;
    const c = this.context();
    const L = p.shapes.length;
    for (let l = 1; l <= L; l++) {
      const s = p.shapes[l - 1];
      const b = p.params + 4 * s.bOffset;
      const threshold = l < L ? c.dropoutThreshold(l) : 0;
      const out = row(threshold !== 0 ? p.h[l] : p.a[l], e0, s.rows); // z^l, then f(z^l) in place
      if (l === 1) {
        if (!firstSummed) {
          const list = row(p.list, e0, s.cols);
          const vals = row(p.vals, e0, s.cols);
          // a dense batch (given as f32 inputs) is listed here; a gathered one already is
          if (!gathered) k.nonzeroColumns(list, vals, p.counts + 4 * e0, row(p.a[0], e0, s.cols), m, s.cols);
          for (const w of p.blocks) {
            k.sparseForward(out + 4 * w.row, p.wt + 4 * w.offset, b + 4 * w.row, vals, list, p.counts + 4 * e0, m, w.rows, s.cols, w.stride, s.rows);
          }
        }
      } else {
        k.denseForward(out, p.params + 4 * s.wOffset, b, row(p.a[l - 1], e0, s.cols), m, s.rows, s.cols);
      }
      if (l < L) {
        k[ACTIVATION_KERNELS[p.activations[l - 1]][0]](out, out, m * s.rows);
        if (threshold !== 0) k.dropoutForward(row(p.a[l], e0, s.rows), out, m, s.rows, c.dropoutKey(l), c.row0 + e0, threshold, c.dropoutScale(l));
      } else this.finish(out, m, s.rows, output);
    }
  }

  /**
   * a^L = f(z^L) in place, (m, K), for the output function f; identity and log-softmax leave z^L as
   * it is (forward() takes the log-softmax of its result: log-softmax.ts).
   */
  private finish(out: number, m: number, K: number, f: Output): void {
    if (f === 'softmax') this.k.softmaxRows(out, out, m, K);
    else if (f === 'sigmoid') this.k.sigmoid(out, out, m * K);
  }

  /** Summed cost of examples [e0, e0 + m). */
  cost(e0: number, m: number): number {
    const p = this.plan;
    const K = p.sizes[p.sizes.length - 1];
    const aL = row(p.a[p.shapes.length], e0, K);
    if (p.cost === 'quadratic') return this.k.costQuadratic(aL, p.y + e0, m, K);
    return summedCost(p.cost, this.views.f32, aL >> 2, this.views.u8, p.y + e0, m, K);
  }

  /**
   * delta^L = 2 (a^L - y) sigma'(z^L) (quadratic) or a^L - y (cross-entropy, log-likelihood);
   * then for l = L..1: delta^(l-1) = (W^l)^T delta^l * f'(z^(l-1)) from W^l before any update,
   * and delta^l (a^(l-1))^T, delta^l go to `target`.
   */
  backward(e0: number, m: number, target: BackwardTarget): void {
    const { k, plan: p } = this;
    const c = this.context();
    const L = p.shapes.length;
    const K = p.sizes[L];
    if (p.cost === 'quadratic') k.outputDeltaQuadratic(row(p.delta[L], e0, K), row(p.a[L], e0, K), p.y + e0, m, K);
    else k.outputDeltaDifference(row(p.delta[L], e0, K), row(p.a[L], e0, K), p.y + e0, m, K);
    for (let l = L; l >= 1; l--) {
      const s = p.shapes[l - 1];
      const delta = row(p.delta[l], e0, s.rows);
      const input = row(p.a[l - 1], e0, s.cols);
      if (l > 1) {
        const below = row(p.delta[l - 1], e0, s.cols);
        k.denseBackwardInput(below, p.params + 4 * s.wOffset, delta, m, s.rows, s.cols);
        const threshold = c.dropoutThreshold(l - 1);
        if (threshold !== 0) k.dropoutBackward(below, m, s.cols, c.dropoutKey(l - 1), c.row0 + e0, threshold, c.dropoutScale(l - 1));
        // delta^(l-1) *= f'(z^(l-1)) of layer l-1's activation, from its output
        k[ACTIVATION_KERNELS[p.activations[l - 2]][1]](below, threshold !== 0 ? row(p.h[l - 1], e0, s.cols) : input, m * s.cols);
      }
      this.layerGradient(l, s, delta, input, e0, m, target);
    }
  }

  /**
   * Max-norm, when the context asks for it, of thread t of T's share of the hidden units: their
   * incoming weights' norms capped at c. W^1's rows by WT's blocks (block t, when there is one per
   * thread; else thread 0 takes them all), the other hidden layers' rows by ranges. Each row's norm
   * is summed the same way whoever computes it: the same bits for every thread count.
   */
  maxNorm(t: number, T: number): void {
    const c = this.context().maxNorm;
    if (c === 0) return;
    const { k, plan: p } = this;
    const L = p.shapes.length;
    for (let l = 1; l < L; l++) {
      const s = p.shapes[l - 1];
      if (l === 1) {
        const blocks = p.blocks.length === T ? [p.blocks[t]] : t === 0 ? p.blocks : [];
        for (const w of blocks) k.maxNormColumns(p.wt + 4 * w.offset, w.rows, s.cols, w.stride, c);
      } else {
        const [j0, j1] = rowRange(s.rows, t, T, 1);
        if (j1 > j0) k.maxNormRows(p.params + 4 * (s.wOffset + j0 * s.cols), j1 - j0, s.cols, c);
      }
    }
  }

  /**
   * Layer 1's update of W^T's block `w` over examples [e0, e0 + m) (their lists gathered, their
   * deltas made): with `alpha`, WT += alpha (delta^T x)^T at `WT` and its bias at `b` (the fused SGD
   * step), column by column for big batches (this thread's column buffers), else example by
   * example: the same bits; with null, the gradient written over `WT` and `b`, column by column.
   */
  firstLayerUpdate(WT: number, b: number, w: WtBlock, e0: number, m: number, alpha: number | null, c?: Columns): void {
    const { k, plan: p } = this;
    const { cols: C, rows } = p.shapes[0];
    const delta = row(p.delta[1], e0, rows) + 4 * w.row;
    if (alpha !== null && !sgdByColumns(m, rows)) {
      k.sparseOuter(WT, b, delta, row(p.vals, e0, C), row(p.list, e0, C), p.counts + 4 * e0, alpha, m, w.rows, C, w.stride, rows);
      return;
    }
    c ??= this.columns(e0, m);
    if (alpha !== null) k.sparseOuterColumns(WT, b, delta, c.tstarts, c.texamples, c.tvals, c.scratch, alpha, m, w.rows, C, w.stride, rows, c.parts, c.pstride);
    else k.sparseGradientColumns(WT, b, delta, c.tstarts, c.texamples, c.tvals, c.scratch, m, w.rows, C, w.stride, rows, c.parts, c.pstride);
  }

  /** Examples [e0, e0 + m)'s nonzeros by column, numbered from 0, as one part in this thread's column buffers (layer-plan.ts). */
  columns(e0: number, m: number): Columns {
    const p = this.plan;
    const C = p.sizes[0];
    const at = this.thread * p.tbytes;
    const c = { tstarts: p.tstarts + at, texamples: p.texamples + at, tvals: p.tvals + at, scratch: p.scratch + at, parts: 1, pstride: 0 };
    this.k.transposeLists(c.tstarts, c.texamples, c.tvals, row(p.list, e0, C), row(p.vals, e0, C), p.counts + 4 * e0, m, C, 0);
    return c;
  }

  private layerGradient(l: number, s: LayerShape, delta: number, input: number, e0: number, m: number, target: BackwardTarget): void {
    const { k, plan: p } = this;
    switch (target.kind) {
      case 'deltas':
        return;
      case 'gradients':
        k.denseBackwardParams(target.nabla + 4 * s.wOffset, target.nabla + 4 * s.bOffset, delta, input, m, s.rows, s.cols);
        return;
      case 'step':
        if (target.decay !== undefined && target.decay !== 1) {
          if (l === 1) k.scaleInPlace(p.wt, target.decay, p.wtLength);
          else k.scaleInPlace(p.params + 4 * s.wOffset, target.decay, s.rows * s.cols);
        }
        if (l === 1) {
          for (const w of p.blocks) this.firstLayerUpdate(p.wt + 4 * w.offset, p.params + 4 * (s.bOffset + w.row), w, e0, m, -target.scale);
        } else k.denseSgdStep(p.params + 4 * s.wOffset, p.params + 4 * s.bOffset, delta, input, target.scale, m, s.rows, s.cols, s.rows);
        return;
      case 'partial': // overwrites: no zeroing pass
        if (l === 1 && target.skipFirst) return;
        if (l === 1) {
          for (const w of p.blocks) this.firstLayerUpdate(target.gradsWT + 4 * w.offset, target.grads + 4 * (s.bOffset + w.row), w, e0, m, null);
        } else k.denseGradient(target.grads + 4 * s.wOffset, target.grads + 4 * s.bOffset, delta, input, m, s.rows, s.cols, s.rows);
    }
  }
}

/**
 * Whether the SGD update of W^1 (`rows` rows) over a batch of m examples goes column by column
 * (each row of W^T loaded and stored once for the batch, after the batch's lists are transposed)
 * rather than example by example: the same bits either way. The transposition costs the same
 * whatever the width, the saving grows with it: measured per kernel (bench/RESULTS.md), by column
 * pays from batch 16 at 256 rows, 32 at 100 rows, and never up to 48 at 30 rows. The gradients of
 * momentum and Adam always go by column.
 */
export function sgdByColumns(m: number, rows: number): boolean {
  return m >= 16 && m * rows >= 3200;
}

/** Byte offset of row e0 of a (rows, width) f32 matrix at `ptr`. */
function row(ptr: number, e0: number, width: number): number {
  return ptr + 4 * e0 * width;
}

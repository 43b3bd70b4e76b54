// The first layer's column-by-column update (assembly/columns.ts) against its definition and the
// per-example kernels it must equal bit for bit: transposeLists by the counting sort's definition,
// sparseOuterColumns against sparseOuter, sparseGradientColumns against sparseOuter into zeros
// (and, in the debug build, each SIMD path against its scalar twin), whole and by ranges of rows;
// the fused Adam step against the gradient, L2 and adamUpdate in turn.
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/core/random.js';
import { f32, KernelBench, randomArray } from './helpers.js';

const rng = new Rng(20261206);

/** The first `n` values at `ptr` as bits, NaN and -0 kept apart. */
const bitsOf = (t: KernelBench, ptr: number, n: number) => Array.from(new Uint32Array(t.readF32(ptr, n).buffer));

/** `batch` examples of `cols` inputs, about `zeros` of them 0; then their lists (nonzeroColumns) and their transpose (transposeLists) in `t`. */
function batchOf(t: KernelBench, batch: number, cols: number, zeros: number) {
  const x = f32(randomArray(rng, batch * cols).map((v) => (rng.float() < zeros ? 0 : Math.abs(v))));
  const list = t.u32(new Uint32Array(batch * cols)), vals = t.f32(new Float32Array(batch * cols)), counts = t.u32(new Uint32Array(batch));
  t.k.nonzeroColumns(list, vals, counts, t.f32(x), batch, cols);
  const tstarts = t.u32(new Uint32Array(cols + 1).fill(0xdeadbeef));
  const texamples = t.u32(new Uint32Array(batch * cols).fill(0xdeadbeef));
  const tvals = t.f32(new Float32Array(batch * cols).fill(NaN));
  t.k.transposeLists(tstarts, texamples, tvals, list, vals, counts, batch, cols, 0);
  return { x, list, vals, counts, tstarts, texamples, tvals, scratch: t.f32(new Float32Array((batch + 1) * 32).fill(NaN)) };
}

/** A (cols, stride) WT of random weights, the padding columns zero, as the network keeps it. */
function transposedWeights(rows: number, cols: number) {
  const stride = Math.ceil(rows / 16) * 16;
  const WT = new Float32Array(cols * stride);
  for (let i = 0; i < cols; i++) for (let j = 0; j < rows; j++) WT[i * stride + j] = rng.normal();
  return { WT, stride };
}

// batch, rows, cols, zeros: MNIST-like, widths off every multiple (4, 16, 32), a batch with no nonzero, one column
const SHAPES: [number, number, number, number][] = [
  [64, 256, 784, 0.81], [128, 40, 100, 0.5], [32, 33, 50, 0.7], [10, 7, 20, 0.3], [3, 100, 17, 0.9], [5, 16, 9, 1], [4, 48, 1, 0.2], [1, 1, 1, 0],
];

describe.each(['debug', 'scalar'] as const)('column-by-column first layer: %s build', (variant) => {
  it.each(SHAPES)('transposeLists lists each column\'s examples in increasing order with their values, batch %i, (rows %i), cols %i, %f zeros', async (batch, _rows, cols, zeros) => {
    const t = await KernelBench.create(variant);
    const { x, tstarts, texamples, tvals } = batchOf(t, batch, cols, zeros);
    const starts = [0];
    const examples: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < cols; i++) {
      for (let n = 0; n < batch; n++) {
        if (x[n * cols + i] === 0) continue;
        examples.push(n);
        values.push(x[n * cols + i]);
      }
      starts.push(examples.length);
    }
    expect([...t.plan.u32.subarray(tstarts >> 2, (tstarts >> 2) + cols + 1)]).toEqual(starts);
    expect([...t.plan.u32.subarray(texamples >> 2, (texamples >> 2) + examples.length)]).toEqual(examples);
    expect([...t.readF32(tvals, values.length)]).toEqual(values);
  });

  it.each(SHAPES)('sparseOuterColumns gives sparseOuter\'s bits (its scalar twin\'s too), padding kept zero, batch %i, rows %i, cols %i, %f zeros', async (batch, rows, cols, zeros) => {
    const t = await KernelBench.create(variant);
    const c = batchOf(t, batch, cols, zeros);
    const { WT, stride } = transposedWeights(rows, cols);
    const b = f32(randomArray(rng, rows));
    const dp = t.f32(randomArray(rng, batch * rows));
    const alpha = -0.37;
    const run = (update: (WTp: number, bp: number) => void) => {
      const WTp = t.f32(WT), bp = t.f32(b);
      update(WTp, bp);
      return { WT: bitsOf(t, WTp, cols * stride), b: bitsOf(t, bp, rows) };
    };
    const want = run((WTp, bp) => t.k.sparseOuter(WTp, bp, dp, c.vals, c.list, c.counts, alpha, batch, rows, cols, stride, rows));
    const got = [run((WTp, bp) => t.k.sparseOuterColumns(WTp, bp, dp, c.tstarts, c.texamples, c.tvals, c.scratch, alpha, batch, rows, cols, stride, rows, 1, 0))];
    if (t.twins) got.push(run((WTp, bp) => t.twins!.sparseOuterColumnsScalar(WTp, bp, dp, c.tstarts, c.texamples, c.tvals, c.scratch, alpha, batch, rows, cols, stride, rows, 1, 0)));
    for (const g of got) {
      const k = g.WT.findIndex((v, i) => v !== want.WT[i]);
      if (k >= 0) throw new Error(`WT[${Math.floor(k / stride)}, ${k % stride}] has bits ${g.WT[k].toString(16)}, sparseOuter gives ${want.WT[k].toString(16)}`);
      expect(g.b).toEqual(want.b);
    }
    for (let i = 0; i < cols; i++) for (let j = rows; j < stride; j++) expect(want.WT[i * stride + j]).toBe(0);
    expect(want.WT.some((v, i) => v !== new Uint32Array(WT.buffer)[i]) || zeros === 1).toBe(true); // the update did something
  });

  it.each(SHAPES)('sparseGradientColumns overwrites garbage with the bits of sparseOuter into zeros, batch %i, rows %i, cols %i, %f zeros', async (batch, rows, cols, zeros) => {
    const t = await KernelBench.create(variant);
    const c = batchOf(t, batch, cols, zeros);
    const stride = Math.ceil(rows / 16) * 16;
    const dp = t.f32(randomArray(rng, batch * rows)); // nonzero deltas: no sum is -0, where 0 + -0 and -0 would part
    const garbage = (n: number) => t.f32(Float32Array.from({ length: n }, () => NaN));
    const [GT0, g0] = [t.f32(new Float32Array(cols * stride)), t.f32(new Float32Array(rows))];
    t.k.sparseOuter(GT0, g0, dp, c.vals, c.list, c.counts, 1, batch, rows, cols, stride, rows);
    const runs = [(GT: number, g: number) => t.k.sparseGradientColumns(GT, g, dp, c.tstarts, c.texamples, c.tvals, c.scratch, batch, rows, cols, stride, rows, 1, 0)];
    if (t.twins) runs.push((GT, g) => t.twins!.sparseGradientColumnsScalar(GT, g, dp, c.tstarts, c.texamples, c.tvals, c.scratch, batch, rows, cols, stride, rows, 1, 0));
    for (const run of runs) {
      const [GT, g] = [garbage(cols * stride), garbage(rows)];
      run(GT, g);
      expect(bitsOf(t, GT, cols * stride)).toEqual(bitsOf(t, GT0, cols * stride));
      expect(bitsOf(t, g, rows)).toEqual(bitsOf(t, g0, rows));
    }
  });

  it.each([[64, 100, 784], [32, 40, 50], [7, 70, 33]])('sparseOuterColumns on ranges of rows (threads\' blocks, from multiples of 16) gives the bits of the whole and writes nothing else, batch %i, rows %i, cols %i', async (batch, rows, cols) => {
    const t = await KernelBench.create(variant);
    const c = batchOf(t, batch, cols, 0.7);
    const { WT, stride } = transposedWeights(rows, cols);
    const b = f32(randomArray(rng, rows));
    const dp = t.f32(randomArray(rng, batch * rows));
    const [WTw, bw] = [t.f32(WT), t.f32(b)];
    t.k.sparseOuterColumns(WTw, bw, dp, c.tstarts, c.texamples, c.tvals, c.scratch, -0.3, batch, rows, cols, stride, rows, 1, 0);
    const [WTp, bp] = [t.f32(WT), t.f32(b)];
    const cut = 32;
    t.k.sparseOuterColumns(WTp, bp, dp, c.tstarts, c.texamples, c.tvals, c.scratch, -0.3, batch, cut, cols, stride, rows, 1, 0);
    const firstOnly = bitsOf(t, WTp, cols * stride);
    for (let i = 0; i < cols; i++) for (let j = cut; j < stride; j++) expect(firstOnly[i * stride + j]).toBe(new Uint32Array(WT.buffer)[i * stride + j]);
    t.k.sparseOuterColumns(WTp + 4 * cut, bp + 4 * cut, dp + 4 * cut, c.tstarts, c.texamples, c.tvals, c.scratch, -0.3, batch, rows - cut, cols, stride, rows, 1, 0);
    expect(bitsOf(t, WTp, cols * stride)).toEqual(bitsOf(t, WTw, cols * stride));
    expect(bitsOf(t, bp, rows)).toEqual(bitsOf(t, bw, rows));
  });
});

describe.each(['debug', 'scalar'] as const)('the first layer\'s fused Adam step: %s build', (variant) => {
  it.each([...SHAPES.slice(0, 6), [48, 16, 30, 0.5] as [number, number, number, number]])('sparseAdamColumns gives the bits of sparseGradientColumns, addScaled (L2) and adamUpdate, batch %i, rows %i, cols %i, %f zeros', async (batch, rows, cols, zeros) => {
    const t = await KernelBench.create(variant);
    const c = batchOf(t, batch, cols, zeros);
    const { WT, stride } = transposedWeights(rows, cols);
    const n = cols * stride;
    const M = Float32Array.from({ length: n }, (_, i) => (i % stride < rows ? 0.01 * rng.normal() : 0));
    const V = Float32Array.from({ length: n }, (_, i) => (i % stride < rows ? 1e-4 * rng.float() : 0));
    const dp = t.f32(randomArray(rng, batch * rows));
    const [gradScale, lr, b1, b2, eps] = [1 / batch, 0.003, 0.9, 0.999, 1e-8];
    for (const decay of [0, 0.05]) {
      // the unfused step: the gradient, L2 folded in, then Adam over the whole of WT
      const [W0, M0, V0, G0, gb0] = [t.f32(WT), t.f32(M), t.f32(V), t.f32(new Float32Array(n)), t.f32(new Float32Array(rows))];
      t.k.sparseGradientColumns(G0, gb0, dp, c.tstarts, c.texamples, c.tvals, c.scratch, batch, rows, cols, stride, rows, 1, 0);
      if (decay > 0) t.k.addScaled(G0, W0, decay, n);
      t.k.adamUpdate(W0, M0, V0, G0, gradScale, lr, b1, b2, eps, n);
      const runs = [t.k.sparseAdamColumns, ...(t.twins ? [t.twins.sparseAdamColumnsScalar] : [])];
      for (const run of runs) {
        const [W1, M1, V1, gb1] = [t.f32(WT), t.f32(M), t.f32(V), t.f32(new Float32Array(rows).fill(NaN))];
        run(W1, M1, V1, gb1, dp, c.tstarts, c.texamples, c.tvals, c.scratch, gradScale, lr, b1, b2, eps, decay, batch, rows, cols, stride, rows, 1, 0);
        for (const [got, want, what] of [[W1, W0, 'WT'], [M1, M0, 'M'], [V1, V0, 'V']] as const) {
          const [g, w] = [bitsOf(t, got, n), bitsOf(t, want, n)];
          const k = g.findIndex((v, i) => v !== w[i]);
          if (k >= 0) throw new Error(`decay ${decay}: ${what}[${Math.floor(k / stride)}, ${k % stride}] has bits ${g[k].toString(16)}, the unfused step gives ${w[k].toString(16)}`);
        }
        expect(bitsOf(t, gb1, rows)).toEqual(bitsOf(t, gb0, rows));
      }
      expect(bitsOf(t, W0, n).some((v, i) => v !== new Uint32Array(WT.buffer)[i])).toBe(true); // Adam moved the weights
    }
  });
});

describe.each(['debug', 'scalar'] as const)('the batch by column in parts, one a thread: %s build', (variant) => {
  it.each([[64, 256, 784, 2], [128, 40, 100, 3], [33, 48, 50, 4], [3, 16, 30, 4]])('a batch of %i transposed in parts gives the bits of one part: the update, the gradient and Adam, rows %i, cols %i, %i parts', async (batch, rows, cols, parts) => {
    const t = await KernelBench.create(variant);
    const c = batchOf(t, batch, cols, 0.7);
    // the parts, as the threads make them: thread p's slice of the examples, numbered from its first, in regions `pstride` bytes apart
    const pstride = 4 * (cols + 1 + 2 * batch * cols) + 64;
    const region = t.u32(new Uint32Array((parts * pstride) / 4).fill(0xdeadbeef));
    for (let p = 0; p < parts; p++) {
      const [e0, e1] = [Math.floor((batch * p) / parts), Math.floor((batch * (p + 1)) / parts)];
      const at = region + p * pstride;
      t.k.transposeLists(at, at + 4 * (cols + 1), at + 4 * (cols + 1 + batch * cols), c.list + 4 * e0 * cols, c.vals + 4 * e0 * cols, c.counts + 4 * e0, e1 - e0, cols, e0);
    }
    const [tstarts, texamples, tvals] = [region, region + 4 * (cols + 1), region + 4 * (cols + 1 + batch * cols)];
    const { WT, stride } = transposedWeights(rows, cols);
    const n = cols * stride;
    const dp = t.f32(randomArray(rng, batch * rows));
    const b = f32(randomArray(rng, rows));
    const both = (run: (ts: number, te: number, tv: number, P: number, PS: number, W: number, g: number) => void, fill: () => ArrayLike<number>) => {
      const out: number[][] = [];
      for (const [ts, te, tv, P, PS] of [[c.tstarts, c.texamples, c.tvals, 1, 0], [tstarts, texamples, tvals, parts, pstride]]) {
        const [W, g] = [t.f32(fill()), t.f32(b)];
        run(ts, te, tv, P, PS, W, g);
        out.push([...bitsOf(t, W, n), ...bitsOf(t, g, rows)]);
      }
      expect(out[1]).toEqual(out[0]);
    };
    both((ts, te, tv, P, PS, W, g) => t.k.sparseOuterColumns(W, g, dp, ts, te, tv, c.scratch, -0.3, batch, rows, cols, stride, rows, P, PS), () => WT);
    both((ts, te, tv, P, PS, W, g) => t.k.sparseGradientColumns(W, g, dp, ts, te, tv, c.scratch, batch, rows, cols, stride, rows, P, PS), () => new Float32Array(n).fill(NaN));
    const [M, V] = [t.f32(new Float32Array(n)), t.f32(new Float32Array(n))];
    both((ts, te, tv, P, PS, W, g) => {
      t.plan.f32.fill(0, M >> 2, (M >> 2) + n);
      t.plan.f32.fill(0, V >> 2, (V >> 2) + n);
      t.k.sparseAdamColumns(W, M, V, g, dp, ts, te, tv, c.scratch, 1 / batch, 0.001, 0.9, 0.999, 1e-8, 0.01, batch, rows, cols, stride, rows, P, PS);
    }, () => WT);
    if (t.twins) {
      const [W1, g1, W2, g2] = [t.f32(WT), t.f32(b), t.f32(WT), t.f32(b)];
      t.twins.sparseOuterColumnsScalar(W1, g1, dp, c.tstarts, c.texamples, c.tvals, c.scratch, -0.3, batch, rows, cols, stride, rows, 1, 0);
      t.twins.sparseOuterColumnsScalar(W2, g2, dp, tstarts, texamples, tvals, c.scratch, -0.3, batch, rows, cols, stride, rows, parts, pstride);
      expect(bitsOf(t, W2, n)).toEqual(bitsOf(t, W1, n));
    }
  });
});

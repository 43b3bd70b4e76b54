// The sparse first layer over a whole mini-batch at once, column by column: the batch's nonzeros
// listed by input column (transposeLists), so that the update loads and stores each row of W
// transposed once per batch instead of once per example that has the pixel (a batch of 64 MNIST
// images shares most of its central pixels). Each SIMD path sits beside its scalar twin (lanes.ts).
// Not for: the per-example forms (sparse.ts, sparseOuter.ts), which these give the bits of.
//
// WT is (cols, stride), stride a multiple of 16; outputs go in blocks of 32 (8 accumulators held in
// registers across a column's examples) and a last block of 16.
import { madd } from './lanes';
import { biasOuter } from './shared';
import { adamLanes, adamOne } from './updates';

// tstarts is (cols + 1) u32; texamples (batch * cols) u32 and tvals (batch * cols) f32; list, vals,
// counts from gatherRuns or nonzeroColumns. The batch's nonzeros by column: column i's are entries
// [tstarts[i], tstarts[i + 1]), each an example n0 + n (in increasing n) and its value x[n, i]
// (n0: where the batch starts in a bigger one, split into parts).
export function transposeLists(tstarts: usize, texamples: usize, tvals: usize, list: usize, vals: usize, counts: usize, batch: i32, cols: i32, n0: i32): void {
  const B = <usize>batch, C = <usize>cols;
  memory.fill(tstarts, 0, (C + 1) << 2);
  for (let n: usize = 0; n < B; n++) {
    const ln = list + ((n * C) << 2), count = <usize>load<u32>(counts + (n << 2));
    for (let t: usize = 0; t < count; t++) {
      const at = tstarts + ((<usize>load<u32>(ln + (t << 2)) + 1) << 2);
      store<u32>(at, load<u32>(at) + 1);
    }
  }
  // tstarts[i + 1] = entries before column i + 1, then the scatter moves tstarts[i] to column i's end
  let sum: u32 = 0;
  for (let i: usize = 1; i <= C; i++) {
    sum += load<u32>(tstarts + (i << 2));
    store<u32>(tstarts + (i << 2), sum);
  }
  for (let n: usize = 0; n < B; n++) {
    const ln = list + ((n * C) << 2), vn = vals + ((n * C) << 2), count = <usize>load<u32>(counts + (n << 2));
    for (let t: usize = 0; t < count; t++) {
      const cursor = tstarts + (<usize>load<u32>(ln + (t << 2)) << 2);
      const e = <usize>load<u32>(cursor);
      store<u32>(texamples + (e << 2), <u32>n0 + <u32>n);
      store<f32>(tvals + (e << 2), load<f32>(vn + (t << 2)));
      store<u32>(cursor, <u32>(e + 1));
    }
  }
  for (let i = C; i > 0; i--) store<u32>(tstarts + (i << 2), load<u32>(tstarts + ((i - 1) << 2)));
  store<u32>(tstarts, 0);
}

// The batch's nonzeros by column may come in parts (one a training thread, each from transposeLists
// over consecutive examples): part p's tstarts, texamples and tvals are pstride bytes after part
// p - 1's. Column i's entries are part 0's, then part 1's, ...: all of them in increasing n.

// WT is (cols, stride); g is (rows); delta is (batch, rows) with rows dstride apart; tstarts,
// texamples, tvals: parts parts from transposeLists, pstride bytes apart. Column by column, WT[i, j]
// += (alpha delta[n, j]) x[n, i] for column i's examples n in increasing order (without acc, from
// 0: every column written, padding zero); g += alpha (sum over n of delta[n]), or = without acc.
// sparseOuterProduct's operations in sparseOuterProduct's order for every weight: the same bits.
export function sparseOuterByColumnScalar(
  WT: usize, g: usize, delta: usize, tstarts: usize, texamples: usize, tvals: usize, scratch: usize, alpha: f32, acc: bool,
  batch: i32, rows: i32, cols: i32, stride: i32, dstride: i32, parts: i32, pstride: i32,
): void {
  const R = <usize>rows, C = <usize>cols, S = <usize>stride, D = <usize>dstride, PS = <usize>pstride;
  if (!acc) memory.fill(WT, 0, (C * S) << 2);
  for (let i: usize = 0; i < C; i++) {
    const w = WT + ((i * S) << 2);
    for (let p: usize = 0, o: usize = 0; p < <usize>parts; p++, o += PS) {
      const t1 = <usize>load<u32>(tstarts + o + (i << 2), 4);
      for (let t = <usize>load<u32>(tstarts + o + (i << 2)); t < t1; t++) {
        const x = load<f32>(tvals + o + (t << 2)), dn = delta + ((<usize>load<u32>(texamples + o + (t << 2)) * D) << 2);
        for (let j: usize = 0; j < R; j++) store<f32>(w + (j << 2), load<f32>(w + (j << 2)) + (alpha * load<f32>(dn + (j << 2))) * x);
      }
    }
  }
  biasOuter(g, delta, alpha, acc, <usize>batch, R, D);
}

// Whether column i has no entry in any of the parts
@inline function columnEmpty(tstarts: usize, i: usize, parts: usize, PS: usize): bool {
  for (let p: usize = 0, o: usize = 0; p < parts; p++, o += PS) if (load<u32>(tstarts + o + (i << 2)) != load<u32>(tstarts + o + (i << 2), 4)) return false;
  return true;
}

// As sparseOuterByColumnScalar; scratch is (batch, 32) f32: a block's alpha delta[n, j..j+32), the
// lanes at or past rows zero, made once per block.
export function sparseOuterByColumnSimd(
  WT: usize, g: usize, delta: usize, tstarts: usize, texamples: usize, tvals: usize, scratch: usize, alpha: f32, acc: bool,
  batch: i32, rows: i32, cols: i32, stride: i32, dstride: i32, parts: i32, pstride: i32,
): void {
  const R = <usize>rows, C = <usize>cols, S = <usize>stride, B = <usize>batch, D = <usize>dstride, R16 = (R + 15) & ~15;
  const al = f32x4.splat(alpha);
  for (let j: usize = 0; j < R16; j += 32) {
    const vectors: usize = j + 32 <= R16 ? 8 : 4;
    for (let n: usize = 0; n < B; n++) {
      const d = delta + ((n * D + j) << 2), s = scratch + (n << 7);
      for (let k: usize = 0; k < vectors; k++) v128.store(s + (k << 4), scaledLanes(d + (k << 4), al, j + (k << 2), R));
    }
    columnsBlock(WT + (j << 2), tstarts, texamples, tvals, scratch, acc, C, S, <usize>parts, <usize>pstride, vectors);
  }
  biasOuter(g, delta, alpha, acc, B, R, D);
}

// alpha delta[n, first..first+4) from d, with the lanes at or past R zero (so WT's padding stays zero)
@inline function scaledLanes(d: usize, alpha: v128, first: usize, R: usize): v128 {
  if (first >= R) return f32x4.splat(0);
  const v = f32x4.mul(alpha, v128.load(d));
  if (first + 4 <= R) return v;
  return v128.and(v, i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(<i32>(R - first))));
}

// WT[i, 0..4 vectors) (w = WT moved to the block; 8 vectors or, for a last block of 16, 4) for
// every column i: its row in registers across the column's examples (inlined: adamColumns calls
// it for one column at a time, and a call per column cost it about 5%)
@inline function columnsBlock(w: usize, tstarts: usize, texamples: usize, tvals: usize, scratch: usize, acc: bool, C: usize, S: usize, parts: usize, PS: usize, vectors: usize): void {
  const step = S << 2;
  for (let i: usize = 0; i < C; i++, w += step) {
    if (acc && columnEmpty(tstarts, i, parts, PS)) continue;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    if (acc) {
      a0 = v128.load(w); a1 = v128.load(w, 16); a2 = v128.load(w, 32); a3 = v128.load(w, 48);
      if (vectors === 8) { a4 = v128.load(w, 64); a5 = v128.load(w, 80); a6 = v128.load(w, 96); a7 = v128.load(w, 112); }
    }
    for (let p: usize = 0, o: usize = 0; p < parts; p++, o += PS) {
      const t1 = <usize>load<u32>(tstarts + o + (i << 2), 4);
      for (let t = <usize>load<u32>(tstarts + o + (i << 2)); t < t1; t++) {
        const x = f32x4.splat(load<f32>(tvals + o + (t << 2)));
        const d = scratch + (<usize>load<u32>(texamples + o + (t << 2)) << 7);
        a0 = madd(v128.load(d), x, a0); a1 = madd(v128.load(d, 16), x, a1);
        a2 = madd(v128.load(d, 32), x, a2); a3 = madd(v128.load(d, 48), x, a3);
        if (vectors === 8) {
          a4 = madd(v128.load(d, 64), x, a4); a5 = madd(v128.load(d, 80), x, a5);
          a6 = madd(v128.load(d, 96), x, a6); a7 = madd(v128.load(d, 112), x, a7);
        }
      }
    }
    v128.store(w, a0); v128.store(w, a1, 16); v128.store(w, a2, 32); v128.store(w, a3, 48);
    if (vectors === 8) { v128.store(w, a4, 64); v128.store(w, a5, 80); v128.store(w, a6, 96); v128.store(w, a7, 112); }
  }
}

// WT, M, V are (cols, stride): W transposed and Adam's two moments of it, laid out alike; gb is
// (rows); delta is (batch, rows) with rows dstride apart; tstarts, texamples, tvals from
// transposeLists; scratch is (batch, 32) f32. Column by column, in one pass: the summed gradient
// g = sum over column i's examples n in increasing order of delta[n, j] x[n, i] (from 0), plus
// decay WT[i, j] when decay > 0 (L2), then Adam on WT[i, j] and its moments (adamUpdate's
// operations); gb = sum_n delta[n], written. sparseGradientColumns, addScaled and adamUpdate
// fused, with their bits, without writing and reading back the gradient.
export function sparseAdamByColumnScalar(
  WT: usize, M: usize, V: usize, gb: usize, delta: usize, tstarts: usize, texamples: usize, tvals: usize, scratch: usize,
  gradScale: f32, lr: f32, b1: f32, b2: f32, eps: f32, decay: f32, batch: i32, rows: i32, cols: i32, stride: i32, dstride: i32, parts: i32, pstride: i32,
): void {
  const R = <usize>rows, C = <usize>cols, S = <usize>stride, D = <usize>dstride, PS = <usize>pstride;
  for (let i: usize = 0; i < C; i++) {
    for (let j: usize = 0; j < S; j++) {
      let g: f32 = 0;
      for (let p: usize = 0, o: usize = 0; j < R && p < <usize>parts; p++, o += PS) {
        const t1 = <usize>load<u32>(tstarts + o + (i << 2), 4);
        for (let t = <usize>load<u32>(tstarts + o + (i << 2)); t < t1; t++) g = g + (<f32>1 * load<f32>(delta + ((<usize>load<u32>(texamples + o + (t << 2)) * D + j) << 2))) * load<f32>(tvals + o + (t << 2));
      }
      const o = (i * S + j) << 2;
      if (decay > 0) g = g + decay * load<f32>(WT + o);
      adamOne(WT + o, M + o, V + o, g, gradScale, lr, b1, b2, eps);
    }
  }
  biasOuter(gb, delta, 1, false, <usize>batch, R, D);
}

// As sparseAdamByColumnScalar, 32 outputs of a column at a time (its gradient in 8 registers);
// scratch is (batch + 1, 32) f32: the block's deltas, then the column's sums
export function sparseAdamByColumnSimd(
  WT: usize, M: usize, V: usize, gb: usize, delta: usize, tstarts: usize, texamples: usize, tvals: usize, scratch: usize,
  gradScale: f32, lr: f32, b1: f32, b2: f32, eps: f32, decay: f32, batch: i32, rows: i32, cols: i32, stride: i32, dstride: i32, parts: i32, pstride: i32,
): void {
  const R = <usize>rows, C = <usize>cols, S = <usize>stride, B = <usize>batch, D = <usize>dstride, R16 = (R + 15) & ~15;
  const one = f32x4.splat(1);
  for (let j: usize = 0; j < R16; j += 32) {
    const vectors: usize = j + 32 <= R16 ? 8 : 4;
    for (let n: usize = 0; n < B; n++) {
      const d = delta + ((n * D + j) << 2), s = scratch + (n << 7);
      for (let k: usize = 0; k < vectors; k++) v128.store(s + (k << 4), scaledLanes(d + (k << 4), one, j + (k << 2), R));
    }
    adamColumns(WT, M, V, tstarts, texamples, tvals, scratch, gradScale, lr, b1, b2, eps, decay, B, C, S, j, vectors, <usize>parts, <usize>pstride);
  }
  biasOuter(gb, delta, 1, false, B, R, D);
}

// The block of 4 * vectors outputs from j of every column: its gradient, then Adam lane by lane
function adamColumns(
  WT: usize, M: usize, V: usize, tstarts: usize, texamples: usize, tvals: usize, scratch: usize,
  gradScale: f32, lr: f32, b1: f32, b2: f32, eps: f32, decay: f32, B: usize, C: usize, S: usize, j: usize, vectors: usize, parts: usize, PS: usize,
): void {
  const g = scratch + (B << 7);
  for (let i: usize = 0; i < C; i++) {
    // the column's sums (columnsBlock over column i alone, from zero) to the scratch's last row,
    // then Adam lane by lane over them (one copy of its code)
    columnsBlock(g, tstarts + (i << 2), texamples, tvals, scratch, false, 1, S, parts, PS, vectors);
    const o = WT + ((i * S + j) << 2);
    for (let k: usize = 0; k < vectors; k++) adamVector(o + (k << 4), M - WT, V - WT, v128.load(g + (k << 4)), decay, gradScale, lr, b1, b2, eps);
  }
}

// Adam on the 4 weights at w (their moments dm and dv bytes further), from their summed gradient s
// (+ decay w: L2); the constants splatted here, after the column's sums, not held across them
@inline function adamVector(w: usize, dm: usize, dv: usize, s: v128, decay: f32, gradScale: f32, lr: f32, b1: f32, b2: f32, eps: f32): void {
  const g = decay > 0 ? f32x4.add(s, f32x4.mul(f32x4.splat(decay), v128.load(w))) : s;
  adamLanes(w, w + dm, w + dv, g, f32x4.splat(gradScale), f32x4.splat(b1), f32x4.splat(b2), f32x4.splat(<f32>1 - b1), f32x4.splat(<f32>1 - b2), f32x4.splat(lr), f32x4.splat(eps));
}

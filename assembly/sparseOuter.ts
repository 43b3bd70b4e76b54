// The sparse first layer's update: W transposed += alpha (delta^T x) transposed over each example's
// nonzero inputs, and its bias (sparseOuterProduct: the gradient or the fused SGD step), the SIMD
// path beside its scalar twin (lanes.ts). Not for: the dense layers' update (denseOuter.ts).
//
// WT is (cols, stride), stride a multiple of 16. Outputs go in blocks of 32 (8 accumulators) and a
// last block of 16 (4); each lane computes exactly what the scalar kernel computes for its output.
import { madd } from './lanes';
import { biasOuter } from './shared';

// WT is (cols, stride); g is (rows); delta is (batch, rows) with rows dstride apart; list, vals,
// counts from nonzeroColumns. For each example n in order, WT[i, j] += (alpha delta[n, j])
// x[n, i] for its nonzero columns i; without acc, WT is zeroed first. g += alpha (sum over n of
// delta[n]).
export function sparseOuterProductScalar(
  WT: usize, g: usize, delta: usize, vals: usize, list: usize, counts: usize, alpha: f32, acc: bool,
  batch: i32, rows: i32, cols: i32, stride: i32, dstride: i32,
): void {
  const R = <usize>rows, C = <usize>cols, S = <usize>stride, B = <usize>batch, D = <usize>dstride;
  if (!acc) memory.fill(WT, 0, (C * S) << 2);
  for (let n: usize = 0; n < B; n++) {
    const ln = list + ((n * C) << 2), vn = vals + ((n * C) << 2), count = <usize>load<u32>(counts + (n << 2));
    for (let t: usize = 0; t < count; t++) {
      const x = load<f32>(vn + (t << 2)), w = WT + ((<usize>load<u32>(ln + (t << 2)) * S) << 2);
      for (let j: usize = 0; j < R; j++) {
        store<f32>(w + (j << 2), load<f32>(w + (j << 2)) + (alpha * load<f32>(delta + ((n * D + j) << 2))) * x);
      }
    }
  }
  biasOuter(g, delta, alpha, acc, B, R, D);
}

// WT is (cols, stride); g is (rows); delta is (batch, rows) with rows dstride apart; list, vals,
// counts from gatherRuns or nonzeroColumns. For each example n in order, WT[i] += (alpha
// delta[n]) x[n, i] for its nonzero columns i: no regrouping by column, the update goes straight
// into WT (without acc, WT is zeroed first, so it receives alpha delta^T x with every column
// written). With acc only the first rows rounded up to 16 of each WT row are touched, so a caller
// can give threads column ranges starting at multiples of 16 (WT, delta and g moved to the range).
// sparseOuterProductScalar does the same operations in the same order, so gives the same bits.
export function sparseOuterProductSimd(
  WT: usize, g: usize, delta: usize, vals: usize, list: usize, counts: usize, alpha: f32, acc: bool,
  batch: i32, rows: i32, cols: i32, stride: i32, dstride: i32,
): void {
  const R = <usize>rows, C = <usize>cols, S = <usize>stride, B = <usize>batch, D = <usize>dstride, R16 = (R + 15) & ~15;
  if (!acc) memory.fill(WT, 0, (C * S) << 2);
  const al = f32x4.splat(alpha);
  let j: usize = 0;
  for (; j + 32 <= R16; j += 32) {
    for (let n: usize = 0; n < B; n++) addOuter32(WT, delta + ((n * D + j) << 2), al, list + ((n * C) << 2), vals + ((n * C) << 2), <usize>load<u32>(counts + (n << 2)), j, R, S);
  }
  for (; j < R; j += 16) {
    for (let n: usize = 0; n < B; n++) addOuter16(WT, delta + ((n * D + j) << 2), al, list + ((n * C) << 2), vals + ((n * C) << 2), <usize>load<u32>(counts + (n << 2)), j, R, S);
  }
  biasOuter(g, delta, alpha, acc, B, R, D);
}

// alpha delta[n, first..first+4) from d, with the lanes at or past R zero (so WT's padding stays zero)
@inline function deltaLanes(d: usize, alpha: v128, first: usize, R: usize): v128 {
  if (first >= R) return f32x4.splat(0);
  const v = f32x4.mul(alpha, v128.load(d));
  if (first + 4 <= R) return v;
  return v128.and(v, i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(<i32>(R - first))));
}

// WT[i, j..j+32) += (alpha delta[n, j..j+32)) x[n, i] for example n's nonzero columns i (list ln,
// values vn). Unrolled, as addOuter16, so that the 8 scaled deltas stay in registers.
function addOuter32(WT: usize, d: usize, alpha: v128, ln: usize, vn: usize, count: usize, j: usize, R: usize, S: usize): void {
  const d0 = deltaLanes(d, alpha, j, R), d1 = deltaLanes(d + 16, alpha, j + 4, R), d2 = deltaLanes(d + 32, alpha, j + 8, R), d3 = deltaLanes(d + 48, alpha, j + 12, R);
  const d4 = deltaLanes(d + 64, alpha, j + 16, R), d5 = deltaLanes(d + 80, alpha, j + 20, R), d6 = deltaLanes(d + 96, alpha, j + 24, R), d7 = deltaLanes(d + 112, alpha, j + 28, R);
  const base = WT + (j << 2);
  for (let t: usize = 0; t < count; t++) {
    const s = f32x4.splat(load<f32>(vn + (t << 2)));
    const p = base + ((<usize>load<u32>(ln + (t << 2)) * S) << 2);
    v128.store(p, madd(d0, s, v128.load(p)));
    v128.store(p, madd(d1, s, v128.load(p, 16)), 16);
    v128.store(p, madd(d2, s, v128.load(p, 32)), 32);
    v128.store(p, madd(d3, s, v128.load(p, 48)), 48);
    v128.store(p, madd(d4, s, v128.load(p, 64)), 64);
    v128.store(p, madd(d5, s, v128.load(p, 80)), 80);
    v128.store(p, madd(d6, s, v128.load(p, 96)), 96);
    v128.store(p, madd(d7, s, v128.load(p, 112)), 112);
  }
}

// WT[i, j..j+16) += (alpha delta[n, j..j+16)) x[n, i], as addOuter32
function addOuter16(WT: usize, d: usize, alpha: v128, ln: usize, vn: usize, count: usize, j: usize, R: usize, S: usize): void {
  const d0 = deltaLanes(d, alpha, j, R), d1 = deltaLanes(d + 16, alpha, j + 4, R), d2 = deltaLanes(d + 32, alpha, j + 8, R), d3 = deltaLanes(d + 48, alpha, j + 12, R);
  const base = WT + (j << 2);
  for (let t: usize = 0; t < count; t++) {
    const s = f32x4.splat(load<f32>(vn + (t << 2)));
    const p = base + ((<usize>load<u32>(ln + (t << 2)) * S) << 2);
    v128.store(p, madd(d0, s, v128.load(p)));
    v128.store(p, madd(d1, s, v128.load(p, 16)), 16);
    v128.store(p, madd(d2, s, v128.load(p, 32)), 32);
    v128.store(p, madd(d3, s, v128.load(p, 48)), 48);
  }
}

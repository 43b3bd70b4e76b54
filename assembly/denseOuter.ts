// Dense layers' outer product over the batch: the weight and bias gradients and the fused SGD step
// (denseOuter), the SIMD path beside its scalar twin (lanes.ts says how they agree).
// Not for: the sparse first layer's update (sparseOuter.ts).
import { madd } from './lanes';
import { biasOuter } from './shared';

// Outer product over the batch: G += alpha (delta^T x), g += alpha (sum_n delta). With alpha = 1
// it accumulates gradients; with alpha = -eta/m it is the fused SGD step. Each element is
// summed over n in order from 0, then added once, exactly as the scalar kernel does.

// G is (rows, cols); g is (rows); delta is (batch, rows) with rows dstride apart (dstride >= rows:
// a caller may pass a range of rows of a wider delta); x is (batch, cols).
// G += alpha (delta^T x), g += alpha (sum_n delta), each sum taken over n in order from 0;
// without acc, G = ... and g = ... instead.
export function denseOuterScalar(
  G: usize, g: usize, delta: usize, x: usize, alpha: f32, acc: bool, batch: i32, rows: i32, cols: i32, dstride: i32,
): void {
  const R = <usize>rows, C = <usize>cols, B = <usize>batch, C4 = C & ~3, D = <usize>dstride;
  for (let j: usize = 0; j < R; j++) {
    const Gj = G + ((j * C) << 2);
    let i: usize = 0;
    for (; i < C4; i += 4) { // four columns at a time: x rows are read 16 bytes at a time
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      for (let n: usize = 0; n < B; n++) {
        const d = load<f32>(delta + ((n * D + j) << 2));
        const xi = x + ((n * C + i) << 2);
        s0 += d * load<f32>(xi);
        s1 += d * load<f32>(xi, 4);
        s2 += d * load<f32>(xi, 8);
        s3 += d * load<f32>(xi, 12);
      }
      const p = Gj + (i << 2);
      store<f32>(p, (acc ? load<f32>(p) : 0) + alpha * s0);
      store<f32>(p, (acc ? load<f32>(p, 4) : 0) + alpha * s1, 4);
      store<f32>(p, (acc ? load<f32>(p, 8) : 0) + alpha * s2, 8);
      store<f32>(p, (acc ? load<f32>(p, 12) : 0) + alpha * s3, 12);
    }
    for (; i < C; i++) {
      let s: f32 = 0;
      for (let n: usize = 0; n < B; n++) {
        s += load<f32>(delta + ((n * D + j) << 2)) * load<f32>(x + ((n * C + i) << 2));
      }
      store<f32>(Gj + (i << 2), (acc ? load<f32>(Gj + (i << 2)) : 0) + alpha * s);
    }
  }
  biasOuter(g, delta, alpha, acc, B, R, D);
}

// G is (rows, cols); g is (rows); delta is (batch, rows); x is (batch, cols)
export function denseOuterSimd(
  G: usize, g: usize, delta: usize, x: usize, alpha: f32, acc: bool, batch: i32, rows: i32, cols: i32, dstride: i32,
): void {
  const B = <usize>batch, R = <usize>rows, C = <usize>cols, C8 = C & ~7, D = <usize>dstride;
  let j: usize = 0;
  for (; j + 4 <= R; j += 4) {
    for (let i: usize = 0; i < C8; i += 8) outerTile4x8(G, delta, x, alpha, acc, j, i, B, D, C);
    for (let k: usize = 0; k < 4; k++) outerColumns(G, delta, x, alpha, acc, j + k, C8, B, D, C);
  }
  for (; j < R; j++) {
    for (let i: usize = 0; i < C8; i += 8) outerTile1x8(G, delta, x, alpha, acc, j, i, B, D, C);
    outerColumns(G, delta, x, alpha, acc, j, C8, B, D, C);
  }
  biasOuter(g, delta, alpha, acc, B, R, D);
}

// G[j..j+3, i..i+7]: 4 rows x 8 columns, 8 accumulators
function outerTile4x8(G: usize, delta: usize, x: usize, alpha: f32, acc: bool, j: usize, i: usize, B: usize, D: usize, C: usize): void {
  let a0 = f32x4.splat(0), b0 = f32x4.splat(0), a1 = f32x4.splat(0), b1 = f32x4.splat(0);
  let a2 = f32x4.splat(0), b2 = f32x4.splat(0), a3 = f32x4.splat(0), b3 = f32x4.splat(0);
  let xn = x + (i << 2), dn = delta + (j << 2);
  for (let n: usize = 0; n < B; n++, xn += C << 2, dn += D << 2) {
    const xa = v128.load(xn), xb = v128.load(xn, 16);
    const s0 = f32x4.splat(load<f32>(dn)), s1 = f32x4.splat(load<f32>(dn, 4));
    const s2 = f32x4.splat(load<f32>(dn, 8)), s3 = f32x4.splat(load<f32>(dn, 12));
    a0 = madd(s0, xa, a0); b0 = madd(s0, xb, b0);
    a1 = madd(s1, xa, a1); b1 = madd(s1, xb, b1);
    a2 = madd(s2, xa, a2); b2 = madd(s2, xb, b2);
    a3 = madd(s3, xa, a3); b3 = madd(s3, xb, b3);
  }
  const al = f32x4.splat(alpha), grow = C << 2;
  const p = G + ((j * C + i) << 2);
  addScaled(p, al, a0, b0, acc);
  addScaled(p + grow, al, a1, b1, acc);
  addScaled(p + 2 * grow, al, a2, b2, acc);
  addScaled(p + 3 * grow, al, a3, b3, acc);
}

// G[j, i..i+7]: 1 row x 8 columns, for the rows left over by the 4-row tiles
function outerTile1x8(G: usize, delta: usize, x: usize, alpha: f32, acc: bool, j: usize, i: usize, B: usize, D: usize, C: usize): void {
  let a = f32x4.splat(0), b = f32x4.splat(0);
  let xn = x + (i << 2), dn = delta + (j << 2);
  for (let n: usize = 0; n < B; n++, xn += C << 2, dn += D << 2) {
    const xa = v128.load(xn), xb = v128.load(xn, 16);
    const s = f32x4.splat(load<f32>(dn));
    a = madd(s, xa, a);
    b = madd(s, xb, b);
  }
  addScaled(G + ((j * C + i) << 2), f32x4.splat(alpha), a, b, acc);
}

// p[0..7] += alpha * (a, b), or = without acc
@inline function addScaled(p: usize, alpha: v128, a: v128, b: v128, acc: bool): void {
  if (acc) {
    v128.store(p, madd(alpha, a, v128.load(p)));
    v128.store(p, madd(alpha, b, v128.load(p, 16)), 16);
  } else {
    v128.store(p, f32x4.mul(alpha, a));
    v128.store(p, f32x4.mul(alpha, b), 16);
  }
}

// G[j, from..C): 4 columns at a time, then one at a time
function outerColumns(G: usize, delta: usize, x: usize, alpha: f32, acc: bool, j: usize, from: usize, B: usize, D: usize, C: usize): void {
  const Gj = G + ((j * C) << 2);
  let i = from;
  for (; i + 4 <= C; i += 4) {
    let sum = f32x4.splat(0);
    for (let n: usize = 0; n < B; n++) {
      sum = madd(f32x4.splat(load<f32>(delta + ((n * D + j) << 2))), v128.load(x + ((n * C + i) << 2)), sum);
    }
    const p = Gj + (i << 2), scaled = f32x4.mul(f32x4.splat(alpha), sum);
    v128.store(p, acc ? f32x4.add(v128.load(p), scaled) : scaled);
  }
  for (; i < C; i++) {
    let s: f32 = 0;
    for (let n: usize = 0; n < B; n++) s += load<f32>(delta + ((n * D + j) << 2)) * load<f32>(x + ((n * C + i) << 2));
    const p = Gj + (i << 2);
    store<f32>(p, acc ? load<f32>(p) + alpha * s : alpha * s);
  }
}

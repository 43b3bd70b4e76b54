// The f32x4 SIMD paths of the kernels (index.ts, generated from kernels.mjs, picks them in the SIMD
// build). Not for: new math. Each function computes what its scalar twin in scalar.ts computes,
// with the same summation order per output element wherever the twin's order allows, so the SIMD
// build agrees with the scalar one (bit for bit for everything but the forward dot products).
//
// Leftovers, one convention: an elementwise kernel runs 4 lanes at a time and hands the last
// n % 4 elements to its scalar twin, on pointers moved past the vector part; a tile hands the rows
// or columns it cannot fill to a narrower tile, down to a scalar loop of its own.
//
// Multiply-adds (acc + a b) of the forward, backprop and update tiles go through madd: in the
// relaxed build (--enable relaxed-simd) f32x4.relaxed_madd, one fused multiply-add where the
// hardware has FMA (bits then depend on the machine); elsewhere a multiply and an add, the
// portable bits. The gather, sigmoid and optimizers keep their separate operations.
//
// Register budget: V8 has 16 SIMD registers; every tile below keeps at most 14 v128 values live
// (8 accumulators + 6 operands), so that nothing spills.
import { biasOuter, DELTA_FLUSH, hash32, EXP_HI, EXP_LO, LN2_HI, LN2_LO, LOG2E, P0, P1, P2, P3, P4, P5, PIXEL_SCALE, SIGMOID_FLUSH, TINY } from './shared';
import { adamUpdateScalar, momentumUpdateScalar, reduceUpdateScalar, sgdUpdateScalar, sigmoidPrimeMulScalar, sigmoidScalar } from './scalar';

// ---------------------------------------------------------------------------------------------
// Gather

// Sum of touched bytes, stored so the optimiser keeps the touching loads.
let touched: u32 = 0;


// ---------------------------------------------------------------------------------------------
// Forward: z = x W^T + b as dot products of rows. Every z element is summed the same way
// (lane k sums columns i = k mod 4 in order, then (l0 + l1) + (l2 + l3), then the scalar tail),
// whichever tile computes it, so an example's output does not depend on its place in the batch.

// z is (batch, rows); W is (rows, cols) row-major; b is (rows); x is (batch, cols)
export function denseForwardSimd(
  z: usize, W: usize, b: usize, x: usize, batch: i32, rows: i32, cols: i32,
): void {
  const B = <usize>batch, R = <usize>rows, C = <usize>cols;
  let n: usize = 0;
  for (; n + 4 <= B; n += 4) {
    let j: usize = 0;
    for (; j + 2 <= R; j += 2) forwardTile4x2(z, W, b, x, n, j, R, C);
    if (j < R) forwardTile4x1(z, W, b, x, n, j, R, C);
  }
  for (; n < B; n++) {
    let j: usize = 0;
    for (; j + 4 <= R; j += 4) forwardTile1x4(z, W, b, x, n, j, R, C);
    for (; j < R; j++) forwardDot(z, W, b, x, n, j, R, C);
  }
}

// z[n, j] and z[n, j+1] .. z[n+3, j+1]: 4 examples x 2 rows, 8 accumulators
function forwardTile4x2(z: usize, W: usize, b: usize, x: usize, n: usize, j: usize, R: usize, C: usize): void {
  const C4 = C & ~3, row = C << 2;
  const w0 = W + j * row, w1 = w0 + row;
  const x0 = x + n * row, x1 = x0 + row, x2 = x1 + row, x3 = x2 + row;
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  for (let o: usize = 0; o < C4 << 2; o += 16) {
    const v0 = v128.load(x0 + o), v1 = v128.load(x1 + o), v2 = v128.load(x2 + o), v3 = v128.load(x3 + o);
    // Adding exact zeros changes no sum: skip the columns that are zero in all four examples
    // (MNIST's borders).
    if (!v128.any_true(v128.or(v128.or(v0, v1), v128.or(v2, v3)))) continue;
    const wa = v128.load(w0 + o), wb = v128.load(w1 + o);
    a00 = madd(wa, v0, a00); a01 = madd(wb, v0, a01);
    a10 = madd(wa, v1, a10); a11 = madd(wb, v1, a11);
    a20 = madd(wa, v2, a20); a21 = madd(wb, v2, a21);
    a30 = madd(wa, v3, a30); a31 = madd(wb, v3, a31);
  }
  const b0 = load<f32>(b + (j << 2)), b1 = load<f32>(b + (j << 2), 4);
  const zn = z + ((n * R + j) << 2), zrow = R << 2;
  store<f32>(zn, finishDot(a00, w0, x0, b0, C4, C));
  store<f32>(zn, finishDot(a01, w1, x0, b1, C4, C), 4);
  store<f32>(zn + zrow, finishDot(a10, w0, x1, b0, C4, C));
  store<f32>(zn + zrow, finishDot(a11, w1, x1, b1, C4, C), 4);
  store<f32>(zn + 2 * zrow, finishDot(a20, w0, x2, b0, C4, C));
  store<f32>(zn + 2 * zrow, finishDot(a21, w1, x2, b1, C4, C), 4);
  store<f32>(zn + 3 * zrow, finishDot(a30, w0, x3, b0, C4, C));
  store<f32>(zn + 3 * zrow, finishDot(a31, w1, x3, b1, C4, C), 4);
}

// z[n..n+3, j]: 4 examples x 1 row, 4 accumulators
function forwardTile4x1(z: usize, W: usize, b: usize, x: usize, n: usize, j: usize, R: usize, C: usize): void {
  const C4 = C & ~3, row = C << 2;
  const w0 = W + j * row;
  const x0 = x + n * row, x1 = x0 + row, x2 = x1 + row, x3 = x2 + row;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let o: usize = 0; o < C4 << 2; o += 16) {
    const v0 = v128.load(x0 + o), v1 = v128.load(x1 + o), v2 = v128.load(x2 + o), v3 = v128.load(x3 + o);
    if (!v128.any_true(v128.or(v128.or(v0, v1), v128.or(v2, v3)))) continue;
    const w = v128.load(w0 + o);
    a0 = madd(w, v0, a0);
    a1 = madd(w, v1, a1);
    a2 = madd(w, v2, a2);
    a3 = madd(w, v3, a3);
  }
  const bj = load<f32>(b + (j << 2));
  const zn = z + ((n * R + j) << 2), zrow = R << 2;
  store<f32>(zn, finishDot(a0, w0, x0, bj, C4, C));
  store<f32>(zn + zrow, finishDot(a1, w0, x1, bj, C4, C));
  store<f32>(zn + 2 * zrow, finishDot(a2, w0, x2, bj, C4, C));
  store<f32>(zn + 3 * zrow, finishDot(a3, w0, x3, bj, C4, C));
}

// z[n, j..j+3]: 1 example x 4 rows, 4 accumulators
function forwardTile1x4(z: usize, W: usize, b: usize, x: usize, n: usize, j: usize, R: usize, C: usize): void {
  const C4 = C & ~3, row = C << 2;
  const w0 = W + j * row, w1 = w0 + row, w2 = w1 + row, w3 = w2 + row;
  const xn = x + n * row;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let o: usize = 0; o < C4 << 2; o += 16) {
    const v = v128.load(xn + o);
    if (!v128.any_true(v)) continue;
    a0 = madd(v128.load(w0 + o), v, a0);
    a1 = madd(v128.load(w1 + o), v, a1);
    a2 = madd(v128.load(w2 + o), v, a2);
    a3 = madd(v128.load(w3 + o), v, a3);
  }
  const zn = z + ((n * R + j) << 2), bj = b + (j << 2);
  store<f32>(zn, finishDot(a0, w0, xn, load<f32>(bj), C4, C));
  store<f32>(zn, finishDot(a1, w1, xn, load<f32>(bj, 4), C4, C), 4);
  store<f32>(zn, finishDot(a2, w2, xn, load<f32>(bj, 8), C4, C), 8);
  store<f32>(zn, finishDot(a3, w3, xn, load<f32>(bj, 12), C4, C), 12);
}

// z[n, j] alone, summed exactly as the tiles sum it
function forwardDot(z: usize, W: usize, b: usize, x: usize, n: usize, j: usize, R: usize, C: usize): void {
  const C4 = C & ~3;
  const Wj = W + ((j * C) << 2), xn = x + ((n * C) << 2);
  let acc = f32x4.splat(0);
  for (let o: usize = 0; o < C4 << 2; o += 16) {
    const v = v128.load(xn + o);
    if (!v128.any_true(v)) continue;
    acc = madd(v128.load(Wj + o), v, acc);
  }
  store<f32>(z + ((n * R + j) << 2), finishDot(acc, Wj, xn, load<f32>(b + (j << 2)), C4, C));
}

// b + the lanes of acc + the scalar tail of columns [C4, C)
@inline function finishDot(acc: v128, Wj: usize, xn: usize, bj: f32, C4: usize, C: usize): f32 {
  let s = bj + ((f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1))
    + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3)));
  for (let i = C4; i < C; i++) s += load<f32>(Wj + (i << 2)) * load<f32>(xn + (i << 2));
  return s;
}

// ---------------------------------------------------------------------------------------------
// Backward to the input: dx = delta W, each element summed over j in order from 0 (as the
// scalar kernel), so both builds agree bit for bit.

// dx is (batch, cols); W is (rows, cols) row-major; delta is (batch, rows). dx = delta W
export function denseBackwardInputSimd(
  dx: usize, W: usize, delta: usize, batch: i32, rows: i32, cols: i32,
): void {
  const B = <usize>batch, R = <usize>rows, C = <usize>cols, C8 = C & ~7;
  let n: usize = 0;
  for (; n + 4 <= B; n += 4) {
    for (let i: usize = 0; i < C8; i += 8) backInputTile4x8(dx, W, delta, n, i, R, C);
    for (let k: usize = 0; k < 4; k++) backInputColumns(dx, W, delta, n + k, C8, R, C);
  }
  for (; n < B; n++) backInputColumns(dx, W, delta, n, 0, R, C);
}

// dx[n..n+3, i..i+7]: 4 examples x 8 columns, 8 accumulators
function backInputTile4x8(dx: usize, W: usize, delta: usize, n: usize, i: usize, R: usize, C: usize): void {
  const d0 = delta + ((n * R) << 2), drow = R << 2;
  const d1 = d0 + drow, d2 = d1 + drow, d3 = d2 + drow;
  let a0 = f32x4.splat(0), b0 = f32x4.splat(0), a1 = f32x4.splat(0), b1 = f32x4.splat(0);
  let a2 = f32x4.splat(0), b2 = f32x4.splat(0), a3 = f32x4.splat(0), b3 = f32x4.splat(0);
  let Wj = W + (i << 2);
  for (let o: usize = 0; o < R << 2; o += 4, Wj += C << 2) {
    const wa = v128.load(Wj), wb = v128.load(Wj, 16);
    const s0 = f32x4.splat(load<f32>(d0 + o)), s1 = f32x4.splat(load<f32>(d1 + o));
    const s2 = f32x4.splat(load<f32>(d2 + o)), s3 = f32x4.splat(load<f32>(d3 + o));
    a0 = madd(s0, wa, a0); b0 = madd(s0, wb, b0);
    a1 = madd(s1, wa, a1); b1 = madd(s1, wb, b1);
    a2 = madd(s2, wa, a2); b2 = madd(s2, wb, b2);
    a3 = madd(s3, wa, a3); b3 = madd(s3, wb, b3);
  }
  const out = dx + ((n * C + i) << 2), xrow = C << 2;
  v128.store(out, a0); v128.store(out, b0, 16);
  v128.store(out + xrow, a1); v128.store(out + xrow, b1, 16);
  v128.store(out + 2 * xrow, a2); v128.store(out + 2 * xrow, b2, 16);
  v128.store(out + 3 * xrow, a3); v128.store(out + 3 * xrow, b3, 16);
}

// dx[n, from..C): 4 columns at a time, then one at a time
function backInputColumns(dx: usize, W: usize, delta: usize, n: usize, from: usize, R: usize, C: usize): void {
  const dn = delta + ((n * R) << 2), out = dx + ((n * C) << 2);
  let i = from;
  for (; i + 4 <= C; i += 4) {
    let acc = f32x4.splat(0);
    for (let j: usize = 0; j < R; j++) {
      acc = madd(f32x4.splat(load<f32>(dn + (j << 2))), v128.load(W + ((j * C + i) << 2)), acc);
    }
    v128.store(out + (i << 2), acc);
  }
  for (; i < C; i++) {
    let s: f32 = 0;
    for (let j: usize = 0; j < R; j++) s += load<f32>(dn + (j << 2)) * load<f32>(W + ((j * C + i) << 2));
    store<f32>(out + (i << 2), s);
  }
}

// ---------------------------------------------------------------------------------------------
// Outer product over the batch: G += alpha (delta^T x), g += alpha (sum_n delta). With alpha = 1
// it accumulates gradients; with alpha = -eta/m it is the fused SGD step. Each element is
// summed over n in order from 0, then added once, exactly as the scalar kernel does.

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
    // Adding exact zeros changes no sum: skip input chunks that are all zero (MNIST's borders).
    if (!v128.any_true(v128.or(xa, xb))) continue;
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
    if (!v128.any_true(v128.or(xa, xb))) continue;
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

// ---------------------------------------------------------------------------------------------
// Sparse input layer (see index.ts): WT is (cols, stride), stride a multiple of 16. Outputs go in
// blocks of 32 (8 accumulators) and a last block of 16 (4); each lane computes exactly what the
// scalar kernel computes for its output.

// For each 4-bit mask, the positions of its set bits as i32x4 (unused lanes 0).
const COMPRESS: usize = memory.data<u8>([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]);

// For each 4-bit mask, the bytes of its set f32 lanes moved to the front (i8x16.swizzle; 255 = zero).
const COMPACT: usize = memory.data<u8>([255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 4, 5, 6, 7, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 4, 5, 6, 7, 255, 255, 255, 255, 255, 255, 255, 255, 8, 9, 10, 11, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 8, 9, 10, 11, 255, 255, 255, 255, 255, 255, 255, 255, 4, 5, 6, 7, 8, 9, 10, 11, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255, 255, 255, 255, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255, 4, 5, 6, 7, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 255, 255, 255, 255, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

// Appends the lanes of v set in mask (4 bits) to the list at `count`: their columns i + lane to
// ln, their values to vn. Full v128 stores, of which only popcnt(mask) lanes count; the caller
// keeps count <= i, so nothing passes the row's end. Returns the new count.
@inline function appendLanes(ln: usize, vn: usize, count: usize, i: usize, mask: usize, v: v128): usize {
  v128.store(ln + (count << 2), i32x4.add(i32x4.splat(<i32>i), v128.load(COMPRESS + (mask << 4))));
  v128.store(vn + (count << 2), i8x16.swizzle(v, v128.load(COMPACT + (mask << 4))));
  return count + <usize>popcnt(mask);
}

// list, vals are (batch, cols), counts is (batch); x is (batch, cols). Branch-free: each group of
// 4 inputs becomes a 4-bit mask of its nonzero lanes, appended through the two tables.
export function nonzeroColumnsSimd(list: usize, vals: usize, counts: usize, x: usize, batch: i32, cols: i32): void {
  const C = <usize>cols, C4 = C & ~3;
  const zero = f32x4.splat(0);
  for (let n: usize = 0; n < <usize>batch; n++) {
    const xn = x + ((n * C) << 2), ln = list + ((n * C) << 2), vn = vals + ((n * C) << 2);
    let count: usize = 0;
    for (let i: usize = 0; i < C4; i += 4) {
      const v = v128.load(xn + (i << 2));
      count = appendLanes(ln, vn, count, i, <usize>i32x4.bitmask(f32x4.ne(v, zero)), v);
    }
    for (let k = C4; k < C; k++) {
      const v = load<f32>(xn + (k << 2));
      if (v != 0) { store<u32>(ln + (count << 2), <u32>k); store<f32>(vn + (count << 2), v); count++; }
    }
    store<u32>(counts + (n << 2), <u32>count);
  }
}

// Shuffled images are cache misses and wasm has no prefetch: touching one byte per cache line of
// the batch's images and starts, then of their runs, lets the misses of all examples overlap
// instead of stalling the gather one by one.
function touchRuns(images: usize, runs: usize, starts: usize, indices: usize, B: usize, P: usize): void {
  let t: u32 = 0;
  for (let n: usize = 0; n < B; n++) {
    const k = <usize>load<u32>(indices + (n << 2)), src = images + k * P;
    t += load<u32>(starts + (k << 2));
    for (let o: usize = 0; o < P; o += 64) t += load<u8>(src + o);
  }
  for (let n: usize = 0; n < B; n++) {
    const k = <usize>load<u32>(indices + (n << 2));
    const r0 = runs + (<usize>load<u32>(starts + (k << 2)) << 2), r1 = runs + (<usize>load<u32>(starts + (k << 2), 4) << 2);
    for (let r = r0; r < r1; r += 64) t += load<u8>(r);
  }
  touched = t;
}

// As gatherRunsScalar: each image's nonzero pixels and their values, scaled, from its runs (see
// runs.ts), 8 then 4 pixels at a time. Lanes past a run's end are written too: the next run or
// the count covers them, and a run that could pass the example's row of the lists goes 1 by 1.
export function gatherRunsSimd(
  list: usize, vals: usize, counts: usize, y: usize, images: usize, labels: usize, runs: usize, starts: usize, indices: usize, batch: i32, pixels: i32,
): void {
  const P = <usize>pixels, B = <usize>batch;
  const scale = f32x4.splat(PIXEL_SCALE), lanes = i32x4(0, 1, 2, 3);
  for (let n: usize = 0; n < B; n++) {
    // touched 10 examples at a time: their ~130 lines fit in L1 until they are read
    if (n % 10 == 0) touchRuns(images, runs, starts, indices + (n << 2), min<usize>(10, B - n), P);
    const k = <usize>load<u32>(indices + (n << 2));
    store<u8>(y + n, load<u8>(labels + k));
    const src = images + k * P, ln = list + ((n * P) << 2), vn = vals + ((n * P) << 2);
    const r1 = runs + (<usize>load<u32>(starts + (k << 2), 4) << 2);
    let count: usize = 0;
    for (let r = runs + (<usize>load<u32>(starts + (k << 2)) << 2); r < r1; r += 4) {
      const run = <usize>load<u32>(r), start = run >> 8, len = (run & 255) + 1;
      if (count + len + 8 <= P) {
        // the first 8 without a loop (most runs are shorter: no branch to mispredict), then by 4
        const q = i32x4.add(i32x4.splat(<i32>start), lanes), px = i16x8.extend_low_i8x16_u(v128.load64_zero(src + start));
        const l = ln + (count << 2), v = vn + (count << 2);
        v128.store(l, q);
        v128.store(l, i32x4.add(q, i32x4.splat(4)), 16);
        v128.store(v, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(px)), scale));
        v128.store(v, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(px)), scale), 16);
        for (let o: usize = 8; o < len; o += 4) {
          const p = start + o;
          v128.store(ln + ((count + o) << 2), i32x4.add(i32x4.splat(<i32>p), lanes));
          const more = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(src + p)));
          v128.store(vn + ((count + o) << 2), f32x4.mul(f32x4.convert_i32x4_u(more), scale));
        }
      } else {
        for (let o: usize = 0; o < len; o++) {
          store<u32>(ln + ((count + o) << 2), <u32>(start + o));
          store<f32>(vn + ((count + o) << 2), <f32>load<u8>(src + start + o) * PIXEL_SCALE);
        }
      }
      count += len;
    }
    store<u32>(counts + (n << 2), <u32>count);
  }
}

// z is (batch, rows) with rows zstride apart; WT is (cols, stride); b is (rows); list, vals,
// counts from nonzeroColumns or gatherRuns. Only z's first rows are written: a range of rows
// starting at a multiple of 16 (z, WT and b moved to it) sums its outputs as the whole does.
export function sparseForwardSimd(
  z: usize, WT: usize, b: usize, vals: usize, list: usize, counts: usize,
  batch: i32, rows: i32, cols: i32, stride: i32, zstride: i32,
): void {
  const R = <usize>rows, C = <usize>cols, S = <usize>stride, R16 = (R + 15) & ~15;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const xn = vals + ((n * C) << 2), ln = list + ((n * C) << 2);
    const count = <usize>load<u32>(counts + (n << 2));
    const zn = z + ((n * <usize>zstride) << 2);
    let j: usize = 0;
    for (; j + 32 <= R16; j += 32) sparseForwardBlock32(zn, WT, b, xn, ln, count, j, R, S);
    for (; j < R; j += 16) sparseForwardBlock16(zn, WT, b, xn, ln, count, j, R, S);
  }
}

// zn[j..j+32) for one example
function sparseForwardBlock32(zn: usize, WT: usize, b: usize, vn: usize, ln: usize, count: usize, j: usize, R: usize, S: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  const base = WT + (j << 2);
  for (let t: usize = 0; t < count; t++) {
    const i = <usize>load<u32>(ln + (t << 2));
    const v = f32x4.splat(load<f32>(vn + (t << 2)));
    const w = base + ((i * S) << 2);
    a0 = madd(v, v128.load(w), a0);
    a1 = madd(v, v128.load(w, 16), a1);
    a2 = madd(v, v128.load(w, 32), a2);
    a3 = madd(v, v128.load(w, 48), a3);
    a4 = madd(v, v128.load(w, 64), a4);
    a5 = madd(v, v128.load(w, 80), a5);
    a6 = madd(v, v128.load(w, 96), a6);
    a7 = madd(v, v128.load(w, 112), a7);
  }
  storeBiased16(zn, b, a0, a1, a2, a3, j, R);
  storeBiased16(zn, b, a4, a5, a6, a7, j + 16, R);
}

// zn[j..j+16) for one example
function sparseForwardBlock16(zn: usize, WT: usize, b: usize, vn: usize, ln: usize, count: usize, j: usize, R: usize, S: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  const base = WT + (j << 2);
  for (let t: usize = 0; t < count; t++) {
    const i = <usize>load<u32>(ln + (t << 2));
    const v = f32x4.splat(load<f32>(vn + (t << 2)));
    const w = base + ((i * S) << 2);
    a0 = madd(v, v128.load(w), a0);
    a1 = madd(v, v128.load(w, 16), a1);
    a2 = madd(v, v128.load(w, 32), a2);
    a3 = madd(v, v128.load(w, 48), a3);
  }
  storeBiased16(zn, b, a0, a1, a2, a3, j, R);
}

// z, WT, b as sparseForward; y, images, labels, runs, starts, indices as gatherRuns. Layer 1 of
// inference straight from the run tables, with no lists: z[n, j] = (sum over image indices[n]'s
// nonzero pixels p, in order, of (pixel * PIXEL_SCALE) WT[p, j]) + b[j], y[n] = labels[indices[n]]:
// the bits of gatherRuns then sparseForward. sparseForwardRunsScalar does the same operations.
export function sparseForwardRunsSimd(
  z: usize, WT: usize, b: usize, y: usize, images: usize, labels: usize, runs: usize, starts: usize, indices: usize,
  batch: i32, rows: i32, pixels: i32, stride: i32, zstride: i32,
): void {
  const R = <usize>rows, P = <usize>pixels, S = <usize>stride, R16 = (R + 15) & ~15;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const k = <usize>load<u32>(indices + (n << 2));
    store<u8>(y + n, load<u8>(labels + k));
    const src = images + k * P, zn = z + ((n * <usize>zstride) << 2);
    const r0 = runs + (<usize>load<u32>(starts + (k << 2)) << 2), r1 = runs + (<usize>load<u32>(starts + (k << 2), 4) << 2);
    let j: usize = 0;
    for (; j + 32 <= R16; j += 32) runsForwardBlock32(zn, WT, b, src, r0, r1, j, R, S);
    for (; j < R; j += 16) runsForwardBlock16(zn, WT, b, src, r0, r1, j, R, S);
  }
}

// zn[j..j+32) for one image, from its runs r0..r1
function runsForwardBlock32(zn: usize, WT: usize, b: usize, src: usize, r0: usize, r1: usize, j: usize, R: usize, S: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  const base = WT + (j << 2), step = S << 2;
  for (let r = r0; r < r1; r += 4) {
    const run = <usize>load<u32>(r), start = run >> 8, end = start + (run & 255) + 1;
    let w = base + start * step;
    for (let p = start; p < end; p++, w += step) {
      const v = f32x4.splat(<f32>load<u8>(src + p) * PIXEL_SCALE);
      a0 = madd(v, v128.load(w), a0);
      a1 = madd(v, v128.load(w, 16), a1);
      a2 = madd(v, v128.load(w, 32), a2);
      a3 = madd(v, v128.load(w, 48), a3);
      a4 = madd(v, v128.load(w, 64), a4);
      a5 = madd(v, v128.load(w, 80), a5);
      a6 = madd(v, v128.load(w, 96), a6);
      a7 = madd(v, v128.load(w, 112), a7);
    }
  }
  storeBiased16(zn, b, a0, a1, a2, a3, j, R);
  storeBiased16(zn, b, a4, a5, a6, a7, j + 16, R);
}

// zn[j..j+16) for one image, from its runs r0..r1
function runsForwardBlock16(zn: usize, WT: usize, b: usize, src: usize, r0: usize, r1: usize, j: usize, R: usize, S: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  const base = WT + (j << 2), step = S << 2;
  for (let r = r0; r < r1; r += 4) {
    const run = <usize>load<u32>(r), start = run >> 8, end = start + (run & 255) + 1;
    let w = base + start * step;
    for (let p = start; p < end; p++, w += step) {
      const v = f32x4.splat(<f32>load<u8>(src + p) * PIXEL_SCALE);
      a0 = madd(v, v128.load(w), a0);
      a1 = madd(v, v128.load(w, 16), a1);
      a2 = madd(v, v128.load(w, 32), a2);
      a3 = madd(v, v128.load(w, 48), a3);
    }
  }
  storeBiased16(zn, b, a0, a1, a2, a3, j, R);
}

// zn[j..j+16) = the four accumulators + b[j..j+16), only the lanes below R
@inline function storeBiased16(zn: usize, b: usize, a0: v128, a1: v128, a2: v128, a3: v128, j: usize, R: usize): void {
  storeBiased(zn, b, a0, j, R); storeBiased(zn, b, a1, j + 4, R);
  storeBiased(zn, b, a2, j + 8, R); storeBiased(zn, b, a3, j + 12, R);
}

// zn[j..j+4) = acc + b[j..j+4), only the lanes below R
@inline function storeBiased(zn: usize, b: usize, acc: v128, j: usize, R: usize): void {
  if (j + 4 <= R) {
    v128.store(zn + (j << 2), f32x4.add(acc, v128.load(b + (j << 2))));
  } else if (j < R) {
    store<f32>(zn + (j << 2), f32x4.extract_lane(acc, 0) + load<f32>(b + (j << 2)));
    if (j + 1 < R) store<f32>(zn + (j << 2), f32x4.extract_lane(acc, 1) + load<f32>(b + (j << 2), 4), 4);
    if (j + 2 < R) store<f32>(zn + (j << 2), f32x4.extract_lane(acc, 2) + load<f32>(b + (j << 2), 8), 8);
  }
}

// WT is (cols, stride); g is (rows); delta is (batch, rows) with rows dstride apart; list, vals,
// counts from gatherRuns or nonzeroColumns. For each example n in order, WT[i] += (alpha
// delta[n]) x[n, i] for its nonzero columns i: no regrouping by column, the update goes straight
// into WT (without acc, WT is zeroed first, so it receives alpha delta^T x with every column
// written). With acc only the first rows rounded up to 16 of each WT row are touched, so a caller
// can give threads column ranges starting at multiples of 16 (WT, delta and g moved to the range).
// sparseOuterScalar does the same operations in the same order, so gives the same bits.
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

// ---------------------------------------------------------------------------------------------
// Update

// params, nabla are (n). params -= scale * nabla
export function sgdUpdateSimd(params: usize, nabla: usize, scale: f32, n: i32): void {
  const N = <usize>n, N4 = N & ~3;
  const s = f32x4.splat(scale);
  for (let i: usize = 0; i < N4; i += 4) {
    const p = params + (i << 2);
    v128.store(p, f32x4.sub(v128.load(p), f32x4.mul(s, v128.load(nabla + (i << 2)))));
  }
  sgdUpdateScalar(params + (N4 << 2), nabla + (N4 << 2), scale, <i32>(N - N4));
}

// params is (n); grads is (count, gstride). params -= scale * (grads[0] + ... + grads[count - 1])
export function reduceUpdateSimd(params: usize, grads: usize, count: i32, gstride: i32, scale: f32, n: i32): void {
  const N = <usize>n, N4 = N & ~3, G = <usize>gstride << 2, T = <usize>count;
  const sc = f32x4.splat(scale);
  for (let i: usize = 0; i < N4; i += 4) {
    let s = v128.load(grads + (i << 2));
    for (let t: usize = 1; t < T; t++) s = f32x4.add(s, v128.load(grads + t * G + (i << 2)));
    const p = params + (i << 2);
    v128.store(p, f32x4.sub(v128.load(p), f32x4.mul(sc, s)));
  }
  reduceUpdateScalar(params + (N4 << 2), grads + (N4 << 2), count, gstride, scale, <i32>(N - N4));
}

// params, velocity, grads are (n). v = mu v - scale g; params += v; lanes as the scalar kernel
export function momentumUpdateSimd(params: usize, velocity: usize, grads: usize, scale: f32, mu: f32, n: i32): void {
  const N4 = <usize>n & ~3;
  const s = f32x4.splat(scale), u = f32x4.splat(mu);
  for (let o: usize = 0; o < N4 << 2; o += 16) {
    const v = flushBelow(f32x4.sub(f32x4.mul(u, v128.load(velocity + o)), f32x4.mul(s, v128.load(grads + o))), TINY);
    v128.store(velocity + o, v);
    v128.store(params + o, f32x4.add(v128.load(params + o), v));
  }
  const t = N4 << 2;
  momentumUpdateScalar(params + t, velocity + t, grads + t, scale, mu, n - <i32>N4);
}

// params, m, v, grads are (n); Adam as the scalar kernel, four lanes at a time
export function adamUpdateSimd(params: usize, m: usize, v: usize, grads: usize, gradScale: f32, lr: f32, b1: f32, b2: f32, eps: f32, n: i32): void {
  const N4 = <usize>n & ~3;
  const gs = f32x4.splat(gradScale), l = f32x4.splat(lr), e = f32x4.splat(eps);
  const B1 = f32x4.splat(b1), B2 = f32x4.splat(b2), C1 = f32x4.splat(<f32>1 - b1), C2 = f32x4.splat(<f32>1 - b2);
  for (let o: usize = 0; o < N4 << 2; o += 16) {
    const g = f32x4.mul(gs, v128.load(grads + o));
    const mi = flushBelow(f32x4.add(f32x4.mul(B1, v128.load(m + o)), f32x4.mul(C1, g)), TINY);
    const vi = flushBelow(f32x4.add(f32x4.mul(B2, v128.load(v + o)), f32x4.mul(C2, f32x4.mul(g, g))), TINY);
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(params + o, f32x4.sub(v128.load(params + o), f32x4.div(f32x4.mul(l, mi), f32x4.add(f32x4.sqrt(vi), e))));
  }
  const t = N4 << 2;
  adamUpdateScalar(params + t, m + t, v + t, grads + t, gradScale, lr, b1, b2, eps, n - <i32>N4);
}

// lanes with |x| < bound become 0 (NaN stays), as the scalar kernels' `if (Mathf.abs(x) < bound) x = 0`
@inline function flushBelow(x: v128, bound: f32): v128 {
  return v128.and(x, v128.or(f32x4.ge(f32x4.abs(x), f32x4.splat(bound)), f32x4.ne(x, x)));
}

// ---------------------------------------------------------------------------------------------
// Sigmoid

// expf32 (shared.ts) 4 at a time, the same operations in the same order, so the same bits. The
// clamp uses pmin/pmax (one instruction each; they agree with min/max for every input here, NaN
// included: it passes through), and 2^k is made from k's bits after adding 1.5 * 2^23, exact for
// the integer k in [-127, 128], where trunc_sat takes a sequence of instructions.
@inline function exp4(v: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(v, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const k = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(k, f32x4.splat(LN2_HI))), f32x4.mul(k, f32x4.splat(LN2_LO)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(P0), r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  const e = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  // bits of k + 1.5 * 2^23 are 0x4b400000 + k
  return f32x4.mul(e, i32x4.shl(i32x4.sub(f32x4.add(k, f32x4.splat(12582912)), i32x4.splat(0x4b400000 - 127)), 23));
}

// As sigmoidScalar, 4 at a time; a may alias z
export function sigmoidSimd(a: usize, z: usize, n: i32): void {
  const N = <usize>n, N4 = N & ~3, one = f32x4.splat(1), flush = f32x4.splat(SIGMOID_FLUSH);
  for (let i: usize = 0; i < N4; i += 4) {
    const v = v128.load(z + (i << 2));
    v128.store(a + (i << 2), v128.andnot(f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(v)))), f32x4.lt(v, flush)));
  }
  sigmoidScalar(a + (N4 << 2), z + (N4 << 2), <i32>(N - N4));
}

// As sigmoidPrimeMulScalar, 4 at a time
export function sigmoidPrimeMulSimd(delta: usize, a: usize, n: i32): void {
  const N = <usize>n, N4 = N & ~3, one = f32x4.splat(1);
  for (let i: usize = 0; i < N4; i += 4) {
    const s = v128.load(a + (i << 2));
    v128.store(delta + (i << 2), flushBelow(f32x4.mul(v128.load(delta + (i << 2)), f32x4.mul(s, f32x4.sub(one, s))), DELTA_FLUSH));
  }
  sigmoidPrimeMulScalar(delta + (N4 << 2), a + (N4 << 2), <i32>(N - N4));
}

// ---------------------------------------------------------------------------------------------
// Dropout, max-norm and the augmentation's smoothing

// acc + a b: fused in the relaxed build, a multiply then an add otherwise (see the top)
@inline function madd(a: v128, b: v128, acc: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? f32x4.relaxed_madd(a, b, acc) : f32x4.add(acc, f32x4.mul(a, b));
}

// hash32 (shared.ts) of four indices at once, the same integer operations
@inline function hash4(key: v128, index: v128): v128 {
  let x = i32x4.add(i32x4.mul(index, i32x4.splat(0x9e3779b9)), key);
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(0x846ca68b));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

// As dropoutForwardScalar, 4 units at a time; each row's last width % 4 units by the twin
export function dropoutForwardSimd(a: usize, h: usize, batch: i32, width: i32, key: i32, row0: i32, threshold: i32, scale: f32): void {
  const W = <u32>width, W4 = W & ~3;
  const k = i32x4.splat(key), t = i32x4.splat(threshold), sc = f32x4.splat(scale), lanes = i32x4(0, 1, 2, 3);
  for (let n: u32 = 0; n < <u32>batch; n++) {
    const base = (<u32>row0 + n) * W, o = (n * W) << 2;
    for (let j: u32 = 0; j < W4; j += 4) {
      const keep = i32x4.ge_u(hash4(k, i32x4.add(i32x4.splat(base + j), lanes)), t);
      v128.store(a + o + (j << 2), v128.and(f32x4.mul(v128.load(h + o + (j << 2)), sc), keep));
    }
    if (W4 < W) dropoutForwardTail(a + o, h + o, W4, W, key, base, threshold, scale);
  }
}

@inline function dropoutForwardTail(a: usize, h: usize, from: u32, W: u32, key: i32, base: u32, threshold: i32, scale: f32): void {
  for (let j = from; j < W; j++) store<f32>(a + (j << 2), hash32(<u32>key, base + j) >= <u32>threshold ? load<f32>(h + (j << 2)) * scale : 0);
}

// As dropoutBackwardScalar, 4 units at a time
export function dropoutBackwardSimd(delta: usize, batch: i32, width: i32, key: i32, row0: i32, threshold: i32, scale: f32): void {
  const W = <u32>width, W4 = W & ~3;
  const k = i32x4.splat(key), t = i32x4.splat(threshold), sc = f32x4.splat(scale), lanes = i32x4(0, 1, 2, 3);
  for (let n: u32 = 0; n < <u32>batch; n++) {
    const base = (<u32>row0 + n) * W, o = delta + ((n * W) << 2);
    for (let j: u32 = 0; j < W4; j += 4) {
      const keep = i32x4.ge_u(hash4(k, i32x4.add(i32x4.splat(base + j), lanes)), t);
      v128.store(o + (j << 2), v128.and(f32x4.mul(v128.load(o + (j << 2)), sc), keep));
    }
    if (W4 < W) dropoutForwardTail(o, o, W4, W, key, base, threshold, scale);
  }
}

// As maxNormRowsScalar, each row's squared norm summed 4 columns a lane (then (l0 + l1) + (l2 +
// l3), then the last cols % 4 columns): within f32 rounding of the twin's order
export function maxNormRowsSimd(W: usize, rows: i32, cols: i32, c: f32): void {
  const C = <usize>cols, C4 = C & ~3;
  for (let j: usize = 0; j < <usize>rows; j++) {
    const Wj = W + ((j * C) << 2);
    let acc = f32x4.splat(0);
    for (let i: usize = 0; i < C4; i += 4) {
      const w = v128.load(Wj + (i << 2));
      acc = f32x4.add(acc, f32x4.mul(w, w));
    }
    let s = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    for (let i = C4; i < C; i++) s += load<f32>(Wj + (i << 2)) * load<f32>(Wj + (i << 2));
    if (s > c * c) {
      const f = c / Mathf.sqrt(s), fv = f32x4.splat(f);
      for (let i: usize = 0; i < C4; i += 4) v128.store(Wj + (i << 2), f32x4.mul(v128.load(Wj + (i << 2)), fv));
      for (let i = C4; i < C; i++) store<f32>(Wj + (i << 2), load<f32>(Wj + (i << 2)) * f);
    }
  }
}

// As maxNormColumnsScalar, 4 columns j at a time, each lane summing i in order: the twin's bits
// (stride is a multiple of 16, so the padding columns read beside them are in WT)
export function maxNormColumnsSimd(WT: usize, rows: i32, cols: i32, stride: i32, c: f32): void {
  const S = <usize>stride, C = <usize>cols, cc = f32x4.splat(c * c);
  for (let j: usize = 0; j < <usize>rows; j += 4) {
    let acc = f32x4.splat(0);
    for (let i: usize = 0; i < C; i++) {
      const w = v128.load(WT + ((i * S + j) << 2));
      acc = f32x4.add(acc, f32x4.mul(w, w));
    }
    const over = f32x4.gt(acc, cc);
    if (!v128.any_true(over)) continue;
    // c / sqrt(s) where over (correctly rounded, as the twin's), 1 elsewhere (an exact multiply)
    const f = v128.bitselect(f32x4.div(f32x4.splat(c), f32x4.sqrt(acc)), f32x4.splat(1), over);
    for (let i: usize = 0; i < C; i++) {
      const p = WT + ((i * S + j) << 2);
      v128.store(p, f32x4.mul(v128.load(p), f));
    }
  }
}

// As gaussianBlurScalar (same scratch layout, same order of every sum), 4 outputs of a row at a
// time: each lane sums k = -radius..radius in order, so the twin's bits
export function gaussianBlurSimd(out: usize, field: usize, tmp: usize, weights: usize, rows: i32, cols: i32, radius: i32): void {
  const R = <usize>rows, C = <usize>cols, K = <usize>radius, C4 = C & ~3;
  const column = tmp, line = tmp + (((R + 2 * K) * C) << 2);
  memory.fill(column, 0, (K * C) << 2);
  memory.fill(column + (((K + R) * C) << 2), 0, (K * C) << 2);
  memory.fill(line, 0, (C + 2 * K + 8) << 2);
  for (let y: usize = 0; y < R; y++) {
    memory.copy(line + (K << 2), field + ((y * C) << 2), C << 2);
    const row = column + (((y + K) * C) << 2);
    for (let x: usize = 0; x < C4; x += 4) {
      let s = f32x4.splat(0);
      for (let k: usize = 0; k <= 2 * K; k++) s = f32x4.add(s, f32x4.mul(v128.load32_splat(weights + ((k < K ? K - k : k - K) << 2)), v128.load(line + ((x + k) << 2))));
      v128.store(row + (x << 2), s);
    }
    for (let x = C4; x < C; x++) {
      let s: f32 = 0;
      for (let k: usize = 0; k <= 2 * K; k++) s += load<f32>(weights + ((k < K ? K - k : k - K) << 2)) * load<f32>(line + ((x + k) << 2));
      store<f32>(row + (x << 2), s);
    }
  }
  for (let y: usize = 0; y < R; y++) {
    for (let x: usize = 0; x < C4; x += 4) {
      let s = f32x4.splat(0);
      for (let k: usize = 0; k <= 2 * K; k++) s = f32x4.add(s, f32x4.mul(v128.load32_splat(weights + ((k < K ? K - k : k - K) << 2)), v128.load(column + (((y + k) * C + x) << 2))));
      v128.store(out + ((y * C + x) << 2), s);
    }
    for (let x = C4; x < C; x++) {
      let s: f32 = 0;
      for (let k: usize = 0; k <= 2 * K; k++) s += load<f32>(weights + ((k < K ? K - k : k - K) << 2)) * load<f32>(column + (((y + k) * C + x) << 2));
      store<f32>(out + ((y * C + x) << 2), s);
    }
  }
}

// Dense layers, the products with W: forward z = x W^T + b (denseForward) and backward to the
// input dx = delta W (denseBackwardInput), each SIMD path beside its scalar twin (lanes.ts says how
// they agree). Not for: the weight gradient and the SGD step (denseOuter.ts).
import { madd } from './lanes';

// Forward: z = x W^T + b as dot products of rows. Every z element is summed the same way
// (lane k sums columns i = k mod 4 in order, then (l0 + l1) + (l2 + l3), then the scalar tail),
// whichever tile computes it, so an example's output does not depend on its place in the batch.

// z is (batch, rows); W is (rows, cols) row-major; b is (rows); x is (batch, cols)
export function denseForwardScalar(
  z: usize, W: usize, b: usize, x: usize, batch: i32, rows: i32, cols: i32,
): void {
  const R = <usize>rows, C = <usize>cols;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const xn = x + ((n * C) << 2);
    for (let j: usize = 0; j < R; j++) {
      const Wj = W + ((j * C) << 2);
      let s = load<f32>(b + (j << 2));
      for (let i: usize = 0; i < C; i++) s += load<f32>(Wj + (i << 2)) * load<f32>(xn + (i << 2));
      store<f32>(z + ((n * R + j) << 2), s);
    }
  }
}

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

// Backward to the input: dx = delta W, each element summed over j in order from 0 (as the
// scalar kernel), so both builds agree bit for bit.

// dx is (batch, cols); W is (rows, cols) row-major; delta is (batch, rows). dx = delta W
export function denseBackwardInputScalar(
  dx: usize, W: usize, delta: usize, batch: i32, rows: i32, cols: i32,
): void {
  const R = <usize>rows, C = <usize>cols;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const dxn = dx + ((n * C) << 2);
    memory.fill(dxn, 0, C << 2);
    for (let j: usize = 0; j < R; j++) {
      const d = load<f32>(delta + ((n * R + j) << 2));
      const Wj = W + ((j * C) << 2);
      for (let i: usize = 0; i < C; i++) {
        store<f32>(dxn + (i << 2), load<f32>(dxn + (i << 2)) + d * load<f32>(Wj + (i << 2)));
      }
    }
  }
}

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

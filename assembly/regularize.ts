// Regularisation beyond the lecture: inverted dropout (masks from counter-based hashes), max-norm
// of a layer's rows, and the Gaussian blur of the augmentation's elastic fields, each SIMD path
// beside its scalar twin (lanes.ts). Not for: dropout of input lists (common.ts), augmentation (augment.ts).
import { hash4 } from './lanes';
import { hash32 } from './shared';

// a, h are (batch, width). Inverted dropout of the rows row0.. of an epoch: a = h * scale where
// hash32(key, row * width + j) >= threshold (the unit is kept), else 0 (scale = 1 / (1 - p),
// threshold = p 2^32).
export function dropoutForwardScalar(a: usize, h: usize, batch: i32, width: i32, key: i32, row0: i32, threshold: i32, scale: f32): void {
  const W = <u32>width, T = <u32>threshold;
  for (let n: u32 = 0; n < <u32>batch; n++) {
    const base = (<u32>row0 + n) * W, o = (n * W) << 2;
    for (let j: u32 = 0; j < W; j++) {
      const keep = hash32(<u32>key, base + j) >= T;
      store<f32>(a + o + (j << 2), keep ? load<f32>(h + o + (j << 2)) * scale : 0);
    }
  }
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

// delta is (batch, width): the same mask as dropoutForward's applied to a gradient, delta = delta
// * scale where kept, else 0.
export function dropoutBackwardScalar(delta: usize, batch: i32, width: i32, key: i32, row0: i32, threshold: i32, scale: f32): void {
  const W = <u32>width, T = <u32>threshold;
  for (let n: u32 = 0; n < <u32>batch; n++) {
    const base = (<u32>row0 + n) * W, o = (n * W) << 2;
    for (let j: u32 = 0; j < W; j++) {
      const p = delta + o + (j << 2);
      store<f32>(p, hash32(<u32>key, base + j) >= T ? load<f32>(p) * scale : 0);
    }
  }
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

// W is (rows, cols) row-major. Max-norm: each row j (a unit's incoming weights) whose squared norm
// sum_i W[j, i]^2 (summed in order) exceeds c^2 is scaled by c / sqrt(that).
export function maxNormRowsScalar(W: usize, rows: i32, cols: i32, c: f32): void {
  const C = <usize>cols;
  for (let j: usize = 0; j < <usize>rows; j++) {
    const Wj = W + ((j * C) << 2);
    let s: f32 = 0;
    for (let i: usize = 0; i < C; i++) s += load<f32>(Wj + (i << 2)) * load<f32>(Wj + (i << 2));
    if (s > c * c) {
      const f = c / Mathf.sqrt(s);
      for (let i: usize = 0; i < C; i++) store<f32>(Wj + (i << 2), load<f32>(Wj + (i << 2)) * f);
    }
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

// WT is (cols, stride), W transposed. Max-norm of W's rows, that is of WT's columns j < rows: the
// squared norm sum_i WT[i, j]^2 (summed in order of i).
export function maxNormColumnsScalar(WT: usize, rows: i32, cols: i32, stride: i32, c: f32): void {
  const S = <usize>stride, C = <usize>cols;
  for (let j: usize = 0; j < <usize>rows; j++) {
    let s: f32 = 0;
    for (let i: usize = 0; i < C; i++) {
      const w = load<f32>(WT + ((i * S + j) << 2));
      s += w * w;
    }
    if (s > c * c) {
      const f = c / Mathf.sqrt(s);
      for (let i: usize = 0; i < C; i++) store<f32>(WT + ((i * S + j) << 2), load<f32>(WT + ((i * S + j) << 2)) * f);
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

// out, field are (rows, cols); weights is (radius + 1): a symmetric kernel w[|k|]; tmp is scratch of
// (rows + 2 radius) cols + cols + 2 radius + 8 floats. out = the field convolved with w along x,
// then along y, zero outside the image; each output sums w[|k|] v[k] for k = -radius..radius in
// order, the zeros outside included (so the SIMD path, which reads them from padding, agrees).
export function gaussianBlurScalar(out: usize, field: usize, tmp: usize, weights: usize, rows: i32, cols: i32, radius: i32): void {
  const R = <usize>rows, C = <usize>cols, K = <usize>radius;
  const column = tmp, line = tmp + (((R + 2 * K) * C) << 2); // column: the x pass, K zero rows above and below; line: one padded row
  memory.fill(column, 0, (K * C) << 2);
  memory.fill(column + (((K + R) * C) << 2), 0, (K * C) << 2);
  memory.fill(line, 0, (C + 2 * K + 8) << 2);
  for (let y: usize = 0; y < R; y++) {
    memory.copy(line + (K << 2), field + ((y * C) << 2), C << 2);
    for (let x: usize = 0; x < C; x++) {
      let s: f32 = 0;
      for (let k: usize = 0; k <= 2 * K; k++) s += load<f32>(weights + ((k < K ? K - k : k - K) << 2)) * load<f32>(line + ((x + k) << 2));
      store<f32>(column + (((y + K) * C + x) << 2), s);
    }
  }
  for (let y: usize = 0; y < R; y++) {
    for (let x: usize = 0; x < C; x++) {
      let s: f32 = 0;
      for (let k: usize = 0; k <= 2 * K; k++) s += load<f32>(weights + ((k < K ? K - k : k - K) << 2)) * load<f32>(column + (((y + k) * C + x) << 2));
      store<f32>(out + ((y * C + x) << 2), s);
    }
  }
}

// As gaussianBlurScalar (same scratch layout, same order of every sum), 16 outputs of a row at a
// time in 4 accumulators, so that each weight is splatted once for them: each lane sums k =
// -radius..radius in order, so the twin's bits
export function gaussianBlurSimd(out: usize, field: usize, tmp: usize, weights: usize, rows: i32, cols: i32, radius: i32): void {
  const R = <usize>rows, C = <usize>cols, K = <usize>radius, C4 = C & ~3;
  const column = tmp, line = tmp + (((R + 2 * K) * C) << 2);
  memory.fill(column, 0, (K * C) << 2);
  memory.fill(column + (((K + R) * C) << 2), 0, (K * C) << 2);
  memory.fill(line, 0, (C + 2 * K + 8) << 2);
  // the x pass: output x of row y from line[x .. x + 2K], 4 bytes apart
  for (let y: usize = 0; y < R; y++) {
    memory.copy(line + (K << 2), field + ((y * C) << 2), C << 2);
    const row = column + (((y + K) * C) << 2);
    for (let x: usize = 0; x < C4; x += 16) blurTile(row + (x << 2), line + (x << 2), 4, weights, K, min<usize>(4, (C4 - x) >> 2));
    for (let x = C4; x < C; x++) {
      let s: f32 = 0;
      for (let k: usize = 0; k <= 2 * K; k++) s += load<f32>(weights + ((k < K ? K - k : k - K) << 2)) * load<f32>(line + ((x + k) << 2));
      store<f32>(row + (x << 2), s);
    }
  }
  // the y pass: output (y, x) from column[(y .. y + 2K), x], a row apart
  for (let y: usize = 0; y < R; y++) {
    const src = column + ((y * C) << 2);
    for (let x: usize = 0; x < C4; x += 16) blurTile(out + ((y * C + x) << 2), src + (x << 2), C << 2, weights, K, min<usize>(4, (C4 - x) >> 2));
    for (let x = C4; x < C; x++) {
      let s: f32 = 0;
      for (let k: usize = 0; k <= 2 * K; k++) s += load<f32>(weights + ((k < K ? K - k : k - K) << 2)) * load<f32>(column + (((y + k) * C + x) << 2));
      store<f32>(out + ((y * C + x) << 2), s);
    }
  }
}

// dst[0 .. 4 nv) = sum over k = 0..2K in order of w[|k - K|] src[k step + (0 .. 4 nv)], nv <= 4 vectors
function blurTile(dst: usize, src: usize, step: usize, weights: usize, K: usize, nv: usize): void {
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  for (let k: usize = 0; k <= 2 * K; k++) {
    const w = v128.load32_splat(weights + ((k < K ? K - k : k - K) << 2)), p = src + k * step;
    s0 = f32x4.add(s0, f32x4.mul(w, v128.load(p)));
    if (nv > 1) s1 = f32x4.add(s1, f32x4.mul(w, v128.load(p, 16)));
    if (nv > 2) s2 = f32x4.add(s2, f32x4.mul(w, v128.load(p, 32)));
    if (nv > 3) s3 = f32x4.add(s3, f32x4.mul(w, v128.load(p, 48)));
  }
  v128.store(dst, s0);
  if (nv > 1) v128.store(dst, s1, 16);
  if (nv > 2) v128.store(dst, s2, 32);
  if (nv > 3) v128.store(dst, s3, 48);
}

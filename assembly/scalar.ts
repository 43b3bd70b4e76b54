// The plain scalar twin of every SIMD kernel: the scalar build's kernels, the SIMD paths' tails,
// and the oracle the tests hold the SIMD paths against (the debug build, oracle.ts, exports each
// kernel's twin as <kernel>Scalar). Not for: dispatching; index.ts (generated from kernels.mjs)
// picks between these and simd.ts at compile time.
import { biasOuter, DELTA_FLUSH, hash32, PIXEL_SCALE, sigmoidf32, TINY } from './shared';

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

// list is (batch, cols) u32, vals is (batch, cols) f32, counts is (batch) u32; x is (batch, cols).
// Row n of list gets the columns i with x[n, i] != 0 in increasing order, vals the x[n, i] beside
// them, counts[n] their number.
export function nonzeroColumnsScalar(list: usize, vals: usize, counts: usize, x: usize, batch: i32, cols: i32): void {
  const C = <usize>cols;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const xn = x + ((n * C) << 2), ln = list + ((n * C) << 2), vn = vals + ((n * C) << 2);
    let count: usize = 0;
    for (let i: usize = 0; i < C; i++) {
      const v = load<f32>(xn + (i << 2));
      if (v != 0) {
        store<u32>(ln + (count << 2), <u32>i);
        store<f32>(vn + (count << 2), v);
        count++;
      }
    }
    store<u32>(counts + (n << 2), <u32>count);
  }
}

// list, vals are (batch, pixels), counts is (batch); y is (batch) u8; images is (count, pixels)
// u8, labels (count) u8; runs and starts the dataset's run table (runs.ts); indices is (batch)
// u32. Row n of list and vals gets image indices[n]'s nonzero pixels in order, read from its runs.
export function gatherRunsScalar(
  list: usize, vals: usize, counts: usize, y: usize, images: usize, labels: usize, runs: usize, starts: usize, indices: usize, batch: i32, pixels: i32,
): void {
  const P = <usize>pixels;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const k = <usize>load<u32>(indices + (n << 2));
    store<u8>(y + n, load<u8>(labels + k));
    const src = images + k * P, ln = list + ((n * P) << 2), vn = vals + ((n * P) << 2);
    let count: usize = 0;
    for (let r = <usize>load<u32>(starts + (k << 2)); r < <usize>load<u32>(starts + (k << 2), 4); r++) {
      const run = <usize>load<u32>(runs + (r << 2)), start = run >> 8, len = (run & 255) + 1;
      for (let o: usize = 0; o < len; o++) {
        store<u32>(ln + (count << 2), <u32>(start + o));
        store<f32>(vn + (count << 2), <f32>load<u8>(src + start + o) * PIXEL_SCALE);
        count++;
      }
    }
    store<u32>(counts + (n << 2), <u32>count);
  }
}

// z is (batch, rows); WT is (cols, stride); b is (rows); list, vals, counts from nonzeroColumns
export function sparseForwardScalar(
  z: usize, WT: usize, b: usize, vals: usize, list: usize, counts: usize,
  batch: i32, rows: i32, cols: i32, stride: i32, zstride: i32,
): void {
  const R = <usize>rows, C = <usize>cols, S = <usize>stride, Z = <usize>zstride;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const vn = vals + ((n * C) << 2), ln = list + ((n * C) << 2);
    const count = <usize>load<u32>(counts + (n << 2));
    for (let j: usize = 0; j < R; j++) {
      let s: f32 = 0;
      for (let t: usize = 0; t < count; t++) {
        const i = <usize>load<u32>(ln + (t << 2));
        s += load<f32>(vn + (t << 2)) * load<f32>(WT + ((i * S + j) << 2));
      }
      store<f32>(z + ((n * Z + j) << 2), s + load<f32>(b + (j << 2)));
    }
  }
}

// Layer 1 of inference straight from the run tables (sparseForwardRunsSimd): z[n, j] = (sum over
// image indices[n]'s nonzero pixels p, in order, of (pixel * PIXEL_SCALE) WT[p, j]) + b[j].
export function sparseForwardRunsScalar(
  z: usize, WT: usize, b: usize, y: usize, images: usize, labels: usize, runs: usize, starts: usize, indices: usize,
  batch: i32, rows: i32, pixels: i32, stride: i32, zstride: i32,
): void {
  const R = <usize>rows, P = <usize>pixels, S = <usize>stride, Z = <usize>zstride;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const k = <usize>load<u32>(indices + (n << 2));
    store<u8>(y + n, load<u8>(labels + k));
    const src = images + k * P;
    const r0 = runs + (<usize>load<u32>(starts + (k << 2)) << 2), r1 = runs + (<usize>load<u32>(starts + (k << 2), 4) << 2);
    for (let j: usize = 0; j < R; j++) {
      let s: f32 = 0;
      for (let r = r0; r < r1; r += 4) {
        const run = <usize>load<u32>(r), start = run >> 8, end = start + (run & 255) + 1;
        for (let p = start; p < end; p++) s += (<f32>load<u8>(src + p) * PIXEL_SCALE) * load<f32>(WT + ((p * S + j) << 2));
      }
      store<f32>(z + ((n * Z + j) << 2), s + load<f32>(b + (j << 2)));
    }
  }
}

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

// params, nabla are (n). params -= scale * nabla
export function sgdUpdateScalar(params: usize, nabla: usize, scale: f32, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const p = params + (i << 2);
    store<f32>(p, load<f32>(p) - scale * load<f32>(nabla + (i << 2)));
  }
}

// params is (n); grads is (count, gstride)
export function reduceUpdateScalar(params: usize, grads: usize, count: i32, gstride: i32, scale: f32, n: i32): void {
  const G = <usize>gstride << 2;
  for (let i: usize = 0; i < <usize>n; i++) {
    let s = load<f32>(grads + (i << 2));
    for (let t: usize = 1; t < <usize>count; t++) s += load<f32>(grads + t * G + (i << 2));
    const p = params + (i << 2);
    store<f32>(p, load<f32>(p) - scale * s);
  }
}

// params, velocity, grads are (n). v = mu v - scale g; params += v
export function momentumUpdateScalar(params: usize, velocity: usize, grads: usize, scale: f32, mu: f32, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const o = i << 2;
    let v = mu * load<f32>(velocity + o) - scale * load<f32>(grads + o);
    if (Mathf.abs(v) < TINY) v = 0; // a decaying velocity would end in denormals
    store<f32>(velocity + o, v);
    store<f32>(params + o, load<f32>(params + o) + v);
  }
}

// params, m, v, grads are (n). With g = gradScale grads: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// params -= lr m / (sqrt(v) + eps)
export function adamUpdateScalar(params: usize, m: usize, v: usize, grads: usize, gradScale: f32, lr: f32, b1: f32, b2: f32, eps: f32, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const o = i << 2;
    const g = gradScale * load<f32>(grads + o);
    let mi = b1 * load<f32>(m + o) + (<f32>1 - b1) * g;
    let vi = b2 * load<f32>(v + o) + (<f32>1 - b2) * (g * g);
    if (Mathf.abs(mi) < TINY) mi = 0; // the moments of unused weights decay towards denormals
    if (vi < TINY) vi = 0;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(params + o, load<f32>(params + o) - lr * mi / (Mathf.sqrt(vi) + eps));
  }
}

// a, z are (n); a may alias z. a = sigma(z) = 1 / (1 + e^-z)
export function sigmoidScalar(a: usize, z: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) store<f32>(a + (i << 2), sigmoidf32(load<f32>(z + (i << 2))));
}

// delta, a are (n) with a = sigma(z); delta *= sigma'(z) = a (1 - a), below DELTA_FLUSH flushed to 0
export function sigmoidPrimeMulScalar(delta: usize, a: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const s = load<f32>(a + (i << 2));
    let d = load<f32>(delta + (i << 2)) * (s * (<f32>1 - s));
    if (Mathf.abs(d) < DELTA_FLUSH) d = 0;
    store<f32>(delta + (i << 2), d);
  }
}

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

// The numeric core of wasm-mlp: pure kernels over pointers into linear memory, f32 throughout.
// Not for: allocation, state or bounds checks; the TypeScript memory plan owns every buffer
// and checks every size before a kernel runs.
//
// Layout conventions: a mini-batch is a row-major matrix with one example per row, so
// activations and deltas are (batch, width); a layer's W is (rows = width out,
// cols = width in) row-major, as in the lecture's z = W a + b.

/** First byte free for the memory plan: everything below belongs to the module's data. */
export function heapBase(): usize {
  return __heap_base;
}

/** Reports whether this build uses f32x4 SIMD (the scalar build answers 0). */
export function simdEnabled(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Input: gather a mini-batch of u8 images into f32 scaled to [0, 1].

// x is (batch, pixels) f32; images is (count, pixels) u8; y is (batch) u8; labels is (count) u8;
// indices is (batch) u32, each < count.
export function gatherBatch(
  x: usize, y: usize, images: usize, labels: usize, indices: usize, batch: i32, pixels: i32,
): void {
  const P = <usize>pixels;
  const scale: f32 = 1.0 / 255.0;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const k = <usize>load<u32>(indices + (n << 2));
    store<u8>(y + n, load<u8>(labels + k));
    const src = images + k * P;
    const dst = x + ((n * P) << 2);
    for (let i: usize = 0; i < P; i++) {
      store<f32>(dst + (i << 2), <f32>load<u8>(src + i) * scale);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Dense layer: forward z = W a + b and its two backward halves, side by side.

// z is (batch, rows); W is (rows, cols) row-major; b is (rows); x is (batch, cols)
export function denseForward(
  z: usize, W: usize, b: usize, x: usize, batch: i32, rows: i32, cols: i32,
): void {
  if (ASC_FEATURE_SIMD) denseForwardSimd(z, W, b, x, batch, rows, cols);
  else denseForwardScalar(z, W, b, x, batch, rows, cols);
}

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
// (that is (W^T delta) per example); overwrites dx.
export function denseBackwardInput(
  dx: usize, W: usize, delta: usize, batch: i32, rows: i32, cols: i32,
): void {
  if (ASC_FEATURE_SIMD) denseBackwardInputSimd(dx, W, delta, batch, rows, cols);
  else denseBackwardInputScalar(dx, W, delta, batch, rows, cols);
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

// nablaW is (rows, cols); nablaB is (rows); delta is (batch, rows); x is (batch, cols).
// nablaW += delta^T x and nablaB += the column sums of delta (accumulates).
export function denseBackwardParams(
  nablaW: usize, nablaB: usize, delta: usize, x: usize, batch: i32, rows: i32, cols: i32,
): void {
  if (ASC_FEATURE_SIMD) denseBackwardParamsSimd(nablaW, nablaB, delta, x, batch, rows, cols);
  else denseBackwardParamsScalar(nablaW, nablaB, delta, x, batch, rows, cols);
}

// nablaW is (rows, cols); nablaB is (rows); delta is (batch, rows); x is (batch, cols)
export function denseBackwardParamsScalar(
  nablaW: usize, nablaB: usize, delta: usize, x: usize, batch: i32, rows: i32, cols: i32,
): void {
  const R = <usize>rows, C = <usize>cols, B = <usize>batch;
  for (let j: usize = 0; j < R; j++) {
    const gj = nablaW + ((j * C) << 2);
    let sb: f32 = 0;
    for (let n: usize = 0; n < B; n++) {
      const d = load<f32>(delta + ((n * R + j) << 2));
      sb += d;
      if (d == 0) continue; // saturated units and ReLU-like zeros cost nothing
      const xn = x + ((n * C) << 2);
      for (let i: usize = 0; i < C; i++) {
        store<f32>(gj + (i << 2), load<f32>(gj + (i << 2)) + d * load<f32>(xn + (i << 2)));
      }
    }
    store<f32>(nablaB + (j << 2), load<f32>(nablaB + (j << 2)) + sb);
  }
}

// ---------------------------------------------------------------------------------------------
// Activation: sigma and sigma' applied to a delta.

// Deltas smaller than this are flushed to zero: wasm has no flush-to-zero mode and denormal
// arithmetic is many times slower (see PERFORMANCE.md); 1e-30 is far below any f32 gradient
// that can move a weight.
const TINY: f32 = 1e-30;

// a, z are (n); a = sigma(z) = 1 / (1 + e^-z); a may alias z
export function sigmoid(a: usize, z: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const v = load<f32>(z + (i << 2));
    store<f32>(a + (i << 2), <f32>1 / (<f32>1 + Mathf.exp(-v)));
  }
}

// delta, a are (n) with a = sigma(z); delta *= sigma'(z) = a (1 - a)
export function sigmoidPrimeMul(delta: usize, a: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const s = load<f32>(a + (i << 2));
    let d = load<f32>(delta + (i << 2)) * (s * (<f32>1 - s));
    if (Mathf.abs(d) < TINY) d = 0;
    store<f32>(delta + (i << 2), d);
  }
}

// ---------------------------------------------------------------------------------------------
// Quadratic cost C = sum_j (a_j - y_j)^2 with y one-hot, and its output delta.

// delta, a are (batch, classes); y is (batch) u8 labels.
// delta = dC/da * sigma'(z) = 2 (a - y) a (1 - a)
export function outputDeltaQuadratic(delta: usize, a: usize, y: usize, batch: i32, classes: i32): void {
  const K = <usize>classes;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const label = <usize>load<u8>(y + n);
    for (let j: usize = 0; j < K; j++) {
      const p = (n * K + j) << 2;
      const s = load<f32>(a + p);
      const target: f32 = j == label ? 1 : 0;
      let d = <f32>2 * (s - target) * (s * (<f32>1 - s));
      if (Mathf.abs(d) < TINY) d = 0;
      store<f32>(delta + p, d);
    }
  }
}

// a is (batch, classes); y is (batch) u8 labels. Returns sum over the batch of sum_j (a_j - y_j)^2.
export function costQuadratic(a: usize, y: usize, batch: i32, classes: i32): f64 {
  const K = <usize>classes;
  let total: f64 = 0;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const label = <usize>load<u8>(y + n);
    for (let j: usize = 0; j < K; j++) {
      const e = <f64>load<f32>(a + ((n * K + j) << 2)) - (j == label ? 1.0 : 0.0);
      total += e * e;
    }
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Predictions.

// out is (batch) u8; a is (batch, classes). out = index of the largest a per row (first on ties)
export function argmaxRows(out: usize, a: usize, batch: i32, classes: i32): void {
  const K = <usize>classes;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const row = a + ((n * K) << 2);
    let best: usize = 0;
    let bestValue = load<f32>(row);
    for (let j: usize = 1; j < K; j++) {
      const v = load<f32>(row + (j << 2));
      if (v > bestValue) { bestValue = v; best = j; }
    }
    store<u8>(out + n, <u8>best);
  }
}

// ---------------------------------------------------------------------------------------------
// Parameters: zeroing gradients and the gradient-descent update.

// p is (n) f32; p = 0
export function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

// params, nabla are (n). params -= scale * nabla, with scale = eta / batch
export function sgdUpdate(params: usize, nabla: usize, scale: f32, n: i32): void {
  if (ASC_FEATURE_SIMD) {
    const N = <usize>n & ~3;
    const s = f32x4.splat(scale);
    for (let i: usize = 0; i < N; i += 4) {
      const p = params + (i << 2);
      v128.store(p, f32x4.sub(v128.load(p), f32x4.mul(s, v128.load(nabla + (i << 2)))));
    }
    for (let i = N; i < <usize>n; i++) {
      const p = params + (i << 2);
      store<f32>(p, load<f32>(p) - scale * load<f32>(nabla + (i << 2)));
    }
  } else {
    sgdUpdateScalar(params, nabla, scale, n);
  }
}

// params, nabla are (n). params -= scale * nabla
export function sgdUpdateScalar(params: usize, nabla: usize, scale: f32, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const p = params + (i << 2);
    store<f32>(p, load<f32>(p) - scale * load<f32>(nabla + (i << 2)));
  }
}

// ---------------------------------------------------------------------------------------------
// SIMD paths (f32x4). Each has the scalar kernel above as its oracle; tails run scalar.

// z is (batch, rows); W is (rows, cols) row-major; b is (rows); x is (batch, cols)
function denseForwardSimd(
  z: usize, W: usize, b: usize, x: usize, batch: i32, rows: i32, cols: i32,
): void {
  const R = <usize>rows, C = <usize>cols, C4 = C & ~3;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const xn = x + ((n * C) << 2);
    for (let j: usize = 0; j < R; j++) {
      const Wj = W + ((j * C) << 2);
      let acc = f32x4.splat(0);
      for (let i: usize = 0; i < C4; i += 4) {
        acc = f32x4.add(acc, f32x4.mul(v128.load(Wj + (i << 2)), v128.load(xn + (i << 2))));
      }
      let s = load<f32>(b + (j << 2)) + horizontalSum(acc);
      for (let i = C4; i < C; i++) s += load<f32>(Wj + (i << 2)) * load<f32>(xn + (i << 2));
      store<f32>(z + ((n * R + j) << 2), s);
    }
  }
}

// dx is (batch, cols); W is (rows, cols) row-major; delta is (batch, rows). dx = delta W
function denseBackwardInputSimd(
  dx: usize, W: usize, delta: usize, batch: i32, rows: i32, cols: i32,
): void {
  const R = <usize>rows, C = <usize>cols;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const dxn = dx + ((n * C) << 2);
    memory.fill(dxn, 0, C << 2);
    for (let j: usize = 0; j < R; j++) {
      axpy(dxn, W + ((j * C) << 2), load<f32>(delta + ((n * R + j) << 2)), C);
    }
  }
}

// nablaW is (rows, cols); nablaB is (rows); delta is (batch, rows); x is (batch, cols)
function denseBackwardParamsSimd(
  nablaW: usize, nablaB: usize, delta: usize, x: usize, batch: i32, rows: i32, cols: i32,
): void {
  const R = <usize>rows, C = <usize>cols, B = <usize>batch;
  for (let j: usize = 0; j < R; j++) {
    const gj = nablaW + ((j * C) << 2);
    let sb: f32 = 0;
    for (let n: usize = 0; n < B; n++) {
      const d = load<f32>(delta + ((n * R + j) << 2));
      sb += d;
      if (d != 0) axpy(gj, x + ((n * C) << 2), d, C);
    }
    store<f32>(nablaB + (j << 2), load<f32>(nablaB + (j << 2)) + sb);
  }
}

// y, x are (n); y += alpha x
@inline function axpy(y: usize, x: usize, alpha: f32, n: usize): void {
  const n4 = n & ~3;
  const a = f32x4.splat(alpha);
  for (let i: usize = 0; i < n4; i += 4) {
    const p = y + (i << 2);
    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(a, v128.load(x + (i << 2)))));
  }
  for (let i = n4; i < n; i++) {
    const p = y + (i << 2);
    store<f32>(p, load<f32>(p) + alpha * load<f32>(x + (i << 2)));
  }
}

@inline function horizontalSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1))
    + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

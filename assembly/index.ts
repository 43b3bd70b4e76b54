// The numeric core of wasm-mlp: pure kernels over pointers into linear memory, f32 throughout.
// Not for: allocation, state or bounds checks; the TypeScript memory plan owns every buffer
// and checks every size before a kernel runs.
//
// Layout conventions: a mini-batch is a row-major matrix with one example per row, so
// activations and deltas are (batch, width); a layer's W is (rows = width out,
// cols = width in) row-major, as in the lecture's z = W a + b.
//
// Each exported kernel dispatches at compile time: the SIMD build (--enable simd) runs the
// f32x4 path in simd.ts, the scalar build the plain twin in scalar.ts. The twins are exported
// only by the debug build (oracle.ts), which tests hold the SIMD paths against.
import {
  denseBackwardInputSimd, denseForwardSimd, denseOuterSimd, nonzeroColumnsSimd,
  adamUpdateSimd, gatherRunsSimd, momentumUpdateSimd, sigmoidPrimeMulSimd, sigmoidSimd, reduceUpdateSimd, sgdUpdateSimd, sparseForwardSimd, sparseOuterSimd,
} from './simd';
import { DELTA_FLUSH } from './shared';
import {
  gatherRunsScalar, sigmoidPrimeMulScalar, sigmoidScalar, denseForwardScalar, denseBackwardInputScalar, denseOuterScalar, nonzeroColumnsScalar, sparseForwardScalar, sparseOuterScalar, sgdUpdateScalar, reduceUpdateScalar, momentumUpdateScalar, adamUpdateScalar,
} from './scalar';

/** First byte free for the memory plan: everything below belongs to the module's data. */
export function heapBase(): usize {
  return __heap_base;
}

/** Reports whether this build uses f32x4 SIMD (the scalar build answers 0). */
export function simdEnabled(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Dense layer: forward z = W a + b and its backward parts, side by side.

// z is (batch, rows); W is (rows, cols) row-major; b is (rows); x is (batch, cols)
export function denseForward(
  z: usize, W: usize, b: usize, x: usize, batch: i32, rows: i32, cols: i32,
): void {
  if (ASC_FEATURE_SIMD) denseForwardSimd(z, W, b, x, batch, rows, cols);
  else denseForwardScalar(z, W, b, x, batch, rows, cols);
}

// dx is (batch, cols); W is (rows, cols) row-major; delta is (batch, rows). dx = delta W
// (that is W^T delta per example); overwrites dx.
export function denseBackwardInput(
  dx: usize, W: usize, delta: usize, batch: i32, rows: i32, cols: i32,
): void {
  if (ASC_FEATURE_SIMD) denseBackwardInputSimd(dx, W, delta, batch, rows, cols);
  else denseBackwardInputScalar(dx, W, delta, batch, rows, cols);
}

// nablaW is (rows, cols); nablaB is (rows); delta is (batch, rows); x is (batch, cols).
// nablaW += delta^T x and nablaB += the column sums of delta (accumulates).
export function denseBackwardParams(
  nablaW: usize, nablaB: usize, delta: usize, x: usize, batch: i32, rows: i32, cols: i32,
): void {
  if (ASC_FEATURE_SIMD) denseOuterSimd(nablaW, nablaB, delta, x, 1, true, batch, rows, cols, rows);
  else denseOuterScalar(nablaW, nablaB, delta, x, 1, true, batch, rows, cols, rows);
}

// nablaW is (rows, cols); nablaB is (rows); delta is (batch, rows); x is (batch, cols).
// nablaW = delta^T x and nablaB = the column sums of delta (overwrites: no zeroing pass needed).
export function denseGradient(
  nablaW: usize, nablaB: usize, delta: usize, x: usize, batch: i32, rows: i32, cols: i32,
): void {
  if (ASC_FEATURE_SIMD) denseOuterSimd(nablaW, nablaB, delta, x, 1, false, batch, rows, cols, rows);
  else denseOuterScalar(nablaW, nablaB, delta, x, 1, false, batch, rows, cols, rows);
}

// W is (rows, cols); b is (rows); delta is (batch, rows) with rows dstride apart (dstride >=
// rows: threads pass a range of the rows, each its own); x is (batch, cols).
// The fused gradient-descent step of one layer: W -= scale delta^T x, b -= scale sum_n delta,
// with scale = eta / batch. Equal, bit for bit, to zero + denseBackwardParams + sgdUpdate,
// without the gradient buffer's three passes over memory.
export function denseSgdStep(
  W: usize, b: usize, delta: usize, x: usize, scale: f32, batch: i32, rows: i32, cols: i32, dstride: i32,
): void {
  if (ASC_FEATURE_SIMD) denseOuterSimd(W, b, delta, x, -scale, true, batch, rows, cols, dstride);
  else denseOuterScalar(W, b, delta, x, -scale, true, batch, rows, cols, dstride);
}

// ---------------------------------------------------------------------------------------------
// Sparse input layer: MNIST images are ~81% zeros, so the first layer works from the list of each
// example's nonzero inputs, with its weights stored transposed: WT is (cols, stride), WT[i, j] =
// W[j, i], stride >= rows a multiple of 16, padding columns zero.

// list is (batch, cols) u32, vals is (batch, cols) f32, counts is (batch) u32; x is (batch, cols).
// Row n of list gets the columns i with x[n, i] != 0 in increasing order, vals the values beside
// them, counts[n] their number.
export function nonzeroColumns(list: usize, vals: usize, counts: usize, x: usize, batch: i32, cols: i32): void {
  if (ASC_FEATURE_SIMD) nonzeroColumnsSimd(list, vals, counts, x, batch, cols);
  else nonzeroColumnsScalar(list, vals, counts, x, batch, cols);
}

// list, vals, counts as nonzeroColumns; y is (batch) u8; images is (count, pixels) u8; labels is
// (count) u8; runs and starts the dataset's run table (runs.ts); indices is (batch) u32.
// The images indices[n], scaled to [0, 1], listed as nonzeroColumns lists them, read from the
// runs of nonzero pixels found once when the dataset was staged (no dense f32 batch, no scan of
// the zeros): the training and evaluation path of the first layer.
export function gatherRuns(
  list: usize, vals: usize, counts: usize, y: usize, images: usize, labels: usize, runs: usize, starts: usize, indices: usize, batch: i32, pixels: i32,
): void {
  if (ASC_FEATURE_SIMD) gatherRunsSimd(list, vals, counts, y, images, labels, runs, starts, indices, batch, pixels);
  else gatherRunsScalar(list, vals, counts, y, images, labels, runs, starts, indices, batch, pixels);
}

export { countRuns, encodeRuns } from './runs';

// z is (batch, rows) with rows zstride apart; WT is (cols, stride); b is (rows); list, vals,
// counts from nonzeroColumns. z[n, j] = (sum over the listed i, in order, of x[n, i] WT[i, j]) +
// b[j]. Threads may each pass a range of the rows starting at a multiple of 16 (z, WT and b
// moved to it).
export function sparseForward(
  z: usize, WT: usize, b: usize, vals: usize, list: usize, counts: usize,
  batch: i32, rows: i32, cols: i32, stride: i32, zstride: i32,
): void {
  if (ASC_FEATURE_SIMD) sparseForwardSimd(z, WT, b, vals, list, counts, batch, rows, cols, stride, zstride);
  else sparseForwardScalar(z, WT, b, vals, list, counts, batch, rows, cols, stride, zstride);
}

// WT is (cols, stride); g is (rows); delta is (batch, rows) with rows dstride apart; list, vals,
// counts from nonzeroColumns or gatherRuns. For each example n in order, WT[i, j] += (alpha
// delta[n, j]) x[n, i] for its nonzero columns i (straight into WT, no regrouping); g += alpha
// (sum_n delta). The same update as denseOuterScalar's W[j, i] += alpha (sum_n x[n, i]
// delta[n, j]), rounded in another order. Threads may each pass a range of the rows starting at a
// multiple of 16 (WT, g and delta moved to it): only the range's rows rounded up to 16 are written.
export function sparseOuter(
  WT: usize, g: usize, delta: usize, vals: usize, list: usize, counts: usize, alpha: f32,
  batch: i32, rows: i32, cols: i32, stride: i32, dstride: i32,
): void {
  if (ASC_FEATURE_SIMD) sparseOuterSimd(WT, g, delta, vals, list, counts, alpha, true, batch, rows, cols, stride, dstride);
  else sparseOuterScalar(WT, g, delta, vals, list, counts, alpha, true, batch, rows, cols, stride, dstride);
}

// GT is (cols, stride); g is (rows); the rest as sparseOuter. GT = delta^T x transposed (every
// column written, padding zero) and g = sum_n delta: overwrites (the kernel zeroes GT first).
export function sparseGradient(
  GT: usize, g: usize, delta: usize, vals: usize, list: usize, counts: usize,
  batch: i32, rows: i32, cols: i32, stride: i32, dstride: i32,
): void {
  if (ASC_FEATURE_SIMD) sparseOuterSimd(GT, g, delta, vals, list, counts, 1, false, batch, rows, cols, stride, dstride);
  else sparseOuterScalar(GT, g, delta, vals, list, counts, 1, false, batch, rows, cols, stride, dstride);
}

// ---------------------------------------------------------------------------------------------
// Activation: sigma and sigma' applied to a delta.

// a, z are (n); a = sigma(z) = 1 / (1 + e^-z); a may alias z
export function sigmoid(a: usize, z: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) sigmoidSimd(a, z, n);
  else sigmoidScalar(a, z, n);
}

// delta, a are (n) with a = sigma(z); delta *= sigma'(z) = a (1 - a)
export function sigmoidPrimeMul(delta: usize, a: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) sigmoidPrimeMulSimd(delta, a, n);
  else sigmoidPrimeMulScalar(delta, a, n);
}

// tanh and ReLU hidden layers (beyond the lecture). a, z are (n); a may alias z.

// a = tanh(z), as 1 - 2 / (e^(2z) + 1): the exp the sigmoid already links, no second transcendental
export function tanhForward(a: usize, z: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    store<f32>(a + (i << 2), <f32>1 - <f32>2 / (Mathf.exp(<f32>2 * load<f32>(z + (i << 2))) + <f32>1));
  }
}

// delta, a are (n) with a = tanh(z); delta *= tanh'(z) = 1 - a^2
export function tanhPrimeMul(delta: usize, a: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const s = load<f32>(a + (i << 2));
    let d = load<f32>(delta + (i << 2)) * (<f32>1 - s * s);
    if (Mathf.abs(d) < DELTA_FLUSH) d = 0;
    store<f32>(delta + (i << 2), d);
  }
}

// a = max(z, 0)
export function reluForward(a: usize, z: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const v = load<f32>(z + (i << 2));
    store<f32>(a + (i << 2), v > 0 ? v : 0);
  }
}

// delta, a are (n) with a = relu(z); delta *= relu'(z) = (a > 0 ? 1 : 0)
export function reluPrimeMul(delta: usize, a: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    let d = load<f32>(a + (i << 2)) > 0 ? load<f32>(delta + (i << 2)) : 0;
    if (Mathf.abs(d) < DELTA_FLUSH) d = 0;
    store<f32>(delta + (i << 2), d);
  }
}

// a, z are (batch, classes); a may alias z. Each row a = softmax(z) = e^(z - max) / sum e^(z - max)
export function softmaxRows(a: usize, z: usize, batch: i32, classes: i32): void {
  const K = <usize>classes;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const zn = z + ((n * K) << 2), an = a + ((n * K) << 2);
    let max = load<f32>(zn);
    for (let j: usize = 1; j < K; j++) max = Mathf.max(max, load<f32>(zn + (j << 2)));
    let sum: f32 = 0;
    for (let j: usize = 0; j < K; j++) {
      const e = Mathf.exp(load<f32>(zn + (j << 2)) - max);
      store<f32>(an + (j << 2), e);
      sum += e;
    }
    const inv = <f32>1 / sum;
    for (let j: usize = 0; j < K; j++) store<f32>(an + (j << 2), load<f32>(an + (j << 2)) * inv);
  }
}

// delta, a are (batch, classes); y is (batch) u8 labels. delta = a - y: the output delta of
// cross-entropy with sigmoid outputs and of log-likelihood with softmax outputs (sigma' cancels).
export function outputDeltaDifference(delta: usize, a: usize, y: usize, batch: i32, classes: i32): void {
  const K = <usize>classes;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const label = <usize>load<u8>(y + n);
    for (let j: usize = 0; j < K; j++) {
      const p = (n * K + j) << 2;
      store<f32>(delta + p, load<f32>(a + p) - (j == label ? <f32>1 : <f32>0));
    }
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
      if (Mathf.abs(d) < DELTA_FLUSH) d = 0;
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
  if (ASC_FEATURE_SIMD) sgdUpdateSimd(params, nabla, scale, n);
  else sgdUpdateScalar(params, nabla, scale, n);
}

// ---------------------------------------------------------------------------------------------
// Multi-threaded step: each thread accumulates its examples' gradients into its own buffer;
// the reduction sums them in thread order, so a thread count always gives the same bits.

// params is (n); grads is (count, gstride) f32: count buffers gstride floats apart.
// params -= scale * (grads[0] + grads[1] + ... + grads[count - 1]), summed in that order.
export function reduceUpdate(params: usize, grads: usize, count: i32, gstride: i32, scale: f32, n: i32): void {
  if (ASC_FEATURE_SIMD) reduceUpdateSimd(params, grads, count, gstride, scale, n);
  else reduceUpdateScalar(params, grads, count, gstride, scale, n);
}

// ---------------------------------------------------------------------------------------------
// Optimisers beyond plain SGD, and L2 weight decay. grads hold gradients summed over a batch;
// gradScale (1 / batch) turns them into the mean.

// p is (n). p *= factor (L2 weight decay: factor = 1 - eta lambda / N)
export function scaleInPlace(p: usize, factor: f32, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) store<f32>(p + (i << 2), load<f32>(p + (i << 2)) * factor);
}

// g, w are (n). g += c w (L2 folded into summed gradients: c = batch lambda / N)
export function addScaled(g: usize, w: usize, c: f32, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) store<f32>(g + (i << 2), load<f32>(g + (i << 2)) + c * load<f32>(w + (i << 2)));
}

// params, velocity, grads are (n). v = mu v - scale g; params += v (scale = eta / batch)
export function momentumUpdate(params: usize, velocity: usize, grads: usize, scale: f32, mu: f32, n: i32): void {
  if (ASC_FEATURE_SIMD) momentumUpdateSimd(params, velocity, grads, scale, mu, n);
  else momentumUpdateScalar(params, velocity, grads, scale, mu, n, 0);
}

// params, m, v, grads are (n). With g = gradScale grads: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// params -= lr m / (sqrt(v) + eps), lr already corrected for the bias of step t.
export function adamUpdate(params: usize, m: usize, v: usize, grads: usize, gradScale: f32, lr: f32, b1: f32, b2: f32, eps: f32, n: i32): void {
  if (ASC_FEATURE_SIMD) adamUpdateSimd(params, m, v, grads, gradScale, lr, b1, b2, eps, n);
  else adamUpdateScalar(params, m, v, grads, gradScale, lr, b1, b2, eps, n, 0);
}

// grads is (count, gstride): count buffers gstride floats apart. grads[0][i] = grads[0][i] +
// grads[1][i] + ... + grads[count - 1][i] for i < n, summed in that order (threads' gradients).
export function reduceInto(grads: usize, count: i32, gstride: i32, n: i32): void {
  const G = <usize>gstride << 2;
  for (let i: usize = 0; i < <usize>n; i++) {
    let s = load<f32>(grads + (i << 2));
    for (let t: usize = 1; t < <usize>count; t++) s += load<f32>(grads + t * G + (i << 2));
    store<f32>(grads + (i << 2), s);
  }
}

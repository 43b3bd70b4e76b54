// The kernels with one implementation for every build (no f32x4 path: small, or bound by
// something other than arithmetic): hidden activations beyond the sigmoid, softmax, the output
// deltas and costs, argmax, and the optimizers' helpers. Not for: dispatching (index.ts, generated
// from kernels.mjs) or anything with a SIMD path (the family files: dense.ts, sparse.ts, ...).
import { DELTA_FLUSH, hash32 } from './shared';

export function heapBase(): usize {
  return __heap_base;
}

export function simdEnabled(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

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

// p is (n) f32; p = 0
export function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

// p is (n). p *= factor (L2 weight decay: factor = 1 - eta lambda / N)
export function scaleInPlace(p: usize, factor: f32, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) store<f32>(p + (i << 2), load<f32>(p + (i << 2)) * factor);
}

// g, w are (n). g += c w (L2 folded into summed gradients: c = batch lambda / N)
export function addScaled(g: usize, w: usize, c: f32, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) store<f32>(g + (i << 2), load<f32>(g + (i << 2)) + c * load<f32>(w + (i << 2)));
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

// list, vals, counts as nonzeroColumns (batch, cols). Inverted dropout of the inputs of rows
// row0.. of an epoch: an entry (column i of row n) stays, its value times scale, where
// hash32(key, (row0 + n) cols + i) >= threshold; the others leave the list (kept entries in order).
export function dropoutLists(list: usize, vals: usize, counts: usize, batch: i32, cols: i32, key: i32, row0: i32, threshold: i32, scale: f32): void {
  const C = <u32>cols;
  for (let n: u32 = 0; n < <u32>batch; n++) {
    const base = (<u32>row0 + n) * C, ln = list + ((n * C) << 2), vn = vals + ((n * C) << 2);
    const count = load<u32>(counts + (n << 2));
    let kept: u32 = 0;
    for (let t: u32 = 0; t < count; t++) {
      const i = load<u32>(ln + (t << 2));
      if (hash32(<u32>key, base + i) < <u32>threshold) continue;
      store<u32>(ln + (kept << 2), i);
      store<f32>(vn + (kept << 2), load<f32>(vn + (t << 2)) * scale);
      kept++;
    }
    store<u32>(counts + (n << 2), kept);
  }
}

// vals, list are (batch, cols); counts, indices (batch) u32; y (batch) u8; features (count, cols)
// f32; labels (count) u8. The dense path of feature data: each example's row of features copied
// into vals as it is, listed as every column 0..cols-1 (so the first layer's kernels take it as
// they take a list of nonzero inputs), its label into y.
export function gatherFeatures(vals: usize, list: usize, counts: usize, y: usize, features: usize, labels: usize, indices: usize, batch: i32, cols: i32): void {
  const C = <usize>cols;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const k = <usize>load<u32>(indices + (n << 2));
    store<u8>(y + n, load<u8>(labels + k));
    memory.copy(vals + ((n * C) << 2), features + ((k * C) << 2), C << 2);
    const ln = list + ((n * C) << 2);
    for (let i: usize = 0; i < C; i++) store<u32>(ln + (i << 2), <u32>i);
    store<u32>(counts + (n << 2), <u32>C);
  }
}

// vals, list are (batch, cols); counts, indices (batch) u32; y (batch) u8; values (total) f32,
// columns (total) u32 and starts (count + 1) u32: the rows' nonzero features, found once when the
// dataset was staged (row k's are [starts[k], starts[k + 1])); labels (count) u8. The sparse path
// of feature data: each example's nonzeros copied as they are into list and vals, as
// nonzeroColumns lists a dense row (no scan of the zeros: the bytes read are the nonzeros').
export function gatherFeaturesSparse(vals: usize, list: usize, counts: usize, y: usize, values: usize, columns: usize, starts: usize, labels: usize, indices: usize, batch: i32, cols: i32): void {
  const C = <usize>cols;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const k = <usize>load<u32>(indices + (n << 2));
    store<u8>(y + n, load<u8>(labels + k));
    const s = <usize>load<u32>(starts + (k << 2)), c = <usize>load<u32>(starts + (k << 2), 4) - s;
    memory.copy(list + ((n * C) << 2), columns + (s << 2), c << 2);
    memory.copy(vals + ((n * C) << 2), values + (s << 2), c << 2);
    store<u32>(counts + (n << 2), <u32>c);
  }
}

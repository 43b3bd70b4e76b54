// Parameter updates over flat (n) arrays: the SGD step, the threads' reduction with the step,
// momentum and Adam, each SIMD path beside its scalar twin (lanes.ts). Not for: a layer's fused
// step (denseOuter.ts, sparseOuter.ts) or the helpers with one implementation (common.ts).
import { flushBelow } from './lanes';
import { TINY } from './shared';

// params, nabla are (n). params -= scale * nabla
export function sgdUpdateScalar(params: usize, nabla: usize, scale: f32, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const p = params + (i << 2);
    store<f32>(p, load<f32>(p) - scale * load<f32>(nabla + (i << 2)));
  }
}

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

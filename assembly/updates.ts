// Parameter updates over flat (n) arrays: the SGD step, momentum and Adam, each SIMD path beside
// its scalar twin (lanes.ts); adamLanes, Adam on four lanes, which the first layer's fused step
// shares (columns.ts). Not for: a layer's fused SGD step (denseOuter.ts, sparseOuter.ts) or the
// helpers with one implementation (common.ts).
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
  for (let o: usize = 0; o < (<usize>n << 2); o += 4) adamOne(params + o, m + o, v + o, load<f32>(grads + o), gradScale, lr, b1, b2, eps);
}

// Adam on one parameter at p, its moments at m and v, from its summed gradient
@inline export function adamOne(p: usize, m: usize, v: usize, summed: f32, gradScale: f32, lr: f32, b1: f32, b2: f32, eps: f32): void {
  const g = gradScale * summed;
  let mi = b1 * load<f32>(m) + (<f32>1 - b1) * g;
  let vi = b2 * load<f32>(v) + (<f32>1 - b2) * (g * g);
  if (Mathf.abs(mi) < TINY) mi = 0; // the moments of unused weights decay towards denormals
  if (vi < TINY) vi = 0;
  store<f32>(m, mi);
  store<f32>(v, vi);
  store<f32>(p, load<f32>(p) - lr * mi / (Mathf.sqrt(vi) + eps));
}

// adamOne on four lanes: the parameters at p, their moments at m and v, from their summed
// gradients; the constants splatted: gs = gradScale, b1, b2, c1 = 1 - b1, c2 = 1 - b2, lr, eps
@inline export function adamLanes(p: usize, m: usize, v: usize, summed: v128, gs: v128, b1: v128, b2: v128, c1: v128, c2: v128, lr: v128, eps: v128): void {
  const g = f32x4.mul(gs, summed);
  const mi = flushBelow(f32x4.add(f32x4.mul(b1, v128.load(m)), f32x4.mul(c1, g)), TINY);
  const vi = flushBelow(f32x4.add(f32x4.mul(b2, v128.load(v)), f32x4.mul(c2, f32x4.mul(g, g))), TINY);
  v128.store(m, mi);
  v128.store(v, vi);
  v128.store(p, f32x4.sub(v128.load(p), f32x4.div(f32x4.mul(lr, mi), f32x4.add(f32x4.sqrt(vi), eps))));
}

// params, m, v, grads are (n); Adam as the scalar kernel, four lanes at a time
export function adamUpdateSimd(params: usize, m: usize, v: usize, grads: usize, gradScale: f32, lr: f32, b1: f32, b2: f32, eps: f32, n: i32): void {
  const N4 = <usize>n & ~3;
  const gs = f32x4.splat(gradScale), l = f32x4.splat(lr), e = f32x4.splat(eps);
  const B1 = f32x4.splat(b1), B2 = f32x4.splat(b2), C1 = f32x4.splat(<f32>1 - b1), C2 = f32x4.splat(<f32>1 - b2);
  for (let o: usize = 0; o < N4 << 2; o += 16) adamLanes(params + o, m + o, v + o, v128.load(grads + o), gs, B1, B2, C1, C2, l, e);
  const t = N4 << 2;
  adamUpdateScalar(params + t, m + t, v + t, grads + t, gradScale, lr, b1, b2, eps, n - <i32>N4);
}

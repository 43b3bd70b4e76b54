// The hidden layers' activations with a SIMD path: the sigmoid and ReLU, and their derivatives
// applied to a delta, each SIMD path beside its scalar twin (lanes.ts), and exp4, the SIMD path's
// e^x. Not for: tanh and softmax (common.ts, one path for every build).
import { flushBelow } from './lanes';
import { DELTA_FLUSH, EXP_HI, EXP_LO, LN2_HI, LN2_LO, LOG2E, P0, P1, P2, P3, P4, P5, SIGMOID_FLUSH, sigmoidf32 } from './shared';

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

// a, z are (n); a may alias z. a = sigma(z) = 1 / (1 + e^-z)
export function sigmoidScalar(a: usize, z: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) store<f32>(a + (i << 2), sigmoidf32(load<f32>(z + (i << 2))));
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

// delta, a are (n) with a = sigma(z); delta *= sigma'(z) = a (1 - a), below DELTA_FLUSH flushed to 0
export function sigmoidPrimeMulScalar(delta: usize, a: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const s = load<f32>(a + (i << 2));
    let d = load<f32>(delta + (i << 2)) * (s * (<f32>1 - s));
    if (Mathf.abs(d) < DELTA_FLUSH) d = 0;
    store<f32>(delta + (i << 2), d);
  }
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

// a, z are (n); a may alias z. a = relu(z) = (z > 0 ? z : 0): NaN and -0 give +0. No branch: the
// signs of a layer's z are as good as random, and a mispredicted branch costs more than the loop.
export function reluForwardScalar(a: usize, z: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const v = load<f32>(z + (i << 2));
    store<f32>(a + (i << 2), select<f32>(v, 0, v > 0));
  }
}

// As reluForwardScalar, 4 at a time: pmax(0, v) = (0 < v ? v : 0), the same for NaN and -0
export function reluForwardSimd(a: usize, z: usize, n: i32): void {
  const N = <usize>n, N4 = N & ~3, zero = f32x4.splat(0);
  for (let i: usize = 0; i < N4; i += 4) v128.store(a + (i << 2), f32x4.pmax(zero, v128.load(z + (i << 2))));
  reluForwardScalar(a + (N4 << 2), z + (N4 << 2), <i32>(N - N4));
}

// delta, a are (n) with a = relu(z); delta *= relu'(z) = (a > 0 ? 1 : 0), below DELTA_FLUSH flushed to 0
export function reluPrimeMulScalar(delta: usize, a: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    let d = select<f32>(load<f32>(delta + (i << 2)), 0, load<f32>(a + (i << 2)) > 0);
    if (Mathf.abs(d) < DELTA_FLUSH) d = 0;
    store<f32>(delta + (i << 2), d);
  }
}

// As reluPrimeMulScalar, 4 at a time
export function reluPrimeMulSimd(delta: usize, a: usize, n: i32): void {
  const N = <usize>n, N4 = N & ~3, zero = f32x4.splat(0);
  for (let i: usize = 0; i < N4; i += 4) {
    const kept = v128.and(v128.load(delta + (i << 2)), f32x4.gt(v128.load(a + (i << 2)), zero));
    v128.store(delta + (i << 2), flushBelow(kept, DELTA_FLUSH));
  }
  reluPrimeMulScalar(delta + (N4 << 2), a + (N4 << 2), <i32>(N - N4));
}

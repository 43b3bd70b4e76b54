// Constants and small loops shared by the scalar and SIMD kernels, so both builds compute the
// same numbers. Nothing here is exported from the module.

/** u8 pixel to [0, 1]: x = pixel * (1 / 255), as one f32 multiply. */
export const PIXEL_SCALE: f32 = 1.0 / 255.0;

/**
 * Deltas smaller than this are flushed to zero, and sigma below it is 0 (SIGMOID_FLUSH): wasm has
 * no flush-to-zero mode and denormal arithmetic is many times slower (bench/RESULTS.md). 2^-63 is
 * the square root of the smallest normal f32, 2^-126, so the products backprop forms of two such
 * values (delta a^T, delta sigma') stay normal. Far below any f32 gradient that can move a weight.
 */
export const DELTA_FLUSH: f32 = 1.0842021724855044e-19; // 2^-63

/** Momentum's velocity and Adam's moments smaller than this are flushed to zero (as DELTA_FLUSH). */
export const TINY: f32 = 1e-30;

// g is (rows); delta is (batch, rows) with rows D apart (D >= R). g += alpha (sum over n in order
// of delta[n]); = without acc
export function biasOuter(g: usize, delta: usize, alpha: f32, acc: bool, B: usize, R: usize, D: usize): void {
  for (let j: usize = 0; j < R; j++) {
    let s: f32 = 0;
    for (let n: usize = 0; n < B; n++) s += load<f32>(delta + ((n * D + j) << 2));
    const p = g + (j << 2);
    store<f32>(p, acc ? load<f32>(p) + alpha * s : alpha * s);
  }
}

// e^x in f32 operations only (no table, no f64), so that the SIMD path (exp4 in activations.ts) does the
// very same operations 4 at a time: x = k ln2 + r with |r| <= ln2 / 2 (Cody-Waite, ln2 in two
// parts), e^r = 1 + r + r^2 p(r) with Cephes' degree-5 p, times 2^k made in the exponent bits.
// Relative error under 3e-7 (a test sweeps it). x is clamped to [EXP_LO, EXP_HI]: below, 0;
// above, +Infinity.
export const EXP_LO: f32 = -88.0;
export const EXP_HI: f32 = 88.5;
export const LOG2E: f32 = 1.44269504088896341;
export const LN2_HI: f32 = 0.693359375;
export const LN2_LO: f32 = -2.12194440e-4;
export const P0: f32 = 1.9875691500e-4;
export const P1: f32 = 1.3981999507e-3;
export const P2: f32 = 8.3334519073e-3;
export const P3: f32 = 4.1665795894e-2;
export const P4: f32 = 1.6666665459e-1;
export const P5: f32 = 5.0000001201e-1;

@inline export function expf32(v: f32): f32 {
  const x = min<f32>(max<f32>(v, EXP_LO), EXP_HI);
  const k = Mathf.floor(x * LOG2E + <f32>0.5);
  const r = x - k * LN2_HI - k * LN2_LO;
  const p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
  return (p * (r * r) + r + <f32>1) * reinterpret<f32>((<i32>k + 127) << 23);
}

// Below this z, sigma(z) < 2^-63 (DELTA_FLUSH): it is 0 instead.
export const SIGMOID_FLUSH: f32 = -43.668;

// sigma(z) = 1 / (1 + e^-z), or 0 below SIGMOID_FLUSH
@inline export function sigmoidf32(z: f32): f32 {
  return z < SIGMOID_FLUSH ? 0 : <f32>1 / (<f32>1 + expf32(-z));
}

// ---------------------------------------------------------------------------------------------
// Counter-based randomness for dropout masks and augmentation: a value is a hash of (key, index),
// so any example's mask or distortion is the same whichever thread, batch or run computes it, and
// a run resumed from a checkpoint draws what it would have drawn. The TypeScript side makes the
// keys from the seeded PRNG (one per epoch and use).

// lowbias32 (Chris Wellons) of index * golden + key: a bijection of the index for each key.
@inline export function hash32(key: u32, index: u32): u32 {
  let x = index * 0x9e3779b9 + key;
  x ^= x >> 16;
  x *= 0x7feb352d;
  x ^= x >> 15;
  x *= 0x846ca68b;
  x ^= x >> 16;
  return x;
}

// A uniform f32 in [-1, 1) from a hash: its top 24 bits times 2^-23, minus 1 (exact).
@inline export function signedUnit(h: u32): f32 {
  return <f32>(h >> 8) * <f32>1.1920928955078125e-7 - <f32>1;
}

// sin and cos of |t| <= pi / 4 by their Taylor polynomials to t^9 / t^8, in f32 operations only
// (a plain JS definition repeats them bit for bit); error below 4e-7 there.
@inline export function sinSmall(t: f32): f32 {
  const t2 = t * t;
  return t * (<f32>1 - t2 * (<f32>(1.0 / 6) - t2 * (<f32>(1.0 / 120) - t2 * (<f32>(1.0 / 5040) - t2 * <f32>(1.0 / 362880)))));
}

@inline export function cosSmall(t: f32): f32 {
  const t2 = t * t;
  return <f32>1 - t2 * (<f32>0.5 - t2 * (<f32>(1.0 / 24) - t2 * (<f32>(1.0 / 720) - t2 * <f32>(1.0 / 40320))));
}

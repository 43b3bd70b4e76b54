// Constants and small loops shared by the scalar and SIMD kernels, so both builds compute the
// same numbers. Nothing here is exported from the module.

/** u8 pixel to [0, 1]: x = pixel * (1 / 255), as one f32 multiply. */
export const PIXEL_SCALE: f32 = 1.0 / 255.0;

/**
 * Deltas smaller than this are flushed to zero: wasm has no flush-to-zero mode and denormal
 * arithmetic is many times slower (see PERFORMANCE.md); 1e-30 is far below any f32 gradient
 * that can move a weight.
 */
export const TINY: f32 = 1e-30;

// g is (rows); delta is (batch, rows). g += alpha (sum over n in order of delta[n]); = without acc
export function biasOuter(g: usize, delta: usize, alpha: f32, acc: bool, B: usize, R: usize): void {
  for (let j: usize = 0; j < R; j++) {
    let s: f32 = 0;
    for (let n: usize = 0; n < B; n++) s += load<f32>(delta + ((n * R + j) << 2));
    const p = g + (j << 2);
    store<f32>(p, acc ? load<f32>(p) + alpha * s : alpha * s);
  }
}

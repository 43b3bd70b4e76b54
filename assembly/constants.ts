// Constants shared by the scalar and SIMD kernels, so both builds compute the same numbers.

/** u8 pixel to [0, 1]: x = pixel * (1 / 255), as one f32 multiply. */
export const PIXEL_SCALE: f32 = 1.0 / 255.0;

/**
 * Deltas smaller than this are flushed to zero: wasm has no flush-to-zero mode and denormal
 * arithmetic is many times slower (see PERFORMANCE.md); 1e-30 is far below any f32 gradient
 * that can move a weight.
 */
export const TINY: f32 = 1e-30;

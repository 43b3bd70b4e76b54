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

// Regroups the per-example lists by column, keeping examples in order (a counting sort).
// scratch is (cols + 1 + 2 * batch * cols) u32: afterwards scratch[i] is the end of column i's
// entries (and the start of column i + 1's), each entry an example n in byColumn and its input
// value in byValue. Returns byColumn; byValue is byColumn + batch * cols * 4.
export function groupByColumn(scratch: usize, list: usize, vals: usize, counts: usize, B: usize, C: usize): usize {
  const start = scratch, byColumn = scratch + ((C + 1) << 2), byValue = byColumn + ((B * C) << 2);
  memory.fill(start, 0, (C + 1) << 2);
  for (let n: usize = 0; n < B; n++) {
    const ln = list + ((n * C) << 2), count = <usize>load<u32>(counts + (n << 2));
    for (let t: usize = 0; t < count; t++) {
      const p = start + ((<usize>load<u32>(ln + (t << 2)) + 1) << 2);
      store<u32>(p, load<u32>(p) + 1);
    }
  }
  for (let i: usize = 1; i <= C; i++) store<u32>(start + (i << 2), load<u32>(start + (i << 2)) + load<u32>(start + ((i - 1) << 2)));
  for (let n: usize = 0; n < B; n++) { // start[i] serves as column i's write cursor, ending at start[i + 1]
    const ln = list + ((n * C) << 2), vn = vals + ((n * C) << 2), count = <usize>load<u32>(counts + (n << 2));
    for (let t: usize = 0; t < count; t++) {
      const p = start + (<usize>load<u32>(ln + (t << 2)) << 2);
      const at = <usize>load<u32>(p);
      store<u32>(byColumn + (at << 2), <u32>n);
      store<f32>(byValue + (at << 2), load<f32>(vn + (t << 2)));
      store<u32>(p, <u32>at + 1);
    }
  }
  return byColumn;
}

// g is (rows); delta is (batch, rows). g += alpha (sum over n in order of delta[n]); = without acc
export function biasOuter(g: usize, delta: usize, alpha: f32, acc: bool, B: usize, R: usize): void {
  for (let j: usize = 0; j < R; j++) {
    let s: f32 = 0;
    for (let n: usize = 0; n < B; n++) s += load<f32>(delta + ((n * R + j) << 2));
    const p = g + (j << 2);
    store<f32>(p, acc ? load<f32>(p) + alpha * s : alpha * s);
  }
}

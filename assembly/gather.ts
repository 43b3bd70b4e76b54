// The sparse first layer's input lists: each example's nonzero inputs in increasing column and
// their values, from a dense batch (nonzeroColumns) or from the dataset's run table (gatherRuns),
// each SIMD path beside its scalar twin (lanes.ts). Not for: making the run tables (runs.ts),
// feature data (common.ts) or augmented examples (augment.ts).
import { PIXEL_SCALE } from './shared';

// list is (batch, cols) u32, vals is (batch, cols) f32, counts is (batch) u32; x is (batch, cols).
// Row n of list gets the columns i with x[n, i] != 0 in increasing order, vals the x[n, i] beside
// them, counts[n] their number.
export function nonzeroColumnsScalar(list: usize, vals: usize, counts: usize, x: usize, batch: i32, cols: i32): void {
  const C = <usize>cols;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const xn = x + ((n * C) << 2), ln = list + ((n * C) << 2), vn = vals + ((n * C) << 2);
    let count: usize = 0;
    for (let i: usize = 0; i < C; i++) {
      const v = load<f32>(xn + (i << 2));
      if (v != 0) {
        store<u32>(ln + (count << 2), <u32>i);
        store<f32>(vn + (count << 2), v);
        count++;
      }
    }
    store<u32>(counts + (n << 2), <u32>count);
  }
}

// For each 4-bit mask, the positions of its set bits as i32x4 (unused lanes 0).
const COMPRESS: usize = memory.data<u8>([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]);

// For each 4-bit mask, the bytes of its set f32 lanes moved to the front (i8x16.swizzle; 255 = zero).
const COMPACT: usize = memory.data<u8>([255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 4, 5, 6, 7, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 4, 5, 6, 7, 255, 255, 255, 255, 255, 255, 255, 255, 8, 9, 10, 11, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 8, 9, 10, 11, 255, 255, 255, 255, 255, 255, 255, 255, 4, 5, 6, 7, 8, 9, 10, 11, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255, 255, 255, 255, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255, 4, 5, 6, 7, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 255, 255, 255, 255, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

// Appends the lanes of v set in mask (4 bits) to the list at `count`: their columns i + lane to
// ln, their values to vn. Full v128 stores, of which only popcnt(mask) lanes count; the caller
// keeps count <= i, so nothing passes the row's end. Returns the new count.
@inline function appendLanes(ln: usize, vn: usize, count: usize, i: usize, mask: usize, v: v128): usize {
  v128.store(ln + (count << 2), i32x4.add(i32x4.splat(<i32>i), v128.load(COMPRESS + (mask << 4))));
  v128.store(vn + (count << 2), i8x16.swizzle(v, v128.load(COMPACT + (mask << 4))));
  return count + <usize>popcnt(mask);
}

// list, vals are (batch, cols), counts is (batch); x is (batch, cols). Branch-free: each group of
// 4 inputs becomes a 4-bit mask of its nonzero lanes, appended through the two tables.
export function nonzeroColumnsSimd(list: usize, vals: usize, counts: usize, x: usize, batch: i32, cols: i32): void {
  const C = <usize>cols, C4 = C & ~3;
  const zero = f32x4.splat(0);
  for (let n: usize = 0; n < <usize>batch; n++) {
    const xn = x + ((n * C) << 2), ln = list + ((n * C) << 2), vn = vals + ((n * C) << 2);
    let count: usize = 0;
    for (let i: usize = 0; i < C4; i += 4) {
      const v = v128.load(xn + (i << 2));
      count = appendLanes(ln, vn, count, i, <usize>i32x4.bitmask(f32x4.ne(v, zero)), v);
    }
    for (let k = C4; k < C; k++) {
      const v = load<f32>(xn + (k << 2));
      if (v != 0) { store<u32>(ln + (count << 2), <u32>k); store<f32>(vn + (count << 2), v); count++; }
    }
    store<u32>(counts + (n << 2), <u32>count);
  }
}

// list, vals are (batch, pixels), counts is (batch); y is (batch) u8; images is (count, pixels)
// u8, labels (count) u8; runs and starts the dataset's run table (runs.ts); indices is (batch)
// u32. Row n of list and vals gets image indices[n]'s nonzero pixels in order, read from its runs.
export function gatherRunsScalar(
  list: usize, vals: usize, counts: usize, y: usize, images: usize, labels: usize, runs: usize, starts: usize, indices: usize, batch: i32, pixels: i32,
): void {
  const P = <usize>pixels;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const k = <usize>load<u32>(indices + (n << 2));
    store<u8>(y + n, load<u8>(labels + k));
    const src = images + k * P, ln = list + ((n * P) << 2), vn = vals + ((n * P) << 2);
    let count: usize = 0;
    for (let r = <usize>load<u32>(starts + (k << 2)); r < <usize>load<u32>(starts + (k << 2), 4); r++) {
      const run = <usize>load<u32>(runs + (r << 2)), start = run >> 8, len = (run & 255) + 1;
      for (let o: usize = 0; o < len; o++) {
        store<u32>(ln + (count << 2), <u32>(start + o));
        store<f32>(vn + (count << 2), <f32>load<u8>(src + start + o) * PIXEL_SCALE);
        count++;
      }
    }
    store<u32>(counts + (n << 2), <u32>count);
  }
}

// Sum of touched bytes, stored so the optimiser keeps the touching loads.
let touched: u32 = 0;

// Shuffled images are cache misses and wasm has no prefetch: touching one byte per cache line of
// the batch's images and starts, then of their runs, lets the misses of all examples overlap
// instead of stalling the gather one by one.
function touchRuns(images: usize, runs: usize, starts: usize, indices: usize, B: usize, P: usize): void {
  let t: u32 = 0;
  for (let n: usize = 0; n < B; n++) {
    const k = <usize>load<u32>(indices + (n << 2)), src = images + k * P;
    t += load<u32>(starts + (k << 2));
    for (let o: usize = 0; o < P; o += 64) t += load<u8>(src + o);
  }
  for (let n: usize = 0; n < B; n++) {
    const k = <usize>load<u32>(indices + (n << 2));
    const r0 = runs + (<usize>load<u32>(starts + (k << 2)) << 2), r1 = runs + (<usize>load<u32>(starts + (k << 2), 4) << 2);
    for (let r = r0; r < r1; r += 64) t += load<u8>(r);
  }
  touched = t;
}

// As gatherRunsScalar: each image's nonzero pixels and their values, scaled, from its runs (see
// runs.ts), 8 then 4 pixels at a time. Lanes past a run's end are written too: the next run or
// the count covers them, and a run that could pass the example's row of the lists goes 1 by 1.
export function gatherRunsSimd(
  list: usize, vals: usize, counts: usize, y: usize, images: usize, labels: usize, runs: usize, starts: usize, indices: usize, batch: i32, pixels: i32,
): void {
  const P = <usize>pixels, B = <usize>batch;
  const scale = f32x4.splat(PIXEL_SCALE), lanes = i32x4(0, 1, 2, 3);
  for (let n: usize = 0; n < B; n++) {
    // touched 10 examples at a time: their ~130 lines fit in L1 until they are read
    if (n % 10 == 0) touchRuns(images, runs, starts, indices + (n << 2), min<usize>(10, B - n), P);
    const k = <usize>load<u32>(indices + (n << 2));
    store<u8>(y + n, load<u8>(labels + k));
    const src = images + k * P, ln = list + ((n * P) << 2), vn = vals + ((n * P) << 2);
    const r1 = runs + (<usize>load<u32>(starts + (k << 2), 4) << 2);
    let count: usize = 0;
    for (let r = runs + (<usize>load<u32>(starts + (k << 2)) << 2); r < r1; r += 4) {
      const run = <usize>load<u32>(r), start = run >> 8, len = (run & 255) + 1;
      if (count + len + 8 <= P) {
        // the first 8 without a loop (most runs are shorter: no branch to mispredict), then by 4
        const q = i32x4.add(i32x4.splat(<i32>start), lanes), px = i16x8.extend_low_i8x16_u(v128.load64_zero(src + start));
        const l = ln + (count << 2), v = vn + (count << 2);
        v128.store(l, q);
        v128.store(l, i32x4.add(q, i32x4.splat(4)), 16);
        v128.store(v, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(px)), scale));
        v128.store(v, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(px)), scale), 16);
        for (let o: usize = 8; o < len; o += 4) {
          const p = start + o;
          v128.store(ln + ((count + o) << 2), i32x4.add(i32x4.splat(<i32>p), lanes));
          const more = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(src + p)));
          v128.store(vn + ((count + o) << 2), f32x4.mul(f32x4.convert_i32x4_u(more), scale));
        }
      } else {
        for (let o: usize = 0; o < len; o++) {
          store<u32>(ln + ((count + o) << 2), <u32>(start + o));
          store<f32>(vn + ((count + o) << 2), <f32>load<u8>(src + start + o) * PIXEL_SCALE);
        }
      }
      count += len;
    }
    store<u32>(counts + (n << 2), <u32>count);
  }
}

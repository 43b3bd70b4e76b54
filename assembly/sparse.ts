// The sparse first layer's forward pass, from each example's nonzero inputs and W transposed: from
// the lists (sparseForward) or straight from the run tables (sparseForwardRuns), each SIMD path
// beside its scalar twin (lanes.ts). Not for: making the lists (gather.ts), the update (sparseOuter.ts).
//
// WT is (cols, stride), stride a multiple of 16. Outputs go in blocks of 32 (8 accumulators) and a
// last block of 16 (4); each lane computes exactly what the scalar kernel computes for its output.
import { madd } from './lanes';
import { PIXEL_SCALE } from './shared';

// z is (batch, rows); WT is (cols, stride); b is (rows); list, vals, counts from nonzeroColumns
export function sparseForwardScalar(
  z: usize, WT: usize, b: usize, vals: usize, list: usize, counts: usize,
  batch: i32, rows: i32, cols: i32, stride: i32, zstride: i32,
): void {
  const R = <usize>rows, C = <usize>cols, S = <usize>stride, Z = <usize>zstride;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const vn = vals + ((n * C) << 2), ln = list + ((n * C) << 2);
    const count = <usize>load<u32>(counts + (n << 2));
    for (let j: usize = 0; j < R; j++) {
      let s: f32 = 0;
      for (let t: usize = 0; t < count; t++) {
        const i = <usize>load<u32>(ln + (t << 2));
        s += load<f32>(vn + (t << 2)) * load<f32>(WT + ((i * S + j) << 2));
      }
      store<f32>(z + ((n * Z + j) << 2), s + load<f32>(b + (j << 2)));
    }
  }
}

// z is (batch, rows) with rows zstride apart; WT is (cols, stride); b is (rows); list, vals,
// counts from nonzeroColumns or gatherRuns. Only z's first rows are written: a range of rows
// starting at a multiple of 16 (z, WT and b moved to it) sums its outputs as the whole does.
export function sparseForwardSimd(
  z: usize, WT: usize, b: usize, vals: usize, list: usize, counts: usize,
  batch: i32, rows: i32, cols: i32, stride: i32, zstride: i32,
): void {
  const R = <usize>rows, C = <usize>cols, S = <usize>stride, B = <usize>batch, R16 = (R + 15) & ~15;
  // blocks of outputs outside, examples inside: a block's columns of WT (cols x 128 bytes) stay in
  // cache across the batch, where a wide layer's whole WT would not (784-800: 2.5 MB)
  let j: usize = 0;
  for (; j + 32 <= R16; j += 32) {
    for (let n: usize = 0; n < B; n++) sparseForwardBlock32(z + ((n * <usize>zstride) << 2), WT, b, vals + ((n * C) << 2), list + ((n * C) << 2), <usize>load<u32>(counts + (n << 2)), j, R, S);
  }
  for (; j < R; j += 16) {
    for (let n: usize = 0; n < B; n++) sparseForwardBlock16(z + ((n * <usize>zstride) << 2), WT, b, vals + ((n * C) << 2), list + ((n * C) << 2), <usize>load<u32>(counts + (n << 2)), j, R, S);
  }
}

// zn[j..j+32) for one example
function sparseForwardBlock32(zn: usize, WT: usize, b: usize, vn: usize, ln: usize, count: usize, j: usize, R: usize, S: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  const base = WT + (j << 2);
  for (let t: usize = 0; t < count; t++) {
    const i = <usize>load<u32>(ln + (t << 2));
    const v = f32x4.splat(load<f32>(vn + (t << 2)));
    const w = base + ((i * S) << 2);
    a0 = madd(v, v128.load(w), a0);
    a1 = madd(v, v128.load(w, 16), a1);
    a2 = madd(v, v128.load(w, 32), a2);
    a3 = madd(v, v128.load(w, 48), a3);
    a4 = madd(v, v128.load(w, 64), a4);
    a5 = madd(v, v128.load(w, 80), a5);
    a6 = madd(v, v128.load(w, 96), a6);
    a7 = madd(v, v128.load(w, 112), a7);
  }
  storeBiased16(zn, b, a0, a1, a2, a3, j, R);
  storeBiased16(zn, b, a4, a5, a6, a7, j + 16, R);
}

// zn[j..j+16) for one example
function sparseForwardBlock16(zn: usize, WT: usize, b: usize, vn: usize, ln: usize, count: usize, j: usize, R: usize, S: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  const base = WT + (j << 2);
  for (let t: usize = 0; t < count; t++) {
    const i = <usize>load<u32>(ln + (t << 2));
    const v = f32x4.splat(load<f32>(vn + (t << 2)));
    const w = base + ((i * S) << 2);
    a0 = madd(v, v128.load(w), a0);
    a1 = madd(v, v128.load(w, 16), a1);
    a2 = madd(v, v128.load(w, 32), a2);
    a3 = madd(v, v128.load(w, 48), a3);
  }
  storeBiased16(zn, b, a0, a1, a2, a3, j, R);
}

// Layer 1 of inference straight from the run tables (sparseForwardRunsSimd): z[n, j] = (sum over
// image indices[n]'s nonzero pixels p, in order, of (pixel * PIXEL_SCALE) WT[p, j]) + b[j].
export function sparseForwardRunsScalar(
  z: usize, WT: usize, b: usize, y: usize, images: usize, labels: usize, runs: usize, starts: usize, indices: usize,
  batch: i32, rows: i32, pixels: i32, stride: i32, zstride: i32,
): void {
  const R = <usize>rows, P = <usize>pixels, S = <usize>stride, Z = <usize>zstride;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const k = <usize>load<u32>(indices + (n << 2));
    store<u8>(y + n, load<u8>(labels + k));
    const src = images + k * P;
    const r0 = runs + (<usize>load<u32>(starts + (k << 2)) << 2), r1 = runs + (<usize>load<u32>(starts + (k << 2), 4) << 2);
    for (let j: usize = 0; j < R; j++) {
      let s: f32 = 0;
      for (let r = r0; r < r1; r += 4) {
        const run = <usize>load<u32>(r), start = run >> 8, end = start + (run & 255) + 1;
        for (let p = start; p < end; p++) s += (<f32>load<u8>(src + p) * PIXEL_SCALE) * load<f32>(WT + ((p * S + j) << 2));
      }
      store<f32>(z + ((n * Z + j) << 2), s + load<f32>(b + (j << 2)));
    }
  }
}

// z, WT, b as sparseForward; y, images, labels, runs, starts, indices as gatherRuns. Layer 1 of
// inference straight from the run tables, with no lists: z[n, j] = (sum over image indices[n]'s
// nonzero pixels p, in order, of (pixel * PIXEL_SCALE) WT[p, j]) + b[j], y[n] = labels[indices[n]]:
// the bits of gatherRuns then sparseForward. sparseForwardRunsScalar does the same operations.
export function sparseForwardRunsSimd(
  z: usize, WT: usize, b: usize, y: usize, images: usize, labels: usize, runs: usize, starts: usize, indices: usize,
  batch: i32, rows: i32, pixels: i32, stride: i32, zstride: i32,
): void {
  const R = <usize>rows, P = <usize>pixels, S = <usize>stride, B = <usize>batch, R16 = (R + 15) & ~15;
  for (let n: usize = 0; n < B; n++) {
    const k = <usize>load<u32>(indices + (n << 2));
    store<u8>(y + n, load<u8>(labels + k));
  }
  // blocks of outputs outside, examples inside, as sparseForwardSimd
  let j: usize = 0;
  for (; j < R; j += 32) {
    for (let n: usize = 0; n < B; n++) {
      const k = <usize>load<u32>(indices + (n << 2));
      const src = images + k * P, zn = z + ((n * <usize>zstride) << 2);
      const r0 = runs + (<usize>load<u32>(starts + (k << 2)) << 2), r1 = runs + (<usize>load<u32>(starts + (k << 2), 4) << 2);
      if (j + 32 <= R16) runsForwardBlock32(zn, WT, b, src, r0, r1, j, R, S);
      else runsForwardBlock16(zn, WT, b, src, r0, r1, j, R, S);
    }
  }
}

// zn[j..j+32) for one image, from its runs r0..r1
function runsForwardBlock32(zn: usize, WT: usize, b: usize, src: usize, r0: usize, r1: usize, j: usize, R: usize, S: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  const base = WT + (j << 2), step = S << 2;
  for (let r = r0; r < r1; r += 4) {
    const run = <usize>load<u32>(r), start = run >> 8, end = start + (run & 255) + 1;
    let w = base + start * step;
    for (let p = start; p < end; p++, w += step) {
      const v = f32x4.splat(<f32>load<u8>(src + p) * PIXEL_SCALE);
      a0 = madd(v, v128.load(w), a0);
      a1 = madd(v, v128.load(w, 16), a1);
      a2 = madd(v, v128.load(w, 32), a2);
      a3 = madd(v, v128.load(w, 48), a3);
      a4 = madd(v, v128.load(w, 64), a4);
      a5 = madd(v, v128.load(w, 80), a5);
      a6 = madd(v, v128.load(w, 96), a6);
      a7 = madd(v, v128.load(w, 112), a7);
    }
  }
  storeBiased16(zn, b, a0, a1, a2, a3, j, R);
  storeBiased16(zn, b, a4, a5, a6, a7, j + 16, R);
}

// zn[j..j+16) for one image, from its runs r0..r1
function runsForwardBlock16(zn: usize, WT: usize, b: usize, src: usize, r0: usize, r1: usize, j: usize, R: usize, S: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  const base = WT + (j << 2), step = S << 2;
  for (let r = r0; r < r1; r += 4) {
    const run = <usize>load<u32>(r), start = run >> 8, end = start + (run & 255) + 1;
    let w = base + start * step;
    for (let p = start; p < end; p++, w += step) {
      const v = f32x4.splat(<f32>load<u8>(src + p) * PIXEL_SCALE);
      a0 = madd(v, v128.load(w), a0);
      a1 = madd(v, v128.load(w, 16), a1);
      a2 = madd(v, v128.load(w, 32), a2);
      a3 = madd(v, v128.load(w, 48), a3);
    }
  }
  storeBiased16(zn, b, a0, a1, a2, a3, j, R);
}

// zn[j..j+16) = the four accumulators + b[j..j+16), only the lanes below R
@inline function storeBiased16(zn: usize, b: usize, a0: v128, a1: v128, a2: v128, a3: v128, j: usize, R: usize): void {
  storeBiased(zn, b, a0, j, R); storeBiased(zn, b, a1, j + 4, R);
  storeBiased(zn, b, a2, j + 8, R); storeBiased(zn, b, a3, j + 12, R);
}

// zn[j..j+4) = acc + b[j..j+4), only the lanes below R
@inline function storeBiased(zn: usize, b: usize, acc: v128, j: usize, R: usize): void {
  if (j + 4 <= R) {
    v128.store(zn + (j << 2), f32x4.add(acc, v128.load(b + (j << 2))));
  } else if (j < R) {
    store<f32>(zn + (j << 2), f32x4.extract_lane(acc, 0) + load<f32>(b + (j << 2)));
    if (j + 1 < R) store<f32>(zn + (j << 2), f32x4.extract_lane(acc, 1) + load<f32>(b + (j << 2), 4), 4);
    if (j + 2 < R) store<f32>(zn + (j << 2), f32x4.extract_lane(acc, 2) + load<f32>(b + (j << 2), 8), 8);
  }
}

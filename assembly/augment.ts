// Data augmentation in the mini-batch gather: each example drawn afresh, from counter-based
// randomness (hash32 of the key and the example's row in the epoch), through a random affine map
// (rotation, scale, shear, translation about the image centre) and an elastic distortion (Simard
// et al. 2003: uniform random displacement fields smoothed by a Gaussian, times alpha), resampled
// bilinearly from the u8 image and rounded to u8 levels, and listed as nonzeroColumns lists an
// image (so the sparse first layer works on it unchanged). Not for: the undistorted gather
// (gatherRuns reads the run table made once per dataset).
import { hash4 } from './lanes';
import { gaussianBlurScalar, gaussianBlurSimd } from './regularize';
import { cosSmall, hash32, PIXEL_SCALE, signedUnit, sinSmall } from './shared';

// params (f32): the largest rotation (radians, <= pi / 4), scale (a fraction), shear, shift
// (pixels), the elastic alpha (pixels), the Gaussian's radius R, then its weights w[0..R] (summing
// to 1 over -R..R).
const ROTATION = 0, SCALE = 1, SHEAR = 2, SHIFT = 3, ALPHA = 4, RADIUS = 5, WEIGHTS = 6;

// The affine map of example row r: source = M (target - centre) + centre + t, M = R(angle) Sh(shear) / s.
// Fills m[0..5] = a, b, c, d, tx, ty.
@inline function affine(m: usize, params: usize, key: u32, r: u32): void {
  const angle = load<f32>(params, ROTATION << 2) * signedUnit(hash32(key, r * 8));
  const s = <f32>1 + load<f32>(params, SCALE << 2) * signedUnit(hash32(key, r * 8 + 1));
  const shear = load<f32>(params, SHEAR << 2) * signedUnit(hash32(key, r * 8 + 2));
  const shift = load<f32>(params, SHIFT << 2);
  const cs = cosSmall(angle), sn = sinSmall(angle);
  store<f32>(m, cs / s);
  store<f32>(m, (cs * shear - sn) / s, 4);
  store<f32>(m, sn / s, 8);
  store<f32>(m, (sn * shear + cs) / s, 12);
  store<f32>(m, shift * signedUnit(hash32(key, r * 8 + 3)), 16);
  store<f32>(m, shift * signedUnit(hash32(key, r * 8 + 4)), 20);
}

// The image at img copied into pad with a border of one zero pixel all round ((rows + 2) x (cols + 2)
// u8), so that the four neighbours of any point within a pixel of the image are in it.
@inline function padImage(pad: usize, img: usize, rows: i32, cols: i32): void {
  const W = <usize>(cols + 2);
  memory.fill(pad, 0, W * <usize>(rows + 2));
  for (let y: usize = 0; y < <usize>rows; y++) memory.copy(pad + (y + 1) * W + 1, img + y * <usize>cols, <usize>cols);
}

// The elastic distortion's two uniform random fields of example row r (first index base = r P): ux[p],
// uy[p] = signedUnit(hash32(ekey, 2 (base + p))), signedUnit(hash32(ekey, 2 (base + p) + 1)); four
// pixels at a time in the SIMD build, the same integer and f32 operations.
@inline function randomFields(ux: usize, uy: usize, ekey: u32, base: u32, P: usize): void {
  let p: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const k = i32x4.splat(ekey), lanes = i32x4(0, 2, 4, 6), step = f32x4.splat(<f32>1.1920928955078125e-7), one = f32x4.splat(1);
    for (; p + 4 <= P; p += 4) {
      const even = i32x4.add(i32x4.splat((base + <u32>p) * 2), lanes);
      const hx = hash4(k, even), hy = hash4(k, i32x4.add(even, i32x4.splat(1)));
      v128.store(ux + (p << 2), f32x4.sub(f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(hx, 8)), step), one));
      v128.store(uy + (p << 2), f32x4.sub(f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(hy, 8)), step), one));
    }
  }
  for (; p < P; p++) {
    store<f32>(ux + (p << 2), signedUnit(hash32(ekey, (base + <u32>p) * 2)));
    store<f32>(uy + (p << 2), signedUnit(hash32(ekey, (base + <u32>p) * 2 + 1)));
  }
}

// The scalar loop's resampling of pixels xx..xx+3 of row yy, its coordinate and bilinear arithmetic
// four lanes at a time (the same f32 operations: bdy = b dy and ddy = d dy as the scalar loop makes
// them), the neighbours read lane by lane; the pixels kept are listed in order. Returns the count.
@inline function sample4(
  ln: usize, vn: usize, count: usize, pad: usize, W: i32, gx: usize, gy: usize, alpha: f32,
  a: f32, bdy: f32, c: f32, ddy: f32, ox: f32, oy: f32, xx: i32, yy: i32, cx: f32, cols: i32, rows: i32,
): usize {
  const p = <usize>(yy * cols + xx);
  const dx = f32x4.sub(f32x4(<f32>xx, <f32>(xx + 1), <f32>(xx + 2), <f32>(xx + 3)), f32x4.splat(cx));
  let sx = f32x4.add(f32x4.add(f32x4.mul(f32x4.splat(a), dx), f32x4.splat(bdy)), f32x4.splat(ox));
  let sy = f32x4.add(f32x4.add(f32x4.mul(f32x4.splat(c), dx), f32x4.splat(ddy)), f32x4.splat(oy));
  if (alpha != 0) {
    sx = f32x4.add(sx, f32x4.mul(f32x4.splat(alpha), v128.load(gx + (p << 2))));
    sy = f32x4.add(sy, f32x4.mul(f32x4.splat(alpha), v128.load(gy + (p << 2))));
  }
  const fx0 = f32x4.floor(sx), fy0 = f32x4.floor(sy);
  const inside = v128.and(v128.and(f32x4.gt(fx0, f32x4.splat(-2)), f32x4.lt(fx0, f32x4.splat(<f32>cols))), v128.and(f32x4.gt(fy0, f32x4.splat(-2)), f32x4.lt(fy0, f32x4.splat(<f32>rows))));
  if (!v128.any_true(inside)) return count;
  const fx = f32x4.sub(sx, fx0), fy = f32x4.sub(sy, fy0);
  // (x0, y0) in the padded image, 0 for the lanes outside (their result is not kept)
  const q = v128.and(i32x4.add(i32x4.add(i32x4.mul(i32x4.trunc_sat_f32x4_s(fy0), i32x4.splat(W)), i32x4.trunc_sat_f32x4_s(fx0)), i32x4.splat(W + 1)), inside);
  const q0 = pad + <usize>i32x4.extract_lane(q, 0), q1 = pad + <usize>i32x4.extract_lane(q, 1), q2 = pad + <usize>i32x4.extract_lane(q, 2), q3 = pad + <usize>i32x4.extract_lane(q, 3);
  const w = <usize>W;
  const p00 = f32x4(<f32>load<u8>(q0), <f32>load<u8>(q1), <f32>load<u8>(q2), <f32>load<u8>(q3));
  const p01 = f32x4(<f32>load<u8>(q0, 1), <f32>load<u8>(q1, 1), <f32>load<u8>(q2, 1), <f32>load<u8>(q3, 1));
  const p10 = f32x4(<f32>load<u8>(q0 + w), <f32>load<u8>(q1 + w), <f32>load<u8>(q2 + w), <f32>load<u8>(q3 + w));
  const p11 = f32x4(<f32>load<u8>(q0 + w, 1), <f32>load<u8>(q1 + w, 1), <f32>load<u8>(q2 + w, 1), <f32>load<u8>(q3 + w, 1));
  const top = f32x4.add(p00, f32x4.mul(fx, f32x4.sub(p01, p00))), bottom = f32x4.add(p10, f32x4.mul(fx, f32x4.sub(p11, p10)));
  const v = f32x4.floor(f32x4.add(f32x4.add(top, f32x4.mul(fy, f32x4.sub(bottom, top))), f32x4.splat(0.5)));
  const kept = v128.and(inside, f32x4.gt(v, f32x4.splat(0)));
  const val = f32x4.mul(f32x4.pmin(v, f32x4.splat(255)), f32x4.splat(PIXEL_SCALE));
  if (i32x4.extract_lane(kept, 0) != 0) { store<u32>(ln + (count << 2), <u32>p); store<f32>(vn + (count << 2), f32x4.extract_lane(val, 0)); count++; }
  if (i32x4.extract_lane(kept, 1) != 0) { store<u32>(ln + (count << 2), <u32>(p + 1)); store<f32>(vn + (count << 2), f32x4.extract_lane(val, 1)); count++; }
  if (i32x4.extract_lane(kept, 2) != 0) { store<u32>(ln + (count << 2), <u32>(p + 2)); store<f32>(vn + (count << 2), f32x4.extract_lane(val, 2)); count++; }
  if (i32x4.extract_lane(kept, 3) != 0) { store<u32>(ln + (count << 2), <u32>(p + 3)); store<f32>(vn + (count << 2), f32x4.extract_lane(val, 3)); count++; }
  return count;
}

// list, vals, counts as nonzeroColumns; y (batch) u8; images (count, rows * cols) u8; labels
// (count) u8; indices (batch) u32; params as above; scratch: 4 rows * cols + (rows + 2R) cols +
// cols + 2R + 8 floats, then 8 floats and (rows + 2)(cols + 2) bytes. Example n is image indices[n], distorted as row row0 + n of the
// epoch with `key`; the elastic fields use hash32(key, 2^32 - 1) as their key.
export function augmentGather(
  list: usize, vals: usize, counts: usize, y: usize, images: usize, labels: usize, indices: usize,
  batch: i32, rows: i32, cols: i32, row0: i32, key: i32, params: usize, scratch: usize,
): void {
  const P = <usize>(rows * cols), k = <u32>key, ekey = hash32(k, 0xffffffff);
  const cx = <f32>(cols - 1) * <f32>0.5, cy = <f32>(rows - 1) * <f32>0.5;
  const alpha = load<f32>(params, ALPHA << 2), radius = <i32>load<f32>(params, RADIUS << 2);
  const ux = scratch, uy = ux + (P << 2), gx = uy + (P << 2), gy = gx + (P << 2), m = gy + (P << 2), tmp = m + 32;
  const pad = tmp + ((<usize>((rows + 2 * radius) * cols + cols + 2 * radius + 8)) << 2), W = cols + 2;
  for (let n: usize = 0; n < <usize>batch; n++) {
    const src = <usize>load<u32>(indices + (n << 2)), r = <u32>row0 + <u32>n, img = images + src * P;
    store<u8>(y + n, load<u8>(labels + src));
    padImage(pad, img, rows, cols);
    affine(m, params, k, r);
    if (alpha != 0) {
      randomFields(ux, uy, ekey, r * <u32>P, P);
      if (ASC_FEATURE_SIMD) {
        gaussianBlurSimd(gx, ux, tmp, params + (WEIGHTS << 2), rows, cols, radius);
        gaussianBlurSimd(gy, uy, tmp, params + (WEIGHTS << 2), rows, cols, radius);
      } else {
        gaussianBlurScalar(gx, ux, tmp, params + (WEIGHTS << 2), rows, cols, radius);
        gaussianBlurScalar(gy, uy, tmp, params + (WEIGHTS << 2), rows, cols, radius);
      }
    }
    const a = load<f32>(m), b = load<f32>(m, 4), c = load<f32>(m, 8), d = load<f32>(m, 12);
    const ox = cx + load<f32>(m, 16), oy = cy + load<f32>(m, 20);
    const ln = list + ((n * P) << 2), vn = vals + ((n * P) << 2);
    let count: usize = 0;
    for (let yy: i32 = 0; yy < rows; yy++) {
      const dy = <f32>yy - cy;
      let xx: i32 = 0;
      if (ASC_FEATURE_SIMD) {
        for (; xx + 4 <= cols; xx += 4) count = sample4(ln, vn, count, pad, W, gx, gy, alpha, a, b * dy, c, d * dy, ox, oy, xx, yy, cx, cols, rows);
      }
      for (; xx < cols; xx++) {
        const p = <usize>(yy * cols + xx), dx = <f32>xx - cx;
        let sx = a * dx + b * dy + ox, sy = c * dx + d * dy + oy;
        if (alpha != 0) {
          sx += alpha * load<f32>(gx + (p << 2));
          sy += alpha * load<f32>(gy + (p << 2));
        }
        const fx0 = Mathf.floor(sx), fy0 = Mathf.floor(sy);
        if (!(fx0 > -2 && fx0 < <f32>cols && fy0 > -2 && fy0 < <f32>rows)) continue; // all four neighbours outside (or NaN)
        const fx = sx - fx0, fy = sy - fy0;
        const q = pad + <usize>((<i32>fy0 + 1) * W + <i32>fx0 + 1); // (x0, y0) in the padded image
        const p00 = <f32>load<u8>(q), p01 = <f32>load<u8>(q, 1);
        const p10 = <f32>load<u8>(q + <usize>W), p11 = <f32>load<u8>(q + <usize>W, 1);
        const top = p00 + fx * (p01 - p00), bottom = p10 + fx * (p11 - p10);
        const v = Mathf.floor(top + fy * (bottom - top) + <f32>0.5);
        if (v > 0) {
          store<u32>(ln + (count << 2), <u32>p);
          store<f32>(vn + (count << 2), min<f32>(v, 255) * PIXEL_SCALE);
          count++;
        }
      }
    }
    store<u32>(counts + (n << 2), <u32>count);
  }
}

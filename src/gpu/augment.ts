// Data augmentation on the GPU, as the wasm kernel augmentGather defines it (assembly/augment.ts,
// the same counter-based hashes, polynomials and order of every sum): the elastic distortion's two
// random fields, their Gaussian blur along x then y, then each pixel's affine map and displacement,
// bilinear resampling from the u8 image, its u8 level scaled to [0, 1], then input dropout. Rows of
// the GPU kernel table (kernels.ts). Not for: the plain gather (kernels.ts).
import { DROPOUT_CODE, type GpuKernel } from './wgsl.js';

/** u32 hash to a uniform f32 in [-1, 1) (shared.ts signedUnit); sin and cos of |t| <= pi / 4 by their Taylor polynomials (shared.ts). */
const POLYNOMIALS = /* wgsl */ `
fn signedUnit(h: u32) -> f32 { return f32(h >> 8u) * 1.1920928955078125e-7 - 1.0; }
fn sinSmall(t: f32) -> f32 {
  let t2 = t * t;
  return t * (1.0 - t2 * (1.0 / 6.0 - t2 * (1.0 / 120.0 - t2 * (1.0 / 5040.0 - t2 * (1.0 / 362880.0)))));
}
fn cosSmall(t: f32) -> f32 {
  let t2 = t * t;
  return 1.0 - t2 * (0.5 - t2 * (1.0 / 24.0 - t2 * (1.0 / 720.0 - t2 * (1.0 / 40320.0))));
}
`;

/** The augmentation's parameters (core/regularize.ts augmentParams): rotation, scale, shear, shift, alpha, radius, then the Gaussian's weights. */
const PARAMS = 'aug';

export const AUGMENT_KERNELS: readonly GpuKernel[] = [
  {
    name: 'augmentFields',
    wasm: ['augmentGather'],
    doc: 'fields is (m, 2, pixels). The elastic distortion\'s uniform random fields of the epoch\'s rows row0 + n: ux, uy = signedUnit(hash32(ekey, 2 (r pixels + p))) and of 2 (r pixels + p) + 1, with ekey = hash32(key, 2^32 - 1).',
    buffers: ['fields:rw', 'keys:u32'],
    args: ['pixels'],
    workgroup: [64, 1],
    code: () => /* wgsl */ `${POLYNOMIALS}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let n = g.y;
  let p = g.x;
  let P = args.pixels;
  if (n >= step.m || p >= P) { return; }
  let ekey = hash32(keys[0], 0xffffffffu);
  let i = ((step.row0 + n) * P + p) * 2u;
  fields[n * 2u * P + p] = signedUnit(hash32(ekey, i));
  fields[n * 2u * P + P + p] = signedUnit(hash32(ekey, i + 1u));
}`,
  },
  {
    name: 'augmentBlur',
    wasm: ['gaussianBlur'],
    doc: 'source, blurred are (m, 2, rows, cols); aug the parameters. blurred = source convolved with the Gaussian w[|k|] along x (args.vertical 0) or y (1), zero outside, each output summing k = -radius..radius in order.',
    buffers: ['source', 'blurred:rw', PARAMS],
    args: ['rows', 'cols', 'vertical'],
    workgroup: [64, 1],
    code: () => /* wgsl */ `
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let n = g.y;
  let P = args.rows * args.cols;
  if (n >= step.m || g.x >= 2u * P) { return; }
  let field = n * 2u * P + (g.x / P) * P;
  let y = i32((g.x % P) / args.cols);
  let x = i32(g.x % args.cols);
  let K = i32(aug[5]);
  var s = 0.0;
  for (var k = -K; k <= K; k++) {
    let yy = select(y, y + k, args.vertical == 1u);
    let xx = select(x + k, x, args.vertical == 1u);
    var v = 0.0;
    if (xx >= 0 && xx < i32(args.cols) && yy >= 0 && yy < i32(args.rows)) { v = source[field + u32(yy) * args.cols + u32(xx)]; }
    s += aug[6 + abs(k)] * v;
  }
  blurred[field + g.x % P] = s;
}`,
  },
  {
    name: 'augmentSample',
    wasm: ['augmentGather', 'dropoutLists'],
    doc: 'x is (m, rows cols); y (m) u32; images, labels, indices, keys as gather; fields the blurred fields; aug the parameters. Pixel p of example n (image indices[row0 + n], row r = row0 + n): source = M (p - centre) + centre + t + alpha (gx, gy)[p], M and t from hash32(key, 8 r + 0..4); the bilinear value of the u8 image there, rounded to a level, scaled to [0, 1], then dropped as dropoutLists drops inputs.',
    buffers: ['x:rw', 'y:u32:rw', 'images:u32', 'labels:u32', 'indices:u32', 'keys:u32', 'fields', PARAMS],
    args: ['rows', 'cols', 'threshold', 'scale:f32'],
    workgroup: [64, 1],
    code: () => /* wgsl */ `${POLYNOMIALS}${DROPOUT_CODE}
fn pixel(base: u32, x: i32, y: i32) -> f32 {
  if (x < 0 || x >= i32(args.cols) || y < 0 || y >= i32(args.rows)) { return 0.0; }
  let byte = base + u32(y) * args.cols + u32(x);
  return f32((images[byte / 4u] >> ((byte % 4u) * 8u)) & 255u);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let n = g.y;
  let p = g.x;
  let P = args.rows * args.cols;
  if (n >= step.m || p >= P) { return; }
  let r = step.row0 + n;
  let src = indices[r];
  let key = keys[0];
  let angle = aug[0] * signedUnit(hash32(key, r * 8u));
  let s = 1.0 + aug[1] * signedUnit(hash32(key, r * 8u + 1u));
  let shear = aug[2] * signedUnit(hash32(key, r * 8u + 2u));
  let cs = cosSmall(angle);
  let sn = sinSmall(angle);
  let a = cs / s;
  let b = (cs * shear - sn) / s;
  let c = sn / s;
  let d = (sn * shear + cs) / s;
  let cx = f32(args.cols - 1u) * 0.5;
  let cy = f32(args.rows - 1u) * 0.5;
  let ox = cx + aug[3] * signedUnit(hash32(key, r * 8u + 3u));
  let oy = cy + aug[3] * signedUnit(hash32(key, r * 8u + 4u));
  let dx = f32(p % args.cols) - cx;
  let dy = f32(p / args.cols) - cy;
  var sx = a * dx + b * dy + ox;
  var sy = c * dx + d * dy + oy;
  let alpha = aug[4];
  if (alpha != 0.0) {
    sx += alpha * fields[n * 2u * P + p];
    sy += alpha * fields[n * 2u * P + P + p];
  }
  let fx0 = floor(sx);
  let fy0 = floor(sy);
  var v = 0.0;
  if (fx0 > -2.0 && fx0 < f32(args.cols) && fy0 > -2.0 && fy0 < f32(args.rows)) {
    let fx = sx - fx0;
    let fy = sy - fy0;
    let ix = i32(fx0);
    let iy = i32(fy0);
    let base = src * P;
    let p00 = pixel(base, ix, iy);
    let p01 = pixel(base, ix + 1, iy);
    let p10 = pixel(base, ix, iy + 1);
    let p11 = pixel(base, ix + 1, iy + 1);
    let top = p00 + fx * (p01 - p00);
    let bottom = p10 + fx * (p11 - p10);
    let level = floor(top + fy * (bottom - top) + 0.5);
    if (level > 0.0) { v = min(level, 255.0) * PIXEL_SCALE; }
  }
  x[n * P + p] = dropped(v, keys[1], r, P, p, args.threshold, args.scale);
  if (p == 0u) { y[n] = labels[src]; }
}`,
  },
];

// Plain JS definitions of the regularisation kernels' operations (assembly/shared.ts, augment.ts,
// regularize.ts): the counter-based hash, dropout's keep rule, the Gaussian blur and the whole
// augmentation of one image, in f32 steps. The oracle the wasm kernels (test/regularize.test.ts)
// and the WebGPU kernels (test/browser/webgpu-regularize.test.ts) are held against.

const fr = Math.fround;

export function hash32(key: number, index: number): number {
  let x = (Math.imul(index, 0x9e3779b9) + key) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}
export const signedUnit = (h: number) => fr((h >>> 8) * 2 ** -23) - 1;
export function sinSmall(t: number): number {
  const t2 = fr(t * t);
  let r = fr(fr(1 / 5040) - fr(t2 * fr(1 / 362880)));
  r = fr(fr(1 / 120) - fr(t2 * r));
  r = fr(fr(1 / 6) - fr(t2 * r));
  return fr(t * fr(1 - fr(t2 * r)));
}
export function cosSmall(t: number): number {
  const t2 = fr(t * t);
  let r = fr(fr(1 / 720) - fr(t2 * fr(1 / 40320)));
  r = fr(fr(1 / 24) - fr(t2 * r));
  r = fr(0.5 - fr(t2 * r));
  return fr(1 - fr(t2 * r));
}
export const threshold = (p: number) => Math.min(Math.round(p * 2 ** 32), 2 ** 32 - 1) >>> 0;
export const kept = (key: number, index: number, p: number) => hash32(key >>> 0, index >>> 0) >= threshold(p);

/** The separable blur of gaussianBlur: zero outside, sums in order of k. */
export function blur(field: Float32Array, rows: number, cols: number, w: Float32Array, K: number): Float32Array {
  const tmp = new Float32Array(rows * cols);
  const out = new Float32Array(rows * cols);
  const at = (a: Float32Array, y: number, x: number) => (y >= 0 && y < rows && x >= 0 && x < cols ? a[y * cols + x] : 0);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      let s = 0;
      for (let k = -K; k <= K; k++) s = fr(s + fr(w[Math.abs(k)] * at(field, y, x + k)));
      tmp[y * cols + x] = s;
    }
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      let s = 0;
      for (let k = -K; k <= K; k++) s = fr(s + fr(w[Math.abs(k)] * at(tmp, y + k, x)));
      out[y * cols + x] = s;
    }
  return out;
}

/** The u8 level of every output pixel of image `img` distorted as row r with `key` (augment.ts). */
export function augmentReference(img: Uint8Array, rows: number, cols: number, r: number, key: number, params: Float32Array): Uint8Array {
  const P = rows * cols;
  const u = (k: number) => signedUnit(hash32(key >>> 0, (Math.imul(r, 8) + k) >>> 0));
  const angle = fr(params[0] * u(0));
  const s = fr(1 + fr(params[1] * u(1)));
  const shear = fr(params[2] * u(2));
  const cs = cosSmall(angle);
  const sn = sinSmall(angle);
  const [a, b, c, d] = [fr(cs / s), fr(fr(fr(cs * shear) - sn) / s), fr(sn / s), fr(fr(fr(sn * shear) + cs) / s)];
  const [tx, ty] = [fr(params[3] * u(3)), fr(params[3] * u(4))];
  const alpha = params[4];
  const K = params[5];
  let gx: Float32Array = new Float32Array(P);
  let gy: Float32Array = new Float32Array(P);
  if (alpha !== 0) {
    const ekey = hash32(key >>> 0, 0xffffffff);
    const ux = Float32Array.from({ length: P }, (_, p) => signedUnit(hash32(ekey, ((Math.imul(r, P) + p) * 2) >>> 0)));
    const uy = Float32Array.from({ length: P }, (_, p) => signedUnit(hash32(ekey, ((Math.imul(r, P) + p) * 2 + 1) >>> 0)));
    const w = params.subarray(6, 6 + K + 1);
    gx = blur(ux, rows, cols, w, K);
    gy = blur(uy, rows, cols, w, K);
  }
  const cx = fr((cols - 1) * 0.5);
  const cy = fr((rows - 1) * 0.5);
  const [ox, oy] = [fr(cx + tx), fr(cy + ty)];
  const px = (x: number, y: number) => (x >= 0 && x < cols && y >= 0 && y < rows ? img[y * cols + x] : 0);
  const out = new Uint8Array(P);
  for (let yy = 0; yy < rows; yy++) {
    const dy = fr(yy - cy);
    for (let xx = 0; xx < cols; xx++) {
      const p = yy * cols + xx;
      const dx = fr(xx - cx);
      let sx = fr(fr(fr(a * dx) + fr(b * dy)) + ox);
      let sy = fr(fr(fr(c * dx) + fr(d * dy)) + oy);
      if (alpha !== 0) {
        sx = fr(sx + fr(alpha * gx[p]));
        sy = fr(sy + fr(alpha * gy[p]));
      }
      const [fx0, fy0] = [Math.floor(sx), Math.floor(sy)];
      if (!(fx0 > -2 && fx0 < cols && fy0 > -2 && fy0 < rows)) continue;
      const [fx, fy] = [fr(sx - fx0), fr(sy - fy0)];
      const [p00, p01, p10, p11] = [px(fx0, fy0), px(fx0 + 1, fy0), px(fx0, fy0 + 1), px(fx0 + 1, fy0 + 1)];
      const top = fr(p00 + fr(fx * fr(p01 - p00)));
      const bottom = fr(p10 + fr(fx * fr(p11 - p10)));
      out[p] = Math.min(Math.floor(fr(fr(top + fr(fy * fr(bottom - top))) + 0.5)), 255);
    }
  }
  return out;
}

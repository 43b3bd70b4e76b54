// PNG files of digits for the CLI's `predict`: decoded with pngjs (any size, grey, palette or
// colour, 8 or 16 bit), ink found whichever way round it is drawn, then preprocessed the MNIST
// way. Not for: browsers (pages read canvases; see preprocess.ts).
import { PNG } from 'pngjs';
import { ImageFormatError } from '../core/errors.js';
import { greyFromRgba, mnistify } from '../data/preprocess.js';

/** Largest image accepted, in pixels: a corrupt header cannot make us allocate gigabytes. */
export const MAX_PNG_PIXELS = 1 << 24;

/** 784 inputs in [0, 1] from PNG bytes: dark ink on a light background or light on dark, found by the mean brightness. */
export function pngToInput(bytes: Uint8Array, name = 'PNG'): Float32Array {
  let png: PNG;
  try {
    if (bytes.length >= 24 && bytes[12] === 0x49 && bytes[13] === 0x48) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const pixels = view.getUint32(16) * view.getUint32(20);
      if (pixels > MAX_PNG_PIXELS) throw new ImageFormatError(`${name}: ${view.getUint32(16)} x ${view.getUint32(20)} pixels is more than the ${MAX_PNG_PIXELS} accepted`);
    }
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (cause) {
    if (cause instanceof ImageFormatError) throw cause;
    throw new ImageFormatError(`${name}: not a readable PNG (${(cause as Error)?.message ?? cause})`, { cause });
  }
  const { width, height, data } = png;
  let luma = 0;
  let weight = 0;
  for (let i = 0; i < width * height; i++) {
    const a = data[4 * i + 3] / 255;
    luma += a * ((0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2]) / 255);
    weight += a;
  }
  const lightInk = weight > 0 && luma / weight < 0.5; // a dark background: the digit is the light part
  return mnistify(greyFromRgba(data, width, height, lightInk));
}

// MNIST-style preprocessing: crop, fit 20x20, centre of mass at the centre; a digit drawn big and
// off-centre comes back as the network expects it.
import { describe, expect, it } from 'vitest';
import { sliceDataset } from '../src/data/dataset.js';
import { Network } from '../src/core/network.js';
import { loadMnist } from '../src/node.js';
import { greyFromRgba, mnistify } from '../src/data/preprocess.js';
import { train } from '../src/train/train.js';

/** MNIST image k scaled by `s` (nearest) into a width x height field at (ox, oy). */
function blowUp(images: Uint8Array, k: number, s: number, width: number, height: number, ox: number, oy: number) {
  const data = new Float32Array(width * height);
  for (let y = 0; y < 28 * s; y++) for (let x = 0; x < 28 * s; x++) data[(oy + y) * width + ox + x] = images[k * 784 + Math.floor(y / s) * 28 + Math.floor(x / s)] / 255;
  return { width, height, data };
}

describe('mnistify', () => {
  it('fits the ink in 20x20 and puts its centre of mass at the centre', () => {
    const data = new Float32Array(300 * 200);
    for (let y = 20; y < 180; y++) for (let x = 200; x < 240; x++) data[y * 300 + x] = 1; // a tall bar
    const out = mnistify({ width: 300, height: 200, data });
    let mass = 0, mx = 0, my = 0, x0 = 28, x1 = -1, y0 = 28, y1 = -1;
    out.forEach((v, i) => {
      const x = i % 28, y = Math.floor(i / 28);
      mass += v; mx += v * (x + 0.5); my += v * (y + 0.5);
      if (v > 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    });
    expect(y1 - y0 + 1).toBe(20);
    expect(x1 - x0 + 1).toBe(5);
    expect(Math.abs(mx / mass - 14.5)).toBeLessThanOrEqual(0.5); // MNIST's mean: pixel (14, 14), centre 14.5
    expect(Math.abs(my / mass - 14.5)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...out)).toBeLessThanOrEqual(1);
  });

  it('returns zeros for an empty image and rejects bad sizes', () => {
    expect(mnistify({ width: 5, height: 5, data: new Float32Array(25) }).every((v) => v === 0)).toBe(true);
    expect(() => mnistify({ width: 5, height: 5, data: new Float32Array(24) })).toThrow(RangeError);
  });

  it('reads ink from RGBA: dark on light, or light on dark', () => {
    const rgba = Uint8ClampedArray.from([0, 0, 0, 255, 255, 255, 255, 255]);
    expect(Array.from(greyFromRgba(rgba, 2, 1).data)).toEqual([1, 0]);
    expect(Array.from(greyFromRgba(rgba, 2, 1, true).data)).toEqual([0, 1]);
  });

  it('MNIST test digits drawn 5x bigger and off-centre keep their predicted class', async () => {
    const { train: data, test } = await loadMnist();
    const net = await Network.create({ sizes: [784, 30, 10], seed: 1, init: 'scaled' });
    await train(net, sliceDataset(data, 0, 10000), { epochs: 2 });
    let same = 0;
    const n = 200;
    for (let k = 0; k < n; k++) {
      const original = Float32Array.from(test.images.subarray(k * 784, (k + 1) * 784), (v) => v / 255);
      const drawn = mnistify(blowUp(test.images, k, 5, 220, 200, 30 + (k % 50), 40 - (k % 30)));
      if (net.predict(original)[0] === net.predict(drawn)[0]) same++;
    }
    expect(same / n).toBeGreaterThanOrEqual(0.9);
  });
});

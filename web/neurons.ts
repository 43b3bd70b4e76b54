// The hidden-layer view: the incoming weights of the first hidden layer's neurons (at most 100),
// each drawn as a 28 x 28 image, red positive and blue negative. Not for: choosing the network.
import type { Network } from 'wasm-mlp';
import { $ } from './dom.js';

export function drawNeurons(net: Network): void {
  const box = $('neurons');
  const W = net.weights(1);
  const rows = net.sizes[1];
  const shown = Math.min(rows, 100);
  while (box.children.length > shown) box.lastChild!.remove();
  while (box.children.length < shown) {
    const c = document.createElement('canvas');
    c.width = c.height = 28;
    box.appendChild(c);
  }
  for (let j = 0; j < shown; j++) {
    const row = W.subarray(j * 784, (j + 1) * 784);
    let max = 1e-9;
    for (const v of row) max = Math.max(max, Math.abs(v));
    const canvas = box.children[j] as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = row[i] / max;
      img.data[4 * i] = v > 0 ? 255 : Math.round(255 * (1 + v));
      img.data[4 * i + 1] = Math.round(255 * (1 - Math.abs(v)));
      img.data[4 * i + 2] = v < 0 ? 255 : Math.round(255 * (1 - v));
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    canvas.title = `hidden neuron ${j + 1}`;
  }
}

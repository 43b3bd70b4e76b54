// Dropout, max-norm and augmentation on the GPU (Chromium on SwiftShader), held against the
// definitions the wasm kernels are held against (test/support/regularize.ts, the float64
// reference with dropout masks): the augmented inputs of a training step against the JS
// definition of every distortion, one SGD step with input and hidden dropout against the
// reference with the same masks, max-norm's bound and the wasm build's parameters, and an
// augmented, dropped, max-normed run repeating its bits.
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/core/network.js';
import { Rng } from '../../src/core/random.js';
import { augmentParams, epochKeys, type AugmentOptions } from '../../src/core/regularize.js';
import { createDataset, sliceDataset } from '../../src/data/dataset.js';
import { loadMnist } from '../../src/node.js';
import { train } from '../../src/train/train.js';
import { expectClose } from '../helpers.js';
import { ReferenceNetwork, type DropoutMask } from '../support/reference.js';
import { augmentReference, kept } from '../support/regularize.js';
import { examples, onGpu, scaled, useGpuPage, type PageGlobals } from './gpu-page.js';

const gp = useGpuPage();
const fr = Math.fround;

describe('augmentation on the GPU', () => {
  const AFFINE = { rotation: 12, scale: 0.12, shear: 0.2, shift: 2.5 };
  const ELASTIC = { alpha: 34, sigma: 4 };

  it.each([{ affine: AFFINE }, { elastic: ELASTIC }, { affine: AFFINE, elastic: ELASTIC }])('a training step\'s inputs are the JS definition\'s distortions: %o', async (augment: AugmentOptions) => {
    const data = sliceDataset((await loadMnist()).test, 0, 40);
    const [seed, epoch, row0, m] = [3, 2, 5, 12];
    const indices = Array.from({ length: 40 }, (_, i) => (i * 7) % 40);
    const got = await gp().page.evaluate(
      async ({ images, labels, augment, seed, epoch, indices, row0, m }) => {
        const { lib, gpu } = window as unknown as PageGlobals;
        const net = await lib.Network.create({ sizes: [784, 10, 10], kernels: 'webgpu' });
        const data = lib.createDataset({ images: Uint8Array.from(images), labels: Uint8Array.from(labels), rows: 28, cols: 28, classes: 10 });
        const run = await gpu.GpuRun.start(net, data, { batchSize: m, seed, augment, step: { optimizer: 'sgd', momentum: 0, beta1: 0, beta2: 0, epsilon: 1, decayPerExample: 0 } });
        const x = await run.inputs(epoch, Uint32Array.from(indices), row0, m);
        await run.close();
        return Array.from(x, (v) => Math.round(v * 255));
      },
      { images: Array.from(data.images), labels: Array.from(data.labels), augment, seed, epoch, indices, row0, m },
    );
    const key = epochKeys(seed, epoch, 2).augment;
    const params = augmentParams(augment);
    // on SwiftShader every level is the definition's (a GPU that fuses multiply-adds may land a level away)
    for (let n = 0; n < m; n++) {
      const k = indices[row0 + n];
      const want = augmentReference(data.images.subarray(k * 784, (k + 1) * 784), 28, 28, row0 + n, key, params);
      expect(got.slice(n * 784, (n + 1) * 784), `example ${n} (image ${k}, row ${row0 + n})`).toEqual(Array.from(want));
    }
  });
});

describe('dropout and max-norm on the GPU', () => {
  it('one SGD step with input and hidden dropout equals the reference\'s with the same masks', async () => {
    const sizes = [12, 9, 7, 5];
    const rates = [0.2, 0.5, 0.25];
    const m = 6;
    const { images, labels } = examples(41, m, 12, 5);
    const [seed, eta] = [5, 2];
    const gpu = await onGpu(gp(), { net: { sizes, seed: 4, activation: 'relu', init: 'he' }, images, labels, rows: 3, cols: 4, classes: 5, train: { epochs: 1, batchSize: m, eta, seed, dropout: rates } });
    // the batch's row n is example order[n] of epoch 1's shuffle; its masks are row n's
    const order = Uint32Array.from({ length: m }, (_, i) => i);
    new Rng(seed, 1).shuffle(order);
    const keys = epochKeys(seed, 1, 3).dropout;
    const x = scaled(images);
    const xs = new Float64Array(m * 12);
    order.forEach((k, n) => xs.set(x.subarray(k * 12, (k + 1) * 12).map((v, i) => (kept(keys[0], n * 12 + i, rates[0]) ? fr(v * fr(1 / (1 - rates[0]))) : 0)), n * 12));
    const masks = (n: number): DropoutMask => (l, j) => (kept(keys[l], n * sizes[l] + j, rates[l]) ? fr(1 / (1 - rates[l])) : 0);
    const ref = new ReferenceNetwork(sizes, gpu.before, { activation: 'relu' });
    const g = ref.batchGradients(xs, Array.from(order, (k) => labels[k]), masks);
    ref.W.forEach((w, l) => w.forEach((_, i) => (w[i] -= (eta / m) * g.nablaW[l][i])));
    ref.b.forEach((b, l) => b.forEach((_, i) => (b[i] -= (eta / m) * g.nablaB[l][i])));
    expectClose(gpu.after, ref.parameters(), 'parameters after one step with dropout', 1e-5, 1e-4);
    expect(gpu.after).not.toEqual(gpu.before);
  });

  it('max-norm holds the hidden units\' incoming weights at norm <= c, as the wasm build trains them', async () => {
    const sizes = [30, 40, 20, 10];
    const { images, labels } = examples(43, 120, 30, 10);
    const options = { epochs: 2, batchSize: 20, eta: 0.5, seed: 6, maxNorm: 0.8 };
    const gpu = await onGpu(gp(), { net: { sizes, seed: 6, activation: 'relu', init: 'he' }, images, labels, rows: 5, cols: 6, classes: 10, train: options });
    const net = await Network.create({ sizes, seed: 6, activation: 'relu', init: 'he', kernels: 'simd' });
    await train(net, createDataset({ images: Uint8Array.from(images), labels: Uint8Array.from(labels), rows: 5, cols: 6, classes: 10 }), options);
    expectClose(gpu.after, net.getParameters(), 'parameters with max-norm, webgpu vs wasm', 1e-5, 1e-3);
    const p = Float32Array.from(gpu.after);
    net.setParameters(p);
    let capped = 0;
    for (const l of [1, 2]) {
      const W = net.weights(l);
      const cols = sizes[l - 1];
      for (let j = 0; j < sizes[l]; j++) {
        const norm = Math.hypot(...W.subarray(j * cols, (j + 1) * cols));
        expect(norm).toBeLessThanOrEqual(0.8 * (1 + 1e-5));
        if (norm > 0.8 * (1 - 1e-4)) capped++;
      }
    }
    expect(capped).toBeGreaterThan(0); // the bound was reached, not merely respected
  });

  it('a run with dropout, max-norm and augmentation repeats its bits and trains as the wasm build does', async () => {
    const data = sliceDataset((await loadMnist()).train, 0, 64);
    const reg = { dropout: [0.2, 0.5], maxNorm: 2, augment: { affine: { rotation: 10, scale: 0.1, shear: 0.1, shift: 2 }, elastic: { alpha: 20, sigma: 3 } } };
    const net = { sizes: [784, 24, 10], seed: 2, activation: 'relu' as const, init: 'he' as const };
    const options = { epochs: 2, batchSize: 16, eta: 0.1, seed: 2, ...reg };
    const run = () => onGpu(gp(), { net, images: Array.from(data.images), labels: Array.from(data.labels), rows: 28, cols: 28, classes: 10, train: options });
    const [a, b] = [await run(), await run()];
    expect(b.after).toEqual(a.after);
    const wasm = await Network.create({ ...net, kernels: 'simd' });
    await train(wasm, data, options);
    expectClose(a.after, wasm.getParameters(), 'parameters, webgpu vs wasm, regularised', 1e-5, 1e-3);
  });
});

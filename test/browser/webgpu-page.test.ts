// kernels 'webgpu' as a page uses it, in Chromium on SwiftShader: a short MNIST run trained and
// evaluated on the GPU reaches the wasm build's accuracy (within 0.3 points) after the same
// epochs, repeats its bits, trains in a RemoteNetwork worker too, and without WebGPU (Chromium
// launched without its flags) Network.create says what is missing. Not for: the kernels against
// the reference (webgpu.test.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { preview } from 'vite';
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/core/network.js';
import { sliceDataset } from '../../src/data/dataset.js';
import { loadMnist } from '../../src/node.js';
import { train } from '../../src/train/train.js';
import { evaluate } from '../../src/train/evaluate.js';
import { openGpuPage, useGpuPage, type PageGlobals } from './gpu-page.js';
import { launchBrowser, newPage } from './launch.js';

/** The run both builds make: 784-30-10 (ReLU, softmax), Adam, the first 4,000 training images, 2 epochs, tested on the first 5,000 test images. */
const RUN = { sizes: [784, 30, 10], examples: 4000, tested: 5000, epochs: 2, batchSize: 100, seed: 3 };
const OPTIONS = { epochs: RUN.epochs, batchSize: RUN.batchSize, eta: 0.005, seed: RUN.seed, optimizer: 'adam' as const };
const NET = { sizes: RUN.sizes, seed: RUN.seed, activation: 'relu' as const, init: 'he' as const, cost: 'log-likelihood' as const };

describe('kernels webgpu in a page', () => {
  const gp = useGpuPage();

  it('trains MNIST on the GPU to the wasm build\'s accuracy within 0.3 points, and repeats its bits', async () => {
    const page = await gp().page.evaluate(async ({ r, net: options, train: trainOptions }) => {
      const { lib } = window as unknown as PageGlobals;
      const [all, test] = await Promise.all([
        lib.fetchDataset('/mnist/train-images-idx3-ubyte', '/mnist/train-labels-idx1-ubyte'),
        lib.fetchDataset('/mnist/t10k-images-idx3-ubyte', '/mnist/t10k-labels-idx1-ubyte'),
      ]);
      const data = lib.sliceDataset(all, 0, r.examples);
      const tested = lib.sliceDataset(test, 0, r.tested);
      // the second run stops after epoch 1: the same bits as the first's at its end (a hook brings them back)
      const runs = [];
      for (const epochs of [r.epochs, 1]) {
        const net = await lib.Network.create({ ...options, kernels: 'webgpu' });
        let first: number[] = [];
        const { history } = await lib.train(net, data, { ...trainOptions, epochs, test: tested, onEpochEnd: (m) => void (m.epoch === 1 && (first = Array.from(net.getParameters()))) });
        runs.push({ history, first, cpu: lib.evaluate(net, tested).accuracy });
      }
      return runs;
    }, { r: RUN, net: NET, train: OPTIONS });
    const [a, b] = page;
    expect(b.first).toEqual(a.first);
    expect(b.history[0].trainCost).toBe(a.history[0].trainCost);
    const { train: all, test } = await loadMnist();
    const net = await Network.create(NET);
    const tested = sliceDataset(test, 0, RUN.tested);
    const { history } = await train(net, sliceDataset(all, 0, RUN.examples), { ...OPTIONS, test: tested });
    const gpuAccuracy = a.history[RUN.epochs - 1].testAccuracy;
    const wasmAccuracy = history[RUN.epochs - 1].testAccuracy;
    expect(gpuAccuracy).toBeGreaterThan(0.8);
    expect(Math.abs(gpuAccuracy - wasmAccuracy)).toBeLessThanOrEqual(0.003);
    // the GPU's evaluation and the wasm build's, on the parameters brought back, agree within an example or two
    expect(Math.abs(a.cpu - gpuAccuracy)).toBeLessThanOrEqual(2 / RUN.tested);
    expect(gp().problems).toEqual([]);
  }, 300_000);
});

describe('the demo page (dist-web) on the GPU', () => {
  it('offers the GPU, trains on it in its worker from the form, and repeats its bits there', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    if (!existsSync(`${root}dist-web/index.html`)) throw new Error('dist-web is missing: run npm run build:web (npm test does)');
    const server = await preview({ configFile: `${root}web/vite.config.ts`, preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'silent' });
    const browser = await launchBrowser({ webgpu: true });
    try {
      const { page, problems } = await newPage(browser);
      await page.goto(server.resolvedUrls!.local[0]);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      type Hooks = { wasmMlp: { trainHash(o: unknown): Promise<string>; history(): { testAccuracy: number }[] } };
      const options = { sizes: [784, 16, 10], seed: 3, examples: 500, epochs: 1, batchSize: 50, eta: 3, kernels: 'webgpu' };
      const hashes = [];
      for (let i = 0; i < 2; i++) hashes.push(await page.evaluate((o) => (window as unknown as Hooks).wasmMlp.trainHash(o), options));
      expect(hashes[1]).toBe(hashes[0]);
      await page.selectOption('#kernels', 'webgpu');
      await page.fill('#subset', '2000');
      await page.fill('#epochs', '1');
      await page.fill('#batch', '50');
      await page.fill('#eta', '0.005');
      await page.selectOption('#init', 'he');
      await page.selectOption('#activation', 'relu');
      await page.selectOption('#cost', 'log-likelihood');
      await page.selectOption('#optimizer', 'adam');
      await page.click('#train');
      await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Done'), null, { timeout: 120_000 });
      const history = await page.evaluate(() => (window as unknown as Hooks).wasmMlp.history());
      expect(history[0].testAccuracy).toBeGreaterThan(0.8);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      await new Promise((resolve) => server.httpServer.close(resolve));
    }
  }, 180_000);
});

describe('without WebGPU', () => {
  it('a network made with kernels webgpu throws WebGpuUnavailableError, saying what is missing, when it trains', async () => {
    const gp = await openGpuPage({ webgpu: false });
    try {
      const error = await gp.page.evaluate(async () => {
        const { lib } = window as unknown as PageGlobals;
        const net = await lib.Network.create({ sizes: [4, 2], kernels: 'webgpu' });
        const data = lib.createDataset({ images: new Uint8Array(8), labels: new Uint8Array(2), rows: 2, cols: 2, classes: 2 });
        try {
          await lib.train(net, data, { epochs: 1 });
          return null;
        } catch (e) {
          return { name: (e as Error).name, message: (e as Error).message, typed: e instanceof lib.WebGpuUnavailableError, predicts: Array.from(net.predict(new Float32Array(4))).length };
        }
      });
      expect(error).toEqual({ name: 'WebGpuUnavailableError', message: expect.stringMatching(/navigator.gpu gave no adapter/), typed: true, predicts: 1 });
    } finally {
      await gp.close();
    }
  });
});

// The demo page in real headless Chromium (the npm-shipped build, driven by playwright-core) against
// the built page (dist-web, served by vite preview): loads cleanly, trains in a worker while the
// page stays responsive, reads drawn digits, and matches Node bit for bit.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceDataset } from '../../src/data/dataset.js';
import { relaxedSupported } from '../../src/core/kernels.js';
import { Network } from '../../src/core/network.js';
import { loadMnist, loadModelFile, readImageFolder } from '../../src/node.js';
import { Rng } from '../../src/core/random.js';
import { train } from '../../src/train/train.js';
import { runSync } from '../support/cli.js';
import { launchBrowser, newPage } from './launch.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shots = `${root}test-results/screenshots`;

let server: PreviewServer;
let browser: Browser;
let url: string;

beforeAll(async () => {
  if (!existsSync(`${root}dist-web/index.html`)) throw new Error('dist-web is missing: run npm run build:web (npm test does)');
  mkdirSync(shots, { recursive: true });
  server = await preview({ configFile: `${root}web/vite.config.ts`, preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'silent' });
  url = server.resolvedUrls!.local[0];
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.httpServer.close(resolve));
});

async function open(viewport = { width: 1280, height: 900 }, language?: string): Promise<{ page: Page; problems: string[] }> {
  const { page, problems } = await newPage(browser, { viewport });
  if (language) await page.addInitScript((l) => Object.defineProperty(Navigator.prototype, 'language', { get: () => l }), language);
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { page, problems };
}

/** Traces MNIST image k on the pad: one stroke per run of ink in each row. */
async function traceDigit(page: Page, images: Uint8Array, k: number): Promise<void> {
  await page.click('#clear');
  const box = (await page.locator('#pad').boundingBox())!;
  const s = box.width / 28;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (images[k * 784 + y * 28 + x] < 128) continue;
      let end = x;
      while (end + 1 < 28 && images[k * 784 + y * 28 + end + 1] >= 128) end++;
      await page.mouse.move(box.x + (x + 0.5) * s, box.y + (y + 0.5) * s);
      await page.mouse.down();
      await page.mouse.move(box.x + (end + 0.5) * s, box.y + (y + 0.5) * s, { steps: 2 });
      await page.mouse.up();
      x = end;
    }
  }
  await page.waitForTimeout(50);
}

describe('demo page in Chromium', () => {
  it('loads with no console errors or warnings, cross-origin isolated', async () => {
    const { page, problems } = await open();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.screenshot({ path: `${shots}/page.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('works whatever navigator.language says, even a tag Intl rejects', async () => {
    for (const language of ['en-US@posix', 'de_DE.UTF-8', '!!', '']) {
      const { page, problems } = await open(undefined, language);
      // open() waited for the page to be ready: it did not die loading uPlot
      const seen = await page.evaluate(() => navigator.language);
      expect(() => Intl.getCanonicalLocales(seen)).not.toThrow();
      if (language === 'en-US@posix') expect(seen).toBe('en-US');
      expect(problems).toEqual([]);
      await page.close();
    }
  });

  it('recognises digits traced with pointer events (pre-trained model)', async () => {
    const { test } = await loadMnist();
    const { page, problems } = await open();
    let right = 0;
    const tried = [0, 1, 2, 3, 4, 5, 6, 7];
    for (const k of tried) {
      await traceDigit(page, test.images, k);
      const predicted = await page.evaluate(() => document.body.dataset.prediction);
      if (Number(predicted) === test.labels[k]) right++;
    }
    await traceDigit(page, test.images, 0); // a 7
    await page.screenshot({ path: `${shots}/drawn-digit.png`, fullPage: false });
    expect(right).toBeGreaterThanOrEqual(7);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('trains a subset in the worker to >= 90% while the main thread keeps ticking', async () => {
    const { page, problems } = await open();
    await page.evaluate(() => (window as unknown as { wasmMlp: { loadData(): Promise<unknown> } }).wasmMlp.loadData());
    await page.fill('#subset', '30000');
    await page.fill('#epochs', '3');
    await page.evaluate(() => {
      const w = window as unknown as { ticks: number[] };
      w.ticks = [];
      setInterval(() => w.ticks.push(performance.now()), 10);
    });
    await page.click('#train');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Done'), null, { timeout: 60_000 });
    const ticks = await page.evaluate(() => (window as unknown as { ticks: number[] }).ticks);
    const history = await page.evaluate(() => (window as unknown as { wasmMlp: { history(): { testAccuracy: number; trainSeconds: number }[] } }).wasmMlp.history());
    expect(history.length).toBe(3);
    expect(history[2].testAccuracy).toBeGreaterThanOrEqual(0.9);
    // a 10 ms timer kept firing all through training (at least a quarter of its ticks)
    const trainMs = 1000 * history.reduce((t, h) => t + h.trainSeconds, 0);
    expect(ticks.length).toBeGreaterThan(trainMs / 10 / 4);
    const gaps = ticks.slice(1).map((t, i) => t - ticks[i]);
    // a stall of a whole epoch would show training on the main thread; load alone stays far below 1 s
    expect(Math.max(...gaps)).toBeLessThan(1000);
    await page.screenshot({ path: `${shots}/trained.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('trains with the choices beyond the lecture (ReLU, softmax, Adam) from the form', async () => {
    const { page, problems } = await open();
    await page.fill('#subset', '10000');
    await page.fill('#epochs', '1');
    await page.fill('#eta', '0.002');
    await page.fill('#batch', '32');
    await page.selectOption('#init', 'he');
    await page.selectOption('#activation', 'relu');
    await page.selectOption('#cost', 'log-likelihood');
    await page.selectOption('#optimizer', 'adam');
    await page.click('#train');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Done'), null, { timeout: 60_000 });
    const history = await page.evaluate(() => (window as unknown as { wasmMlp: { history(): { testAccuracy: number }[] } }).wasmMlp.history());
    expect(history[0].testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('trains to the same bits as Node with either build: simd (the same on every machine) and relaxed (fused multiply-adds; the same on one machine)', async () => {
    // The Node side runs with relaxed SIMD (vitest.config.ts gives Node 20 its flag), as Chromium does.
    expect(relaxedSupported()).toBe(true);
    const { train: data } = await loadMnist();
    const { page } = await open();
    const hashes: Record<string, string> = {};
    for (const kernels of ['simd', 'relaxed'] as const) {
      const options = { sizes: [784, 16, 10], seed: 3, examples: 500, epochs: 2, batchSize: 10, eta: 1.5, kernels };
      const net = await Network.create({ sizes: options.sizes, seed: options.seed, kernels });
      await train(net, sliceDataset(data, 0, options.examples), { epochs: options.epochs, batchSize: options.batchSize, eta: options.eta, seed: options.seed });
      const nodeHash = createHash('sha256').update(Buffer.from(net.getParameters().buffer)).digest('hex');
      const pageHash = await page.evaluate((o) => (window as unknown as { wasmMlp: { trainHash(o: unknown): Promise<string> } }).wasmMlp.trainHash(o), options);
      expect(pageHash, kernels).toBe(nodeHash);
      hashes[kernels] = nodeHash;
    }
    // fused multiply-adds round once, not twice: the builds differ where the CPU has FMA (x86-64 since 2013, arm64)
    expect(hashes.relaxed).not.toBe(hashes.simd);
    await page.close();
  }, 60_000);

  it('trains with dropout, max-norm and augmentation to the same bits as Node (1 and 2 threads), and shows a digit\'s distortions', async () => {
    const reg = { dropout: [0.2, 0.5], maxNorm: 2, augment: { affine: { rotation: 10, scale: 0.1, shear: 0.15, shift: 2 }, elastic: { alpha: 34, sigma: 4 } } };
    const { train: data } = await loadMnist();
    const { page, problems } = await open();
    for (const threads of [1, 2]) {
      const options = { sizes: [784, 64, 10], seed: 6, examples: 640, epochs: 2, batchSize: 64, eta: 1.5, threads, ...reg };
      const net = await Network.create({ sizes: options.sizes, seed: options.seed, threads });
      await train(net, sliceDataset(data, 0, options.examples), { epochs: options.epochs, batchSize: options.batchSize, eta: options.eta, seed: options.seed, ...reg });
      const nodeHash = createHash('sha256').update(Buffer.from(net.getParameters().buffer)).digest('hex');
      net.dispose();
      const pageHash = await page.evaluate((o) => (window as unknown as { wasmMlp: { trainHash(o: unknown): Promise<string> } }).wasmMlp.trainHash(o), options);
      expect(pageHash, `${threads} thread(s)`).toBe(nodeHash);
    }
    await page.selectOption('#augment', 'both');
    await page.click('#reaugment');
    await page.waitForSelector('body[data-augmented="1"]', { timeout: 30_000 });
    expect(await page.locator('#augmented canvas').count()).toBe(8);
    await page.locator('#augment-panel').screenshot({ path: `${shots}/augmented.png` });
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('trains with 2 threads in the cross-origin isolated page to the same bits as Node with 2 threads', async () => {
    // 50,890 parameters x 64, 32 first-layer rows a thread: the steps run on both threads
    const options = { sizes: [784, 64, 10], seed: 4, examples: 640, epochs: 1, batchSize: 64, eta: 1.5, threads: 2 };
    const { train: data } = await loadMnist();
    const net = await Network.create({ sizes: options.sizes, seed: options.seed, threads: 2 });
    await train(net, sliceDataset(data, 0, options.examples), { epochs: options.epochs, batchSize: options.batchSize, eta: options.eta, seed: options.seed });
    expect(net.threads).toBe(2);
    const nodeHash = createHash('sha256').update(Buffer.from(net.getParameters().buffer)).digest('hex');
    net.dispose();
    const { page, problems } = await open();
    const pageHash = await page.evaluate((o) => (window as unknown as { wasmMlp: { trainHash(o: unknown): Promise<string> } }).wasmMlp.trainHash(o), options);
    expect(pageHash).toBe(nodeHash);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('loads a model saved by the Node CLI and predicts identically', async () => {
    const file = `${root}dist-web/generated/cli-model.wmlp`;
    runSync(['train', '--layers', '784,20,10', '--epochs', '1', '--limit', '3000', '--seed', '5', '--quiet', '--out', file]);
    const net = await loadModelFile(file);
    const { test } = await loadMnist();
    const n = 500;
    const x = Float32Array.from(test.images.subarray(0, n * 784), (v) => v / 255);
    const nodeHash = createHash('sha256').update(Buffer.from(net.forward(x).buffer)).digest('hex');
    const { page } = await open();
    const result = await page.evaluate(async (n) => {
      const hooks = (window as unknown as { wasmMlp: { useModelUrl(u: string): Promise<void>; predictTest(n: number): Promise<{ hash: string; classes: number[] }> } }).wasmMlp;
      await hooks.useModelUrl('./generated/cli-model.wmlp');
      return hooks.predictTest(n);
    }, n);
    expect(result.hash).toBe(nodeHash);
    expect(result.classes).toEqual(Array.from(net.predict(x)));
    await page.close();
  }, 60_000);

  it('stops within an epoch, resumes, and takes an uploaded model file', async () => {
    const { page, problems } = await open();
    await page.evaluate(() => (window as unknown as { wasmMlp: { loadData(): Promise<unknown> } }).wasmMlp.loadData());
    const epochsDone = () => page.evaluate(() => (window as unknown as { wasmMlp: { history(): unknown[] } }).wasmMlp.history().length);
    await page.fill('#epochs', '30');
    await page.click('#train');
    await page.waitForFunction(() => (window as unknown as { wasmMlp: { history(): unknown[] } }).wasmMlp.history().length >= 1, null, { timeout: 30_000 });
    await page.click('#stop');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Stopped'), null, { timeout: 10_000 });
    const stoppedAt = await epochsDone();
    expect(stoppedAt).toBeLessThan(30);
    expect(await page.isEnabled('#resume')).toBe(true);
    await page.click('#resume');
    await page.waitForFunction((n) => (window as unknown as { wasmMlp: { history(): unknown[] } }).wasmMlp.history().length > n, stoppedAt, { timeout: 30_000 });
    await page.click('#stop');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Stopped'), null, { timeout: 10_000 });
    const file = `${root}dist-web/generated/upload-model.wmlp`;
    runSync(['train', '--layers', '784,12,10', '--epochs', '1', '--limit', '1000', '--quiet', '--out', file]);
    await page.setInputFiles('#upload', file);
    await page.waitForFunction(() => document.getElementById('model-note')!.textContent!.includes('uploaded model upload-model.wmlp'));
    expect(await page.locator('#neurons canvas').count()).toBe(12);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('reads the pad with an uploaded ONNX model exported by PyTorch: its classes are the inference entry\'s', async () => {
    const { page, problems } = await open();
    const file = `${root}test/fixtures/onnx/normalize-flatten-tanh-relu.onnx`; // torchvision's Normalize, then tanh and ReLU layers, logits out
    await page.setInputFiles('#upload', file);
    await page.waitForFunction(() => document.getElementById('model-note')!.textContent!.includes('uploaded model normalize-flatten-tanh-relu.onnx'));
    expect(await page.locator('#neurons canvas').count()).toBeGreaterThan(0);
    // the page's reader on the first 300 test images, standardised as the model says, against Node's wasm-mlp/infer
    const classes = await page.evaluate(async () => {
      const hooks = (window as unknown as { wasmMlp: { predictTest(n: number, standardised: boolean): Promise<{ classes: number[] }> } }).wasmMlp;
      return (await hooks.predictTest(300, true)).classes;
    });
    const { loadPredictor } = await import('../../src/infer.js');
    const predictor = await loadPredictor(new Uint8Array(readFileSync(file)));
    const { test } = await loadMnist();
    expect(classes).toEqual(Array.from(predictor.predict(Float32Array.from(test.images.subarray(0, 300 * 784), (v) => v / 255))));
    // a stroke on the pad gets a prediction from it
    const box = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(() => /^[0-9]$/.test(document.body.dataset.prediction ?? ''));
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('trains on a folder of the user\'s images (read by the CLI\'s rule, to Node\'s pixels), classifies an image, and saves a model the CLI reads', async () => {
    // three classes of 16 x 12 colour PNGs: a horizontal bar, a vertical bar, a diagonal, at random
    // places on noise; one pixel in 5 semi-transparent (the rule puts it on white)
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-page-images-'));
    const rng = new Rng(9);
    const opaque: boolean[] = []; // per pixel of every image, in the folder's order (classes, then files, sorted)
    const classes = { diagonal: (x: number, y: number, o: number) => Math.abs(x - y - o) < 2, horizontal: (_x: number, y: number, o: number) => Math.abs(y - 2 - (o % 8)) < 2, vertical: (x: number, _y: number, o: number) => Math.abs(x - 2 - o) < 2 };
    for (const [name, ink] of Object.entries(classes)) {
      mkdirSync(join(dir, name));
      for (let k = 0; k < 40; k++) {
        const png = new PNG({ width: 16, height: 12 });
        const o = rng.below(10);
        for (let i = 0; i < 16 * 12; i++) {
          const on = ink(i % 16, Math.floor(i / 16), o);
          const v = on ? 20 + rng.below(40) : 200 + rng.below(56);
          const alpha = rng.below(5) === 0 ? rng.below(255) : 255;
          opaque.push(alpha === 255);
          png.data.set([v, on ? v : 255 - rng.below(30), v, alpha], 4 * i);
        }
        writeFileSync(join(dir, name, `${String(k).padStart(3, '0')}.png`), PNG.sync.write(png));
      }
    }
    const node = await readImageFolder(dir, { size: { rows: 12, cols: 16 }, invert: true });
    expect(Array.from(node.data.labels)).toEqual([0, 1, 2].flatMap((c) => Array(40).fill(c))); // the order the pixels were made in
    const { page, problems } = await open();
    await page.fill('#image-size', '16x12');
    await page.check('#image-invert');
    await page.fill('#hidden', '20');
    await page.fill('#epochs', '20');
    await page.setInputFiles('#image-folder', dir);
    await page.waitForSelector('body[data-images-picked]', { timeout: 20_000 });
    const info = () => page.evaluate(() => (window as unknown as { wasmMlp: { imagesInfo(): { count: number; classNames: string[]; pixels: number[]; labels: number[]; history: { testAccuracy: number }[] } } }).wasmMlp.imagesInfo());
    const picked = await info();
    expect(picked.count).toBe(120);
    expect(picked.classNames).toEqual(['diagonal', 'horizontal', 'vertical']);
    expect(picked.labels).toEqual(Array.from(node.data.labels));
    // the browser's PNG decoder and the rule give Node's bytes where a pixel is opaque; where it is
    // not, within a level (the canvas keeps colours premultiplied by alpha: they come back rounded)
    const off = { opaque: 0, translucent: 0, most: 0 };
    picked.pixels.forEach((v, i) => {
      const d = Math.abs(v - node.data.images[i]);
      if (d > 0) off[opaque[i] ? 'opaque' : 'translucent']++;
      off.most = Math.max(off.most, d);
    });
    expect(picked.pixels.length).toBe(opaque.length);
    expect(off.opaque).toBe(0);
    expect(off.most).toBeLessThanOrEqual(1);
    await page.click('#image-train');
    await page.waitForSelector('body[data-images-trained]', { timeout: 60_000 });
    const trained = await info();
    expect(trained.history.length).toBe(20);
    expect(trained.history.at(-1)!.testAccuracy).toBeGreaterThanOrEqual(0.9); // 12 held-out images
    await page.setInputFiles('#image-classify', join(dir, 'vertical', '000.png'));
    await page.waitForSelector('body[data-image-class]');
    expect(await page.evaluate(() => document.body.dataset.imageClass)).toBe('vertical');
    // the downloadable model is a model file the CLI predicts with, by name
    const bytes = await page.evaluate(async () => Array.from(new Uint8Array(await (await fetch((document.getElementById('image-download') as HTMLAnchorElement).href)).arrayBuffer())));
    const file = join(dir, 'page.wmlp');
    writeFileSync(file, Uint8Array.from(bytes));
    const out = JSON.parse(runSync(['predict', '--model', file, '--json', join(dir, 'vertical', '000.png'), join(dir, 'diagonal', '001.png')], { encoding: 'utf8' }) as string);
    expect(JSON.stringify(out)).toMatch(/vertical[\s\S]*diagonal/);
    await page.locator('#images-panel').screenshot({ path: `${shots}/own-images.png` });
    expect(problems).toEqual([]);
    await page.close();
    rmSync(dir, { recursive: true, force: true });
  }, 90_000);

  it('fits a phone-sized viewport without sideways scrolling', async () => {
    const { page, problems } = await open({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.screenshot({ path: `${shots}/phone.png`, fullPage: true });
    expect(overflow).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});

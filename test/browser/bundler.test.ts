// wasm-mlp as a web developer gets it: the packed tarball (`npm pack`) installed into a minimal
// Vite app in a temp folder, `import ... from 'wasm-mlp'`, built, served as static files and run in
// headless Chromium: the .wasm files come out as separate assets, the debug build does not ship,
// and only the build the browser uses is fetched. The browser snippet of docs/browser.md is a second
// page of the same app, run as written against MNIST served beside it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { docSnippets } from '../support/snippets.js';
import { launchBrowser, newPage } from './launch.js';
import { serveStatic, tinyTrainingModule, type StaticServer } from './serve.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';


let app: string;
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'wasm-mlp-vite-app-'));
  const tarball = execFileSync(npm, ['pack', '--ignore-scripts', '--silent', '--pack-destination', app], { cwd: root, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--silent', join(app, tarball)], { cwd: app, stdio: 'inherit' });
  writeFileSync(join(app, 'index.html'), '<!doctype html><meta charset="utf-8"><title>app</title><link rel="icon" href="data:,"><script type="module" src="./main.js"></script>');
  writeFileSync(join(app, 'main.js'), tinyTrainingModule('wasm-mlp'));
  const pages = { main: join(app, 'index.html') } as Record<string, string>;
  for (const [i, snippet] of docSnippets().filter((s) => s.where === 'browser').entries()) {
    writeFileSync(join(app, `readme-${i}.html`), `<!doctype html><meta charset="utf-8"><title>readme</title><link rel="icon" href="data:,"><script type="module" src="./readme-${i}.js"></script>`);
    writeFileSync(join(app, `readme-${i}.js`), snippet.code);
    pages[`readme-${i}`] = join(app, `readme-${i}.html`);
  }
  await build({ root: app, configFile: false, logLevel: 'silent', base: './', build: { outDir: join(app, 'dist'), target: 'es2022', rollupOptions: { input: pages } }, worker: { format: 'es' } });
  // MNIST for the docs' snippet as the demo page's build made it (gzip IDX files), beside the app
  server = await serveStatic((path) => (path.startsWith('mnist/') ? join(root, 'web/public/generated', path.slice(6)) : join(app, 'dist', path || 'index.html')));
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (app) rmSync(app, { recursive: true, force: true });
});

it('a Vite app that imports wasm-mlp from its packed tarball builds, trains on the page and in a worker', async () => {
  const assets = readdirSync(join(app, 'dist', 'assets'));
  const wasm = assets.filter((f) => f.endsWith('.wasm')).map((f) => f.replace(/-[\w-]{8}\.wasm$/, '.wasm'));
  expect(wasm.sort()).toEqual(['wasm-mlp.relaxed-threads.wasm', 'wasm-mlp.relaxed.wasm', 'wasm-mlp.scalar.wasm', 'wasm-mlp.threads.wasm', 'wasm-mlp.wasm']);
  for (const f of assets.filter((f) => f.endsWith('.js'))) {
    const code = readFileSync(join(app, 'dist', 'assets', f), 'latin1');
    expect(code).not.toContain('AGFzbQ'); // no wasm inlined as base64
    expect(code, f).not.toContain('node:worker_threads'); // package.json "browser" swapped platform.js: no Node branches
  }

  const { page, problems } = await newPage(browser);
  await page.goto(server.url);
  await page.waitForFunction(() => document.body?.dataset.result, null, { timeout: 20_000 });
  expect(JSON.parse((await page.evaluate(() => document.body.dataset.result))!)).toEqual({ accuracy: 1, same: true, variant: 'relaxed' });
  expect(problems).toEqual([]);
  // the relaxed SIMD build only (Chromium has it; by the page and by the worker), never the others
  expect(new Set(server.requested.filter((p) => p.endsWith('.wasm')).map((p) => p.replace(/^assets\//, '').replace(/-[\w-]{8}\.wasm$/, '.wasm')))).toEqual(new Set(['wasm-mlp.relaxed.wasm']));
  await page.close();
});

it.each(docSnippets().filter((s) => s.where === 'browser').map((s, i) => [`${s.file}:${s.line}`, i] as const))('the %s browser snippet runs as written in a page of the app', async (_where, i) => {
  const { page, problems } = await newPage(browser);
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  await page.goto(`${server.url}readme-${i}.html`);
  await expect.poll(() => logs.some((l) => l.startsWith('epoch 3:')), { timeout: 60_000 }).toBe(true);
  expect(problems).toEqual([]);
  expect(Number(/([\d.]+)%/.exec(logs.find((l) => l.startsWith('epoch 3:'))!)![1])).toBeGreaterThan(90);
  await page.close();
}, 90_000);

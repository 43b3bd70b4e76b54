// The benchmark page (bench/web/, `npm run bench:web`) built and served as that script serves it,
// run in Chromium with WebGPU on SwiftShader: it runs every network on every backend this page has
// (wasm on 1 thread, on threads, WebGPU), names the adapter, and its figures are well-formed. Their
// size says nothing here (SwiftShader is a CPU); only a machine with a GPU can measure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import { expect, it } from 'vitest';
// @ts-expect-error a plain JS module of the benchmarks, without types
import { CONFIGS } from '../../bench/peers/configs.mjs';
import type { BenchFigure } from '../../bench/web/main.js';
import { launchBrowser, newPage } from './launch.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

it('the benchmark page runs the three networks on wasm (1 thread, threads) and WebGPU, with well-formed figures', async () => {
  const configFile = join(root, 'bench/web/vite.config.ts');
  const outDir = mkdtempSync(join(tmpdir(), 'wasm-mlp-bench-page-'));
  await build({ configFile, logLevel: 'silent', build: { outDir } });
  const server = await preview({ configFile, build: { outDir }, preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'silent' });
  const browser = await launchBrowser({ webgpu: true });
  try {
    const { page, problems } = await newPage(browser);
    await page.goto(`${server.resolvedUrls!.local[0]}?run&examples=128`);
    await page.waitForFunction(() => document.body.dataset.results || document.body.dataset.error, null, { timeout: 240_000 });
    expect(await page.evaluate(() => document.body.dataset.error)).toBeUndefined();
    const figures = JSON.parse((await page.evaluate(() => document.body.dataset.results))!) as BenchFigure[];
    const backends = [...new Set(figures.map((f) => f.backend))];
    expect(backends).toEqual(['wasm, 1 thread', expect.stringMatching(/^wasm, \d+ threads$/), 'WebGPU']);
    expect(figures.map((f) => f.config)).toEqual(Object.values(CONFIGS as Record<string, { name: string }>).flatMap((c) => backends.map(() => c.name)));
    for (const f of figures) {
      expect(f.examples).toBe(128);
      expect(f.examplesPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(f.examplesPerSecond)).toBe(true);
      expect(f.secondsPerEpoch).toBeCloseTo(60000 / f.examplesPerSecond, 6);
    }
    expect(await page.textContent('#adapter')).toMatch(/^WebGPU adapter: google, swiftshader/);
    expect(await page.locator('#results tr').count()).toBe(4);
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
    await new Promise((resolve) => server.httpServer.close(resolve));
    rmSync(outDir, { recursive: true, force: true });
  }
}, 300_000);

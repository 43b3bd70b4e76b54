// kernels 'webgpu' in Node, through the optional package `webgpu` (Dawn): where it finds no GPU
// adapter (here: the Vulkan loader pointed at no driver), Network.create throws
// WebGpuUnavailableError saying what is missing; and the GPU kernel table (src/gpu/kernels.ts)
// beside the wasm one. The GPU backend itself is tested in Chromium on SwiftShader
// (test/browser/webgpu*.test.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WebGpuUnavailableError } from '../src/core/errors.js';
import { Network } from '../src/core/network.js';
import { createDataset } from '../src/data/dataset.js';
import { train } from '../src/train/train.js';
import { GPU_KERNELS } from '../src/gpu/kernels.js';
import { kernelSource } from '../src/gpu/pipelines.js';

describe("kernels 'webgpu' in Node", () => {
  it('without a GPU driver: training throws WebGpuUnavailableError naming the package and the driver it needs', async () => {
    process.env.VK_ICD_FILENAMES = '/nonexistent/no-driver.json'; // before Dawn loads Vulkan
    const net = await Network.create({ sizes: [4, 3, 2], kernels: 'webgpu' });
    const data = createDataset({ images: new Uint8Array(8), labels: new Uint8Array(2), rows: 2, cols: 2, classes: 2 });
    const trained = train(net, data, { epochs: 1 });
    await expect(trained).rejects.toThrow(WebGpuUnavailableError);
    await expect(trained).rejects.toThrow(/package webgpu \(Dawn\) found no GPU adapter: it needs a GPU driver/);
    expect(net.predict(new Float32Array(4))).toHaveLength(1); // inference runs on the wasm build
  });

  it('lists webgpu among the kernels', async () => {
    await expect(Network.create({ sizes: [4, 2], kernels: 'cuda' as 'webgpu' })).rejects.toThrow(/kernels must be one of relaxed, simd, scalar, threads, relaxed-threads, webgpu, got cuda/);
  });
});

describe('the GPU kernel table (src/gpu/kernels.ts)', () => {
  it('each row follows kernels of the wasm table, declares what its code reads, and is dispatched by a run', async () => {
    // @ts-expect-error a plain JS module of the repository, without types
    const { KERNELS } = (await import('../assembly/kernels.mjs')) as { KERNELS: { name?: string }[] };
    const wasm = new Set(KERNELS.map((k) => k.name).filter(Boolean));
    const step = readFileSync(new URL('../src/gpu/step.ts', import.meta.url), 'utf8');
    for (const k of GPU_KERNELS) {
      expect(k.wasm.filter((name) => !wasm.has(name)), `${k.name}: wasm kernels that do not exist`).toEqual([]);
      expect(k.wasm.length, k.name).toBeGreaterThan(0);
      expect(step, `${k.name} is never dispatched`).toContain(`'${k.name}'`);
      for (const settings of [{ activation: 'sigmoid', cost: 'quadratic', optimizer: 'sgd' }, { activation: 'relu', cost: 'log-likelihood', optimizer: 'adam' }] as const) {
        const code = kernelSource(k, settings);
        for (const spec of k.buffers) expect(code, `${k.name} declares ${spec}`).toMatch(new RegExp(`var<storage, read(_write)?> ${spec.split(':')[0]}: array<`));
        expect(code).toContain('fn main(');
      }
    }
    expect(new Set(GPU_KERNELS.map((k) => k.name)).size).toBe(GPU_KERNELS.length);
  });
});

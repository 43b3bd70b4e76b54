// kernels 'webgpu' in Node, through the optional package `webgpu` (Dawn): where it finds no GPU
// adapter (here: the Vulkan loader pointed at no driver), Network.create throws
// WebGpuUnavailableError saying what is missing. The GPU backend itself is tested in Chromium on
// SwiftShader (test/browser/webgpu*.test.ts).
import { describe, expect, it } from 'vitest';
import { WebGpuUnavailableError } from '../src/core/errors.js';
import { Network } from '../src/core/network.js';

describe("kernels 'webgpu' in Node", () => {
  it('without a GPU driver: WebGpuUnavailableError naming the package and the driver it needs', async () => {
    process.env.VK_ICD_FILENAMES = '/nonexistent/no-driver.json'; // before Dawn loads Vulkan
    const made = Network.create({ sizes: [4, 3, 2], kernels: 'webgpu' });
    await expect(made).rejects.toThrow(WebGpuUnavailableError);
    await expect(made).rejects.toThrow(/package webgpu \(Dawn\) found no GPU adapter: it needs a GPU driver/);
  });

  it('lists webgpu among the kernels', async () => {
    await expect(Network.create({ sizes: [4, 2], kernels: 'cuda' as 'webgpu' })).rejects.toThrow(/kernels must be one of relaxed, simd, scalar, threads, relaxed-threads, webgpu, got cuda/);
  });
});

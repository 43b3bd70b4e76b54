// WebGPU in Node for the GPU suites: the npm package `webgpu` (Dawn) on the SwiftShader Vulkan
// driver that ships inside the test Chromium (@sparticuz/chromium: libvulkan.so.1, the Vulkan
// loader, and libvk_swiftshader.so with its ICD file), so the suites need no GPU. Not for: the
// library, which finds Dawn's adapter wherever a Vulkan driver is installed.
import { dirname, join } from 'node:path';
import { inject } from 'vitest';

/** glibc's RTLD_NODELETE: the loader stays loaded, so Dawn's dlopen('libvulkan.so.1') finds it by its soname. */
const RTLD_NODELETE = 0x1000;

/** Loads the Chromium package's Vulkan loader and points it at SwiftShader's driver (once per process). */
export function useSwiftShader(): void {
  if (process.env.VK_ICD_FILENAMES) return;
  const dir = dirname(inject('chromium').executablePath);
  const { RTLD_NOW, RTLD_GLOBAL } = (process.getBuiltinModule('node:os') as typeof import('node:os')).constants.dlopen;
  try {
    process.dlopen({ exports: {} }, join(dir, 'libvulkan.so.1'), RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
  } catch (e) {
    // not a Node addon: Node says so after loading it, and RTLD_NODELETE keeps it loaded
    if (!/self-register/.test((e as Error).message)) throw e;
  }
  process.env.VK_ICD_FILENAMES = join(dir, 'vk_swiftshader_icd.json');
}

// The one module that touches WebGPU's entry points: navigator.gpu in pages and their workers, the
// optional npm package `webgpu` (Dawn) in Node. It gives a network made with kernels 'webgpu' its
// device, or a typed error saying what is missing. Loaded only by such networks. Not for:
// buffers, shaders or training (src/gpu/).
import { WebGpuUnavailableError } from './errors.js';
import { isNode } from './platform.js';

/** What the adapter says of itself (browsers may leave any of it empty). */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** A network's WebGPU device and its adapter. */
export interface Gpu {
  readonly device: GPUDevice;
  readonly adapter: GpuAdapterInfo;
}

/** The npm package `webgpu` (Dawn for Node), imported by a name no bundler follows. */
const NODE_PACKAGE = 'webgpu';

let shared: Promise<Gpu> | null = null;

/**
 * The device of this page or process, shared by its networks (kernels compile once per device): on
 * the adapter WebGPU offers (high-performance preferred), with its largest storage buffers (a
 * dataset is one buffer). WebGpuUnavailableError when there is none; asked again after a failure
 * or when the device is lost.
 */
export function requestGpu(): Promise<Gpu> {
  if (!shared) {
    shared = newGpu();
    shared.then(
      (gpu) => gpu.device.lost.then(() => (shared = null)),
      () => (shared = null),
    );
  }
  return shared;
}

async function newGpu(): Promise<Gpu> {
  const gpu = isNode ? await nodeGpu() : webGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new WebGpuUnavailableError(
      isNode
        ? `kernels 'webgpu': the package ${NODE_PACKAGE} (Dawn) found no GPU adapter: it needs a GPU driver (on Linux, Vulkan: libvulkan.so.1 and a driver such as Mesa's or SwiftShader's)`
        : "kernels 'webgpu': navigator.gpu gave no adapter (WebGPU may be disabled, or the GPU blocklisted: see chrome://gpu)",
    );
  }
  const { maxStorageBufferBindingSize, maxBufferSize } = adapter.limits;
  const device = await adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize } });
  const info = adapter.info;
  return { device, adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description } };
}

function webGpu(): GPU {
  const g = globalThis as { navigator?: { gpu?: GPU }; isSecureContext?: boolean };
  if (g.navigator?.gpu) return g.navigator.gpu;
  throw new WebGpuUnavailableError(
    g.isSecureContext === false
      ? "kernels 'webgpu' needs a secure context (a page served over https or from localhost): this page has no navigator.gpu"
      : "kernels 'webgpu' needs WebGPU (navigator.gpu), which this browser does not offer here",
  );
}

async function nodeGpu(): Promise<GPU> {
  let pkg: { create(flags: string[]): GPU };
  try {
    pkg = await import(/* @vite-ignore */ /* webpackIgnore: true */ NODE_PACKAGE);
  } catch (cause) {
    throw new WebGpuUnavailableError(`kernels 'webgpu' in Node needs the optional package ${NODE_PACKAGE} (Dawn): npm install ${NODE_PACKAGE}`, { cause });
  }
  return pkg.create([]);
}

// Loads the wasm-mlp kernel module in Node or a browser and binds its exports into a typed table.
// The only module that touches WebAssembly.*; it knows nothing about networks or training.
import { instantiateSync } from '@assemblyscript/loader';

/** The kernels exported by assembly/index.ts. Pointers are byte offsets into `memory`. */
export interface Kernels {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  simdEnabled(): number;
  denseForward(z: number, W: number, b: number, x: number, batch: number, rows: number, cols: number): void;
  denseForwardScalar(z: number, W: number, b: number, x: number, batch: number, rows: number, cols: number): void;
  denseBackwardInput(dx: number, W: number, delta: number, batch: number, rows: number, cols: number): void;
  denseBackwardInputScalar(dx: number, W: number, delta: number, batch: number, rows: number, cols: number): void;
  denseBackwardParams(nablaW: number, nablaB: number, delta: number, x: number, batch: number, rows: number, cols: number): void;
  denseSgdStep(W: number, b: number, delta: number, x: number, scale: number, batch: number, rows: number, cols: number, dstride: number): void;
  denseGradient(nablaW: number, nablaB: number, delta: number, x: number, batch: number, rows: number, cols: number): void;
  denseOuterScalar(G: number, g: number, delta: number, x: number, alpha: number, acc: number, batch: number, rows: number, cols: number, dstride: number): void;
  nonzeroColumns(list: number, vals: number, counts: number, x: number, batch: number, cols: number): void;
  nonzeroColumnsScalar(list: number, vals: number, counts: number, x: number, batch: number, cols: number): void;
  countRuns(starts: number, images: number, count: number, pixels: number): number;
  encodeRuns(runs: number, starts: number, images: number, count: number, pixels: number): void;
  gatherRuns(list: number, vals: number, counts: number, y: number, images: number, labels: number, runs: number, starts: number, indices: number, batch: number, pixels: number): void;
  gatherRunsScalar(list: number, vals: number, counts: number, y: number, images: number, labels: number, runs: number, starts: number, indices: number, batch: number, pixels: number): void;
  sparseForward(z: number, WT: number, b: number, vals: number, list: number, counts: number, batch: number, rows: number, cols: number, stride: number, zstride: number): void;
  sparseForwardScalar(z: number, WT: number, b: number, vals: number, list: number, counts: number, batch: number, rows: number, cols: number, stride: number, zstride: number): void;
  sparseOuter(WT: number, g: number, delta: number, vals: number, list: number, counts: number, alpha: number, batch: number, rows: number, cols: number, stride: number, dstride: number): void;
  sparseOuterScalar(WT: number, g: number, delta: number, vals: number, list: number, counts: number, alpha: number, acc: number, batch: number, rows: number, cols: number, stride: number, dstride: number): void;
  sparseGradient(GT: number, g: number, delta: number, vals: number, list: number, counts: number, batch: number, rows: number, cols: number, stride: number, dstride: number): void;
  reduceUpdate(params: number, grads: number, count: number, gstride: number, scale: number, n: number): void;
  reduceInto(grads: number, count: number, gstride: number, n: number): void;
  reduceUpdateScalar(params: number, grads: number, count: number, gstride: number, scale: number, n: number): void;
  scaleInPlace(p: number, factor: number, n: number): void;
  addScaled(g: number, w: number, c: number, n: number): void;
  momentumUpdate(params: number, velocity: number, grads: number, scale: number, mu: number, n: number): void;
  adamUpdate(params: number, m: number, v: number, grads: number, gradScale: number, lr: number, b1: number, b2: number, eps: number, n: number): void;
  sigmoid(a: number, z: number, n: number): void;
  tanhForward(a: number, z: number, n: number): void;
  tanhPrimeMul(delta: number, a: number, n: number): void;
  reluForward(a: number, z: number, n: number): void;
  reluPrimeMul(delta: number, a: number, n: number): void;
  softmaxRows(a: number, z: number, batch: number, classes: number): void;
  outputDeltaDifference(delta: number, a: number, y: number, batch: number, classes: number): void;
  sigmoidPrimeMul(delta: number, a: number, n: number): void;
  sigmoidScalar(a: number, z: number, n: number): void;
  sigmoidPrimeMulScalar(delta: number, a: number, n: number): void;
  outputDeltaQuadratic(delta: number, a: number, y: number, batch: number, classes: number): void;
  costQuadratic(a: number, y: number, batch: number, classes: number): number;
  argmaxRows(out: number, a: number, batch: number, classes: number): void;
  zero(p: number, n: number): void;
  sgdUpdate(params: number, nabla: number, scale: number, n: number): void;
  sgdUpdateScalar(params: number, nabla: number, scale: number, n: number): void;
}

/**
 * Which build of the kernels: `simd` (f32x4), `scalar` (plain wasm MVP), `threads` (simd on an
 * imported shared memory, for multi-threaded training) or `debug` (simd, assertions).
 */
export type KernelVariant = 'simd' | 'scalar' | 'threads' | 'debug';
export const KERNEL_VARIANTS: readonly KernelVariant[] = ['simd', 'scalar', 'threads', 'debug'];

const FILES: Record<KernelVariant, string> = {
  simd: 'wasm-mlp.wasm',
  scalar: 'wasm-mlp.scalar.wasm',
  threads: 'wasm-mlp.threads.wasm',
  debug: 'wasm-mlp.debug.wasm',
};

/** True when threads can share a memory here (SharedArrayBuffer; in a page, cross-origin isolation). */
export function threadsSupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || !simdSupported()) return false;
  const g = globalThis as { crossOriginIsolated?: boolean };
  return g.crossOriginIsolated !== false;
}

/** A shared memory for the `threads` build, capped at the 4 GiB wasm32 limit. */
export function sharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
}

// The smallest module that uses a v128 instruction (i8x16.splat + i8x16.popcnt).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when this engine runs WebAssembly SIMD (f32x4). */
export function simdSupported(): boolean {
  return WebAssembly.validate(SIMD_PROBE);
}

/** The variant to use when the caller does not choose: SIMD where the engine has it. */
export function defaultVariant(): KernelVariant {
  return simdSupported() ? 'simd' : 'scalar';
}

const compiled = new Map<KernelVariant, Promise<WebAssembly.Module>>();

/** Compiles (once per variant and process) the kernel module. */
export function compileKernels(variant: KernelVariant = defaultVariant()): Promise<WebAssembly.Module> {
  let module = compiled.get(variant);
  if (!module) {
    module = readWasm(new URL(`../build/${FILES[variant]}`, import.meta.url)).then((bytes) => WebAssembly.compile(bytes));
    module.catch(() => compiled.delete(variant));
    compiled.set(variant, module);
  }
  return module;
}

/** An instance of a compiled kernel module: on its own memory, or on `memory` for the threads build. */
export function instantiateKernels(module: WebAssembly.Module, memory?: WebAssembly.Memory): Kernels {
  const { exports } = instantiateSync<Record<string, unknown>>(module, {
    env: {
      ...(memory ? { memory } : {}),
      abort(_message: number, _file: number, line: number, column: number) {
        throw new Error(`wasm-mlp kernel assertion failed at line ${line}:${column}`);
      },
    },
  });
  // The loader wraps every exported function in (...args) => { setArgumentsLength(...); ... },
  // for optional arguments, which no kernel has: bind the plain wasm functions (`original`)
  // instead, saving an array and a call on each of the ~10 calls of every training step.
  const kernels: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exports)) {
    kernels[name] = typeof value === 'function' && 'original' in value ? (value as { original: unknown }).original : value;
  }
  if (memory) kernels.memory = memory;
  return kernels as unknown as Kernels;
}

async function readWasm(url: URL): Promise<BufferSource> {
  if (url.protocol === 'file:') {
    const fs = 'node:fs/promises';
    const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises');
    return readFile(url);
  }
  if (url.protocol === 'data:' || typeof fetch === 'function') {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`wasm-mlp: could not load ${url.href}: HTTP ${response.status}`);
    return response.arrayBuffer();
  }
  throw new Error(`wasm-mlp: no way to load ${url.href} in this environment`);
}

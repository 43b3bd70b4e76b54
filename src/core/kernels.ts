// Loads the wasm-mlp kernel module in Node or a browser and binds its exports into a typed table.
// The only module that touches WebAssembly.*; it knows nothing about networks or training.
import { WasmMlpError } from './errors.js';
import { nodeModule } from './platform.js';

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

/** The debug build, for tests in Node: named through a variable so that no bundler ships it. */
const DEBUG_WASM = '../../build/wasm-mlp.debug.wasm';

/**
 * Where a variant's .wasm file is. Each URL is written out whole so that bundlers (Vite, webpack)
 * find the files and emit them as assets; only the one a network uses is ever fetched.
 */
function wasmUrl(variant: KernelVariant): URL {
  switch (variant) {
    case 'simd':
      return new URL('../../build/wasm-mlp.wasm', import.meta.url);
    case 'scalar':
      return new URL('../../build/wasm-mlp.scalar.wasm', import.meta.url);
    case 'threads':
      return new URL('../../build/wasm-mlp.threads.wasm', import.meta.url);
    case 'debug':
      return new URL(DEBUG_WASM, import.meta.url);
  }
}

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
    module = compileFrom(wasmUrl(variant));
    module.catch(() => compiled.delete(variant));
    compiled.set(variant, module);
  }
  return module;
}

/** An instance of a compiled kernel module: on its own memory, or on `memory` for the threads build. */
export function instantiateKernels(module: WebAssembly.Module, memory?: WebAssembly.Memory): Kernels {
  let own: WebAssembly.Memory | undefined;
  const instance = new WebAssembly.Instance(module, {
    env: {
      ...(memory ? { memory } : {}),
      // Only the debug build asserts (the others are built with --noAssert).
      abort(message: number, file: number, line: number, column: number) {
        const mem = (memory ?? own)!;
        throw new WasmMlpError(`wasm-mlp kernel assertion failed: ${readString(mem, message)} at ${readString(mem, file)}:${line}:${column}`);
      },
    },
  });
  const kernels = { ...instance.exports } as Record<string, unknown>;
  own = (memory ?? kernels.memory) as WebAssembly.Memory;
  kernels.memory = own;
  return kernels as unknown as Kernels;
}

/** An AssemblyScript string in `memory` at `ptr`: UTF-16, its byte length in the 4 bytes before it. */
function readString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, bytes >>> 1));
}

/**
 * Compiles the module at `url`: read from disk in Node; fetched elsewhere, and compiled while it
 * downloads (`compileStreaming`) when the server says application/wasm, else from its bytes.
 */
async function compileFrom(url: URL): Promise<WebAssembly.Module> {
  let bytes: BufferSource;
  try {
    if (url.protocol === 'file:') {
      bytes = await nodeModule('node:fs/promises').readFile(url);
    } else {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (response.headers.get('content-type')?.split(';')[0].trim() === 'application/wasm') return await WebAssembly.compileStreaming(response);
      bytes = await response.arrayBuffer();
    }
  } catch (cause) {
    throw new WasmMlpError(`cannot load the kernels ${url.href}: ${(cause as Error).message}`, { cause });
  }
  return WebAssembly.compile(bytes);
}

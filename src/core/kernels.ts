// Loads the wasm-mlp kernel module in Node or a browser and binds its exports into a typed table.
// The only module that touches WebAssembly.*; it knows nothing about networks or training.
import { WasmMlpError } from './errors.js';
import type { KernelExports, ScalarTwins } from './kernels.generated.js';
import { isNode, nodeModule } from './platform.js';

/** A kernel instance: its exports (from the kernel table, assembly/kernels.mjs) and its memory. */
export interface Kernels extends KernelExports {
  readonly memory: WebAssembly.Memory;
}

/** The debug build's instance: the kernels and, beside each twinned one, its scalar twin. */
export type DebugKernels = Kernels & ScalarTwins;

/**
 * Which build of the kernels: `relaxed` (f32x4 with fused multiply-adds, relaxed SIMD: the default
 * where the engine has it; deterministic on one machine, not across machines), `simd` (f32x4,
 * separate multiply and add: the same bits on every machine), `scalar` (plain wasm MVP),
 * `threads` / `relaxed-threads` (simd / relaxed on an imported shared memory, for training on
 * threads).
 */
export type KernelVariant = 'relaxed' | 'simd' | 'scalar' | 'threads' | 'relaxed-threads';
export const KERNEL_VARIANTS: readonly KernelVariant[] = ['relaxed', 'simd', 'scalar', 'threads', 'relaxed-threads'];
/** A build of the kernels: a variant, or the tests' `debug` build (simd, assertions, and the scalar twins; not shipped: tests compile it by its file, compileKernelFile). */
export type KernelBuild = KernelVariant | 'debug';

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
    case 'relaxed':
      return new URL('../../build/wasm-mlp.relaxed.wasm', import.meta.url);
    case 'relaxed-threads':
      return new URL('../../build/wasm-mlp.relaxed-threads.wasm', import.meta.url);
  }
}

/** True when threads can share a memory here (SharedArrayBuffer; in a page, cross-origin isolation). */
export function threadsSupported(): boolean {
  return memoryShares() && simdSupported();
}

/** True when memory can be shared with workers: SharedArrayBuffer exists and, in a page, the page is cross-origin isolated. */
export function memoryShares(): boolean {
  return typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
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

// The smallest module that uses a relaxed SIMD instruction (three splats into f32x4.relaxed_madd).
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0, 65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 133, 2, 11,
]);

/** True when this engine runs WebAssembly relaxed SIMD (Chrome 114+, Node 22+; Node 20 with --experimental-wasm-relaxed-simd). */
export function relaxedSupported(): boolean {
  return WebAssembly.validate(RELAXED_PROBE);
}

/** The variant to use when the caller does not choose: relaxed SIMD where the engine has it, else SIMD, else scalar. */
export function defaultVariant(): KernelVariant {
  return relaxedSupported() ? 'relaxed' : simdSupported() ? 'simd' : 'scalar';
}

/** The build a network of `threads` training threads uses for the family `variant` asked for. */
export function variantFor(variant: KernelVariant, threads: number): KernelVariant {
  if (threads === 1) return variant;
  return variant.startsWith('relaxed') ? 'relaxed-threads' : 'threads';
}

/** What `variant` needs that this engine lacks, or '' when it runs here. */
export function lackingFor(variant: KernelVariant): string {
  if (variant.startsWith('relaxed') && !relaxedSupported()) return 'WebAssembly relaxed SIMD (Chrome 114+, Node 22+)';
  if (sharedBuild(variant) && !threadsSupported()) return 'SharedArrayBuffer (in a page: cross-origin isolation) and SIMD';
  return '';
}

/** Whether a build imports a shared memory (the threads builds). */
export function sharedBuild(variant: KernelBuild): boolean {
  return variant === 'threads' || variant === 'relaxed-threads';
}

const compiled = new Map<KernelVariant, Promise<WebAssembly.Module>>();

/** Compiles (once per variant and process) the kernel module. */
export function compileKernels(variant: KernelVariant = defaultVariant()): Promise<WebAssembly.Module> {
  let module = compiled.get(variant);
  if (!module) {
    module = compileKernelFile(wasmUrl(variant));
    module.catch(() => compiled.delete(variant));
    compiled.set(variant, module);
  }
  return module;
}

/**
 * An instance of a compiled kernel module: on its own memory, or on `memory` for the threads build.
 * Only the debug build asserts (the others are built with --noAssert): `abort` is called with the
 * instance's memory and the assertion's message, file, line and column pointers (tests decode them).
 */
export function instantiateKernels(module: WebAssembly.Module, memory?: WebAssembly.Memory, abort?: (memory: WebAssembly.Memory, ...at: number[]) => never): Kernels {
  let own: WebAssembly.Memory | undefined;
  const instance = new WebAssembly.Instance(module, {
    env: {
      ...(memory ? { memory } : {}),
      abort(...at: number[]) {
        if (abort) abort((memory ?? own)!, ...at);
        throw new WasmMlpError('a wasm-mlp kernel assertion failed');
      },
    },
  });
  const kernels = { ...instance.exports } as Record<string, unknown>;
  own = (memory ?? kernels.memory) as WebAssembly.Memory;
  kernels.memory = own;
  return kernels as unknown as Kernels;
}

/**
 * Compiles the module at `url`: read from disk in Node; fetched elsewhere, and compiled while it
 * downloads (`compileStreaming`) when the server says application/wasm, else from its bytes.
 */
export async function compileKernelFile(url: URL): Promise<WebAssembly.Module> {
  let bytes: BufferSource;
  try {
    if (isNode && url.protocol === 'file:') {
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

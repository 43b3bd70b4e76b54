// Shared test tools: tolerance comparison that prints the first differing values (as llm.c's
// check_tensor), seeded random data, and direct access to a kernel instance.
import { expect } from 'vitest';
import { Rng } from '../src/core/random.js';
import { WasmMlpError } from '../src/core/errors.js';
import { compileKernelFile, compileKernels, instantiateKernels, sharedBuild, sharedMemory, type DebugKernels, type Kernels, type KernelBuild } from '../src/core/kernels.js';
import { MemoryPlan } from '../src/core/memory.js';

/**
 * Asserts |actual - expected| <= atol + rtol * |expected| elementwise. On failure the message lists
 * the first differing indices with both values, so a broken kernel shows where it breaks.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, atol = 1e-5, rtol = 1e-4): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const bad: string[] = [];
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    const tol = atol + rtol * Math.abs(expected[i]);
    if (!(diff <= tol)) {
      if (bad.length < 5) bad.push(`[${i}] got ${actual[i]} expected ${expected[i]} (diff ${diff.toExponential(2)}, tol ${tol.toExponential(2)})`);
      worst = Math.max(worst, diff);
    }
  }
  if (bad.length) throw new Error(`${label}: values differ beyond atol ${atol}, rtol ${rtol}; first ones:\n  ${bad.join('\n  ')}`);
}

export function randomArray(rng: Rng, n: number, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.float() * 2 - 1) * scale;
  return a;
}

export function randomPixels(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.round(rng.float() * 255) / 255;
  return a;
}

export function randomLabels(rng: Rng, n: number, classes: number): Uint8Array {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.below(classes);
  return a;
}

/** A kernel instance with a memory plan, for calling kernels directly. */
export class KernelBench {
  constructor(
    readonly k: Kernels,
    readonly plan: MemoryPlan,
    /** The debug build's instance with its scalar twins; null in the other builds, which have none. */
    readonly twins: DebugKernels | null,
  ) {}

  /** A fresh instance of `variant`. */
  static async create(variant: KernelBuild): Promise<KernelBench> {
    const module = variant === 'debug' ? await debugBuild() : await compileKernels(variant);
    const k = instantiateKernels(module, sharedBuild(variant) ? sharedMemory() : undefined, assertionFailed);
    return new KernelBench(k, new MemoryPlan(k), variant === 'debug' ? (k as DebugKernels) : null);
  }

  /** Reserves room for `values` as f32 and copies them in. */
  f32(values: ArrayLike<number>): number {
    const ptr = this.plan.reserve(Math.max(1, values.length) * 4, 'test buffer');
    this.plan.f32.set(values, ptr >> 2);
    return ptr;
  }

  u8(values: ArrayLike<number>): number {
    const ptr = this.plan.reserve(Math.max(1, values.length), 'test buffer');
    this.plan.u8.set(values, ptr);
    return ptr;
  }

  u32(values: ArrayLike<number>): number {
    const ptr = this.plan.reserve(Math.max(1, values.length) * 4, 'test buffer');
    this.plan.u32.set(values, ptr >> 2);
    return ptr;
  }

  readF32(ptr: number, n: number): Float32Array {
    return this.plan.f32.slice(ptr >> 2, (ptr >> 2) + n);
  }

  readU8(ptr: number, n: number): Uint8Array {
    return this.plan.u8.slice(ptr, ptr + n);
  }
}

/** f32 rounding of every value, as the kernels see their inputs. */
export function f32(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(Float32Array.from(a));
}

let debug: Promise<WebAssembly.Module> | null = null;
/** The debug build (simd, assertions, the scalar twins), compiled once: it never ships, so only tests name its file. */
export function debugBuild(): Promise<WebAssembly.Module> {
  return (debug ??= compileKernelFile(new URL('../build/wasm-mlp.debug.wasm', import.meta.url)));
}

/** A debug build's failed assertion, with its message and where it is (AssemblyScript strings: UTF-16, their byte length before them). */
function assertionFailed(memory: WebAssembly.Memory, message = 0, file = 0, line = 0, column = 0): never {
  const text = (ptr: number) => (ptr ? String.fromCharCode(...new Uint16Array(memory.buffer, ptr, new Uint32Array(memory.buffer, ptr - 4, 1)[0] >>> 1)) : '');
  throw new WasmMlpError(`wasm-mlp kernel assertion failed: ${text(message)} at ${text(file)}:${line}:${column}`);
}

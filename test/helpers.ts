// Shared test tools: tolerance comparison that prints the first differing values (as llm.c's
// check_tensor), seeded random data, and direct access to a kernel instance.
import { expect } from 'vitest';
import { Rng } from '../src/core/random.js';
import { compileKernels, instantiateKernels, type Kernels, type KernelVariant } from '../src/core/kernels.js';
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
  ) {}

  /**
   * A fresh instance of `variant`. The scalar twins (`...Scalar`) are exported by the debug build
   * only (SIMD paths and their oracles side by side); in the scalar build they map to the plain
   * kernels, which are the scalar ones there.
   */
  static async create(variant: KernelVariant): Promise<KernelBench> {
    const k = instantiateKernels(await compileKernels(variant));
    const twins = variant === 'scalar' ? scalarTwins(k) : {};
    const kernels = Object.assign(Object.create(k), twins) as Kernels;
    return new KernelBench(kernels, new MemoryPlan(k));
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

/** The `...Scalar` entries of the debug build, expressed with the scalar build's plain kernels. */
function scalarTwins(k: Kernels): Partial<Kernels> {
  const same = ['gatherRuns', 'sigmoid', 'sigmoidPrimeMul', 'denseForward', 'denseBackwardInput', 'nonzeroColumns', 'sparseForward', 'sgdUpdate', 'reduceUpdate'] as const;
  const twins: Record<string, unknown> = {};
  for (const name of same) twins[`${name}Scalar`] = (k[name] as (...a: number[]) => unknown).bind(k);
  twins.denseOuterScalar = (G: number, g: number, d: number, x: number, alpha: number, acc: number, B: number, R: number, C: number, D: number) => {
    if (acc && alpha !== 1) return k.denseSgdStep(G, g, d, x, -alpha, B, R, C, D);
    if (D !== R) return fail('denseOuterScalar with a delta stride needs acc and alpha != 1 (denseSgdStep)');
    if (!acc) return alpha === 1 ? k.denseGradient(G, g, d, x, B, R, C) : fail('denseOuterScalar without acc needs alpha 1');
    return k.denseBackwardParams(G, g, d, x, B, R, C);
  };
  twins.sparseOuterScalar = (G: number, g: number, d: number, x: number, l: number, c: number, alpha: number, acc: number, B: number, R: number, C: number, S: number, D: number) =>
    acc ? k.sparseOuter(G, g, d, x, l, c, alpha, B, R, C, S, D) : alpha === 1 ? k.sparseGradient(G, g, d, x, l, c, B, R, C, S, D) : fail('sparseOuterScalar without acc needs alpha 1');
  return twins as Partial<Kernels>;
}

function fail(message: string): never {
  throw new Error(message);
}

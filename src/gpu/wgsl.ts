// WGSL every GPU kernel shares: the per-step uniform (group 0: which examples, the update's
// numbers), the constants and functions of the wasm kernels written again in WGSL (the same
// definitions: hash32, e^x by its polynomial, sigmoid with its flush, the activations and their
// derivatives), and the declarations of a kernel's own bindings (group 1). Not for: the kernels.
import type { Activation, Cost } from '../core/costs.js';
import type { Optimizer } from '../core/optimizer.js';

/** What a kernel is compiled for: the cost, the optimizer and, for the rows that apply one, a hidden layer's activation. */
export interface KernelSettings {
  activation: Activation;
  cost: Cost;
  optimizer: Optimizer;
}

/** A row of the GPU kernel table (kernels.ts). */
export interface GpuKernel {
  name: string;
  /** The wasm kernels (assembly/kernels.mjs) whose definitions this kernel follows. */
  wasm: readonly string[];
  /** Shapes first, then what it computes. */
  doc: string;
  /** Storage buffers in binding order: `name` (f32, read), with `:u32` and `:rw` as binding() reads them. */
  buffers: readonly string[];
  /** Fields of its `args` uniform, u32 unless `:f32`. */
  args: readonly string[];
  /** Invocations per workgroup, [x, y]. */
  workgroup: readonly [number, number];
  /** Whether its code applies a hidden layer's activation (or its derivative): compiled once for each a network uses. */
  activated?: boolean;
  /** WGSL after the declarations and prelude: helpers and `main`. */
  code(s: KernelSettings): string;
}

/** Bytes between two steps' uniforms (a dynamic offset must be a multiple of 256). */
export const STEP_BYTES = 256;

/**
 * The per-step uniform, one slot per mini-batch (or evaluation chunk): its example count m, its
 * first row in the epoch (or first example), where its cost goes, whether it trains (dropout,
 * shuffled indices), then one step's update as core/optimizer.ts makes it (UpdateSettings).
 */
export const STEP_FIELDS = ['m', 'row0', 'slot', 'training', 'scale:f32', 'momentum:f32', 'beta1:f32', 'beta2:f32', 'epsilon:f32', 'rate:f32', 'decay:f32', 'shrink:f32', 'gradScale:f32'] as const;

/** `name` or `name:f32` as [name, type]. */
export function field(f: string): [string, 'u32' | 'f32'] {
  const [name, type = 'u32'] = f.split(':');
  return [name, type as 'u32' | 'f32'];
}

function struct(name: string, fields: readonly string[]): string {
  return `struct ${name} {\n${fields.map((f) => `  ${field(f).join(': ')},`).join('\n')}\n}`;
}

/** A storage binding of a kernel: `name` (f32, read), `name:rw` (f32, read_write), `name:u32`, `name:u32:rw`. */
export function binding(spec: string): { name: string; type: 'f32' | 'u32'; writable: boolean } {
  const parts = spec.split(':');
  return { name: parts[0], type: parts.includes('u32') ? 'u32' : 'f32', writable: parts.includes('rw') };
}

/** Group 0 (the step) and group 1: the kernel's storage buffers in order, then its `args` uniform. */
export function declarations(buffers: readonly string[], args: readonly string[]): string {
  const storage = buffers.map((spec, i) => {
    const b = binding(spec);
    return `@group(1) @binding(${i}) var<storage, ${b.writable ? 'read_write' : 'read'}> ${b.name}: array<${b.type}>;`;
  });
  return [
    struct('Step', STEP_FIELDS),
    '@group(0) @binding(0) var<uniform> step: Step;',
    ...storage,
    ...(args.length ? [struct('Args', args), `@group(1) @binding(${buffers.length}) var<uniform> args: Args;`] : []),
  ].join('\n');
}

/** The wasm kernels' constants and scalar functions (assembly/shared.ts), in WGSL. */
export const PRELUDE = /* wgsl */ `
const PIXEL_SCALE: f32 = 1.0 / 255.0;
const DELTA_FLUSH: f32 = 1.0842021724855044e-19;
const TINY: f32 = 1e-30;
const COST_FLOOR: f32 = 1e-30;
const SIGMOID_FLUSH: f32 = -43.668;

// lowbias32 of index * golden + key (assembly/shared.ts hash32)
fn hash32(key: u32, index: u32) -> u32 {
  var x = index * 0x9e3779b9u + key;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

// Whether v is NaN, and whether it is finite, by its bits: WGSL lets a compiler assume there are no
// NaNs (and its min, max and clamp may drop one), but a diverging run must see them as wasm does
fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn isFinite(v: f32) -> bool { return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u; }

// e^x as assembly/shared.ts expf32: Cody-Waite reduction, Cephes' degree-5 polynomial, 2^k in the
// exponent; NaN stays NaN (wasm's min and max keep it)
fn expf32(v: f32) -> f32 {
  if (isNan(v)) { return v; }
  let x = clamp(v, -88.0, 88.5);
  let k = floor(x * 1.44269504088896341 + 0.5);
  let r = x - k * 0.693359375 - k * -2.12194440e-4;
  let p = ((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r + 1.6666665459e-1) * r + 5.0000001201e-1;
  return (p * (r * r) + r + 1.0) * bitcast<f32>((i32(k) + 127) << 23u);
}

fn sigmoid(z: f32) -> f32 {
  if (z < SIGMOID_FLUSH) { return 0.0; }
  return 1.0 / (1.0 + expf32(-z));
}

fn flushed(d: f32) -> f32 {
  return select(d, 0.0, abs(d) < DELTA_FLUSH);
}
`;

/** f(z) and delta f'(z) from f(z) of a hidden activation, as the wasm kernels (activations.ts, common.ts). */
export function activationCode(activation: Activation): string {
  const f = {
    sigmoid: 'return sigmoid(z);',
    tanh: 'return 1.0 - 2.0 / (expf32(2.0 * z) + 1.0);',
    relu: 'return select(0.0, z, z > 0.0);',
  }[activation];
  const prime = {
    sigmoid: 'return flushed(delta * (a * (1.0 - a)));',
    tanh: 'return flushed(delta * (1.0 - a * a));',
    relu: 'return flushed(select(0.0, delta, a > 0.0));',
  }[activation];
  return `fn activate(z: f32) -> f32 { ${f} }\nfn primeMul(delta: f32, a: f32) -> f32 { ${prime} }`;
}

/** Inverted dropout's mask of unit j of the epoch's row `row` in a layer `width` wide: 0 or the scale. */
export const DROPOUT_CODE = /* wgsl */ `
fn dropped(v: f32, key: u32, row: u32, width: u32, j: u32, threshold: u32, scale: f32) -> f32 {
  if (threshold == 0u || step.training == 0u) { return v; }
  return select(0.0, v * scale, hash32(key, row * width + j) >= threshold);
}
`;

// The 128-bit multiply-add rate this engine reaches on one core (bench/peak/fma.ts: chains of
// f32x4.relaxed_madd in registers, and a 4 x 8 register tile over L1-resident operands) and,
// beside it, the rate of each kernel that carries a training step, on the shapes of the bench's
// networks (784-256-256-10 at batch 64, 784-800-10 at batch 128, MNIST's own images): how far
// each is from the better of the two. Counts the multiply-adds each kernel needs (2 FLOP each;
// the sparse ones count only the nonzero inputs they touch). Each is called many times first: V8
// optimises a wasm function only after it has run a while.
// Usage: node bench/peak.mjs [--json] (after npm run build; on an engine with relaxed SIMD). Not a test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileKernels, instantiateKernels, relaxedSupported } from '../dist/core/kernels.js';
import { MemoryPlan } from '../dist/core/memory.js';
import { loadMnist } from '../dist/node.js';

const json = process.argv.includes('--json');
const log = (...a) => (json ? process.stderr.write(`${a.join(' ')}\n`) : console.log(...a));
if (!relaxedSupported()) throw new Error('this engine has no relaxed SIMD: run on Node 22+ (or Node 20 with --experimental-wasm-relaxed-simd)');

/** The fastest of `rounds` timings (ms) of `run`, after one warm-up call. */
function fastest(run, rounds = 7) {
  run();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

// ---- the ceiling
const dir = mkdtempSync(join(os.tmpdir(), 'wasm-mlp-peak-'));
let peak;
try {
  const out = join(dir, 'fma.wasm');
  const asc = fileURLToPath(new URL('../node_modules/assemblyscript/bin/asc.js', import.meta.url));
  execFileSync(process.execPath, [asc, fileURLToPath(new URL('peak/fma.ts', import.meta.url)), '--enable', 'simd,relaxed-simd', '-O3', '--runtime', 'stub', '--noAssert', '--use', 'abort=', '--exportRuntime', '-o', out], { stdio: 'pipe' });
  const fma = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), {}).exports;
  // many calls of a short loop, not one long one: V8 optimises a wasm function (TurboFan) once it has run a while, and a running call stays in the baseline tier
  const rate = (run, madds) => {
    for (let i = 0; i < 300; i++) run();
    const ms = fastest(() => {
      for (let i = 0; i < 200; i++) run();
    }, 5);
    return (200 * madds * 8) / ms / 1e6; // 4 lanes x 2 FLOP a vector multiply-add
  };
  const K = 256;
  const base = fma.memory.buffer.byteLength; // past the module's data: grow a page for the operands
  fma.memory.grow(1);
  const view = new Float32Array(fma.memory.buffer, base, 12 * K);
  view.fill(0.001);
  peak = {
    chains: rate(() => fma.chains(10000, 1e-3), 12 * 10000),
    tile: rate(() => fma.tile(base, base + 16 * K, K, 40), 8 * K * 40),
  };
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const ceiling = Math.max(peak.chains, peak.tile);
log(`f32x4 multiply-add ceiling, one core: ${peak.chains.toFixed(1)} GFLOP/s in register chains, ${peak.tile.toFixed(1)} in a 4 x 8 tile from L1`);

// ---- the kernels, on one instance of the relaxed build
const k = instantiateKernels(await compileKernels('relaxed'));
const plan = new MemoryPlan(k);
const f32 = (n, fill = () => Math.random() - 0.5) => {
  const at = plan.reserve(4 * n, 'bench');
  for (let i = 0; i < n; i++) plan.f32[(at >> 2) + i] = fill(i);
  return at;
};
const u32 = (n) => plan.reserve(4 * n, 'bench');
const { train } = await loadMnist();

/** A batch of m MNIST images as the gather lists them, and its transpose by column. */
function batch(m) {
  const C = 784;
  const x = f32(m * C, (i) => train.images[i] / 255);
  const [list, vals, counts] = [u32(m * C), f32(m * C, () => 0), u32(m)];
  k.nonzeroColumns(list, vals, counts, x, m, C);
  const nnz = plan.u32.subarray(counts >> 2, (counts >> 2) + m).reduce((a, b) => a + b, 0);
  const [tstarts, texamples, tvals, scratch] = [u32(C + 1), u32(m * C), f32(m * C, () => 0), f32((m + 1) * 32, () => 0)];
  k.transposeLists(tstarts, texamples, tvals, list, vals, counts, m, C, 0);
  return { x, list, vals, counts, nnz, tstarts, texamples, tvals, scratch };
}

const rows = [];
function measure(what, madds, run) {
  const reps = Math.max(1, Math.round(2e7 / madds));
  const ms = fastest(() => {
    for (let r = 0; r < reps; r++) run();
  }) / reps;
  const gflops = (2 * madds) / ms / 1e6;
  rows.push({ what, ms, gflops, ofPeak: gflops / ceiling });
  log(`${what.padEnd(62)} ${(ms * 1000).toFixed(0).padStart(6)} us  ${gflops.toFixed(1).padStart(5)} GFLOP/s  ${((100 * gflops) / ceiling).toFixed(0).padStart(3)}% of the ceiling`);
}

for (const [m, R, C] of [[64, 256, 256], [128, 10, 800]]) {
  const [W, b, x, z, d, dx] = [f32(R * C), f32(R), f32(m * C), f32(m * R), f32(m * R), f32(m * C)];
  measure(`denseForward ${m} x ${C} -> ${R}`, m * R * C, () => k.denseForward(z, W, b, x, m, R, C));
  measure(`denseBackwardInput ${m} x ${R} -> ${C}`, m * R * C, () => k.denseBackwardInput(dx, W, d, m, R, C));
  measure(`denseSgdStep ${R} x ${C} over ${m}`, m * R * C, () => k.denseSgdStep(W, b, d, x, 1e-9, m, R, C, R));
}
for (const [m, R] of [[10, 30], [64, 256], [128, 800]]) {
  const S = Math.ceil(R / 16) * 16;
  const s = batch(m);
  const [WT, M, V, b, z, d] = [f32(784 * S), f32(784 * S, () => 0), f32(784 * S, () => 0), f32(R), f32(m * R), f32(m * R)];
  const madds = s.nnz * R;
  measure(`sparseForward ${m} MNIST images -> ${R}`, madds, () => k.sparseForward(z, WT, b, s.vals, s.list, s.counts, m, R, 784, S, R));
  measure(`sparseOuter (example by example) ${m} -> ${R}`, madds, () => k.sparseOuter(WT, b, d, s.vals, s.list, s.counts, -1e-9, m, R, 784, S, R));
  measure(`sparseOuterColumns ${m} -> ${R}`, madds, () => k.sparseOuterColumns(WT, b, d, s.tstarts, s.texamples, s.tvals, s.scratch, -1e-9, m, R, 784, S, R, 1, 0));
  measure(`sparseAdamColumns ${m} -> ${R} (Adam on all ${784 * R} weights too)`, madds, () => k.sparseAdamColumns(WT, M, V, b, d, s.tstarts, s.texamples, s.tvals, s.scratch, 1 / m, 1e-9, 0.9, 0.999, 1e-8, 0, m, R, 784, S, R, 1, 0));
}
if (json) process.stdout.write(`${JSON.stringify({ engine: `Node ${process.versions.node}`, peak, kernels: rows })}\n`);

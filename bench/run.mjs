// `npm run bench`: trains the same networks with each implementation in one run and reports
// seconds per epoch, examples/s, GFLOP/s and the ratio to a baseline measured in the same run.
// Not a test: it asserts nothing; figures go to bench/RESULTS.md by hand with machine and commit.
import { execSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Network, Rng, sliceDataset, train } from '../dist/index.js';
import { loadMnist } from '../dist/node.js';
import { ReferenceNetwork } from '../dist/reference.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const EPOCH = 60000;
const { train: mnist, test } = await loadMnist();

/** Nominal FLOPs of training: 6 per parameter per example (forward 2, backward 4). */
const trainFlops = (sizes, examples) => 6 * paramCount(sizes) * examples;
const paramCount = (sizes) => sizes.slice(1).reduce((t, n, i) => t + n * sizes[i] + n, 0);

/** wasm-mlp training over `examples` images; returns seconds of training (evaluation excluded). */
async function wasmTrain(variant, sizes, batchSize, examples) {
  const net = await Network.create({ sizes, seed: 1, kernels: variant });
  const data = sliceDataset(mnist, 0, examples);
  await train(net, sliceDataset(mnist, 0, Math.min(examples, 2000)), { epochs: 1, batchSize }); // warm up
  const { history } = await train(net, data, { epochs: 1, batchSize, yieldEveryMs: 1e9 });
  net.dispose();
  return history[0].trainSeconds;
}

/** The float64 reference, one example at a time, over `examples` images. */
function referenceTrain(sizes, batchSize, examples) {
  const rng = new Rng(1);
  const net = new ReferenceNetwork(sizes, new Float64Array(paramCount(sizes)).map(() => rng.normal()));
  const pixels = 784;
  const t0 = performance.now();
  for (let start = 0; start < examples; start += batchSize) {
    const m = Math.min(batchSize, examples - start);
    const xs = Float64Array.from(mnist.images.subarray(start * pixels, (start + m) * pixels), (v) => v / 255);
    net.sgdStep(xs, mnist.labels.subarray(start, start + m), 1.5);
  }
  return (performance.now() - t0) / 1000;
}

async function inference(variant, sizes, count) {
  const net = await Network.create({ sizes, seed: 1, kernels: variant });
  const x = Float32Array.from(test.images.subarray(0, count * 784), (v) => v / 255);
  net.predict(x);
  const reps = 5;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) net.predict(x);
  const seconds = (performance.now() - t0) / 1000 / reps;
  net.dispose();
  return seconds;
}

const configs = [
  { name: '784-30-10 b10', sizes: [784, 30, 10], batchSize: 10, examples: args.quick ? 10000 : EPOCH, refExamples: args.quick ? 300 : 2000 },
  { name: '784-100-10 b10', sizes: [784, 100, 10], batchSize: 10, examples: args.quick ? 5000 : 20000, refExamples: args.quick ? 100 : 500 },
  { name: '784-256-256-10 b64', sizes: [784, 256, 256, 10], batchSize: 64, examples: args.quick ? 2000 : 10000, refExamples: args.quick ? 64 : 256 },
];

const rows = [];
for (const c of configs) {
  const results = [
    { impl: 'TypeScript float64 reference', seconds: referenceTrain(c.sizes, c.batchSize, c.refExamples), examples: c.refExamples },
    { impl: 'wasm-mlp scalar', seconds: await wasmTrain('scalar', c.sizes, c.batchSize, c.examples), examples: c.examples },
    { impl: 'wasm-mlp simd', seconds: await wasmTrain('simd', c.sizes, c.batchSize, c.examples), examples: c.examples },
  ];
  const base = results[0].seconds / results[0].examples;
  for (const r of results) {
    const perExample = r.seconds / r.examples;
    rows.push({
      config: c.name,
      impl: r.impl,
      secondsPerEpoch: perExample * EPOCH,
      examplesPerSecond: 1 / perExample,
      gflops: trainFlops(c.sizes, 1) / perExample / 1e9,
      speedup: base / perExample,
      measuredExamples: r.examples,
    });
  }
}

const inferRows = [];
for (const variant of ['scalar', 'simd']) {
  inferRows.push({ impl: `wasm-mlp ${variant}`, what: '784-30-10, 10,000 test images', ms: 1000 * (await inference(variant, [784, 30, 10], 10000)) });
  inferRows.push({ impl: `wasm-mlp ${variant}`, what: '784-30-10, one image', ms: 1000 * (await inference(variant, [784, 30, 10], 1)) });
}

let commit = 'unknown';
try {
  commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
} catch {}
const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`;

if (args.json) {
  process.stdout.write(`${JSON.stringify({ machine, commit, quick: args.quick, training: rows, inference: inferRows })}\n`);
} else {
  console.log(`wasm-mlp bench (${args.quick ? 'quick' : 'full'}), ${machine}, commit ${commit}`);
  console.log('Training (one thread; s/epoch extrapolated to 60,000 examples from the measured count; speedup vs the float64 reference):');
  console.table(rows.map((r) => ({
    config: r.config,
    implementation: r.impl,
    's/epoch': r.secondsPerEpoch.toFixed(3),
    'examples/s': Math.round(r.examplesPerSecond),
    'GFLOP/s': r.gflops.toFixed(2),
    'x reference': r.speedup.toFixed(1),
    measured: r.measuredExamples,
  })));
  console.log('Inference (predict, mean of 5):');
  console.table(inferRows.map((r) => ({ implementation: r.impl, what: r.what, ms: r.ms.toFixed(3) })));
}

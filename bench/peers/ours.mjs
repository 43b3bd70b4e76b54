// wasm-mlp's row in the peers bench (bench/peers.mjs): one epoch of one of the three configs
// (configs.mjs) with a given kernel build and thread count, after a warm-up of a few batches;
// prints {seconds, testAccuracy, ...} as JSON. A worker of worker.mjs's protocol; run alone:
//   node bench/peers/ours.mjs --config B --threads 2 --kernels relaxed
// Not for: anything but the bench.
import { evaluate, Network, sliceDataset, train } from '../../dist/index.js';
import { loadMnist } from '../../dist/node.js';
import { ADAM, CONFIGS, WARMUP_BATCHES } from './configs.mjs';
import { serveOrRun } from './worker.mjs';

const { train: mnist, test } = await loadMnist();

async function measure({ config, threads = 1, kernels, examples = 60000 }) {
  const c = CONFIGS[config];
  if (!c) throw new Error(`no config ${config}`);
  const net = await Network.create({ sizes: c.sizes, seed: 1, activation: c.activation, cost: c.cost, init: c.init, threads, kernels });
  try {
    const options = { epochs: 1, batchSize: c.batchSize, eta: c.eta, optimizer: c.optimizer, ...(c.optimizer === 'adam' ? ADAM : {}), yieldEveryMs: 1e9 };
    await train(net, sliceDataset(mnist, 0, WARMUP_BATCHES * c.batchSize), options); // warm-up
    const { history } = await train(net, sliceDataset(mnist, 0, examples), options);
    return {
      impl: `wasm-mlp ${kernels ?? net.variant}`,
      variant: net.variant,
      node: process.version,
      config,
      threads: net.threads,
      examples,
      seconds: history[0].trainSeconds,
      testAccuracy: evaluate(net, test).accuracy,
    };
  } finally {
    net.dispose();
  }
}

await serveOrRun(measure, { kernels: { type: 'string' } });

// How training scales with threads here: the bench's big networks (784-256-256-10 SGD b64,
// 784-800-10 Adam b128, and the latter with affine + elastic augmentation, the 99.3% recipe's
// step) on 1 and on T threads, alternated round after round in one process (the fastest epoch of
// each is kept), then the speed-up S, the serial fraction it implies (Karp-Flatt: e = (1/S - 1/T)
// / (1 - 1/T)) and what Amdahl's law predicts from e for 4, 8 and 16 cores. Not a test.
// Usage: node bench/threads.mjs [--threads 2] [--rounds 3] [--examples 60000] [--json]
import { parseArgs } from 'node:util';
import { Network, sliceDataset, train } from '../dist/index.js';
import { loadMnist } from '../dist/node.js';

const { values: args } = parseArgs({ options: { threads: { type: 'string', default: '2' }, rounds: { type: 'string', default: '3' }, examples: { type: 'string', default: '60000' }, json: { type: 'boolean', default: false } } });
const T = Number(args.threads);
const ROUNDS = Number(args.rounds);
const log = (...a) => (args.json ? process.stderr.write(`${a.join(' ')}\n`) : console.log(...a));
const { train: mnist } = await loadMnist();
const data = sliceDataset(mnist, 0, Number(args.examples));
const relu = { activation: 'relu', cost: 'log-likelihood', init: 'he' };
const AUGMENT = { affine: { rotation: 10, scale: 0.1, shear: 0.15, shift: 2 }, elastic: { alpha: 34, sigma: 4 } };
const CONFIGS = [
  ['784-256-256-10 ReLU SGD b64', { sizes: [784, 256, 256, 10], ...relu }, { batchSize: 64, eta: 0.1 }],
  ['784-800-10 ReLU Adam b128', { sizes: [784, 800, 10], ...relu }, { batchSize: 128, eta: 0.001, optimizer: 'adam' }],
  ['784-800-10 ReLU Adam b128, affine + elastic', { sizes: [784, 800, 10], ...relu }, { batchSize: 128, eta: 0.001, optimizer: 'adam', augment: AUGMENT }],
];

const rows = [];
for (const [name, netOptions, trainOptions] of CONFIGS) {
  const nets = await Promise.all([1, T].map((threads) => Network.create({ seed: 1, threads, ...netOptions })));
  for (const net of nets) await train(net, sliceDataset(mnist, 0, 2048), { epochs: 1, ...trainOptions }); // warm-up
  const best = [Infinity, Infinity];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, net] of nets.entries()) {
      const { history } = await train(net, data, { epochs: 1, seed: r + 1, ...trainOptions, yieldEveryMs: 1e9 });
      best[i] = Math.min(best[i], history[0].trainSeconds);
    }
  }
  for (const net of nets) net.dispose();
  const S = best[0] / best[1];
  const e = (1 / S - 1 / T) / (1 - 1 / T);
  const predict = (N) => 1 / (e + (1 - e) / N);
  const row = { name, seconds1: best[0], secondsT: best[1], threads: T, speedup: S, serialFraction: e, predicted: { 4: predict(4), 8: predict(8), 16: predict(16) } };
  rows.push(row);
  log(`${name}: 1 thread ${best[0].toFixed(3)} s/epoch, ${T} threads ${best[1].toFixed(3)}: ${S.toFixed(2)}x; serial fraction ${(100 * e).toFixed(1)}%; Amdahl predicts ${[4, 8, 16].map((N) => `${predict(N).toFixed(1)}x on ${N}`).join(', ')}`);
}
if (args.json) process.stdout.write(`${JSON.stringify({ node: process.versions.node, rows })}\n`);

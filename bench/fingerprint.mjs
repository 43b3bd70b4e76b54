// SHA-256 of the parameters after short training runs that cover every path of a step (plain SGD
// on one and two threads, momentum with L2, Adam, ReLU + softmax, tanh, the scalar build), so a
// change meant to keep behaviour can show it kept the bits: run before and after, compare.
// Usage: npm run build && node bench/fingerprint.mjs. Not for: speed or accuracy.
import { createHash } from 'node:crypto';
import { Network, sliceDataset, train } from '../dist/index.js';
import { loadMnist } from '../dist/node.js';

const { train: mnist } = await loadMnist();
const data = sliceDataset(mnist, 0, 3000);
const hash = (p) => createHash('sha256').update(Buffer.from(p.buffer, p.byteOffset, p.byteLength)).digest('hex').slice(0, 16);

const runs = [
  ['784-30-10 sgd b10', { sizes: [784, 30, 10] }, { batchSize: 10, eta: 1.5 }],
  ['784-64-10 sgd b64, 2 threads', { sizes: [784, 64, 10], threads: 2 }, { batchSize: 64, eta: 1.5 }],
  ['784-100-32-10 momentum + L2 b32', { sizes: [784, 100, 32, 10] }, { batchSize: 32, eta: 0.5, optimizer: 'momentum', weightDecay: 1 }],
  ['784-256-256-10 adam b64, 2 threads', { sizes: [784, 256, 256, 10], threads: 2, activation: 'relu', cost: 'log-likelihood', init: 'he' }, { batchSize: 64, eta: 0.001, optimizer: 'adam' }],
  ['784-40-10 tanh cross-entropy, cosine', { sizes: [784, 40, 10], activation: 'tanh', cost: 'cross-entropy' }, { batchSize: 20, eta: 0.5, schedule: { kind: 'cosine' } }],
  ['784-30-10 scalar build', { sizes: [784, 30, 10], kernels: 'scalar' }, { batchSize: 10, eta: 1.5 }],
];
for (const [name, netOptions, trainOptions] of runs) {
  const net = await Network.create({ seed: 3, ...netOptions });
  await train(net, data, { epochs: 2, seed: 3, ...trainOptions });
  console.log(`${hash(net.getParameters())}  ${name}`);
  net.dispose();
}

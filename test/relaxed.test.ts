// The relaxed SIMD builds (fused multiply-adds) on an engine that has them: the default there, right
// against the float64 reference, and deterministic on this machine (runs, thread counts, the CLI).
// Project `relaxed` (vitest.config.ts): Node 20 runs it with --experimental-wasm-relaxed-simd.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, type Activation } from '../src/core/costs.js';
import { defaultVariant, relaxedSupported } from '../src/core/kernels.js';
import { Network } from '../src/core/network.js';
import { Rng } from '../src/core/random.js';
import { sliceDataset } from '../src/data/dataset.js';
import { loadMnist } from '../src/node.js';
import { evaluate } from '../src/train/evaluate.js';
import { train } from '../src/train/train.js';
import { expectClose, randomLabels } from './helpers.js';
import { runSync } from './support/cli.js';
import { ReferenceNetwork } from './support/reference.js';

const mnist = loadMnist();
const hash = (p: Float32Array) => createHash('sha256').update(Buffer.from(p.buffer)).digest('hex');
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-relaxed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function trained(kernels: 'relaxed' | 'simd', threads: number, o: { sizes?: number[]; optimizer?: 'sgd' | 'momentum'; batchSize?: number; examples?: number } = {}) {
  const { train: data } = await mnist;
  const net = await Network.create({ sizes: o.sizes ?? [784, 128, 64, 10], seed: 6, threads, kernels });
  const result = await train(net, sliceDataset(data, 0, o.examples ?? 640), { epochs: 1, batchSize: o.batchSize ?? 80, eta: o.optimizer === 'momentum' ? 0.3 : 1.5, seed: 2, optimizer: o.optimizer });
  return { net, result };
}

/** The network's outputs and summed gradients for a batch of `batch` inputs of `width` agree with the reference's. */
function expectLikeReference(net: Network, ref: ReferenceNetwork, x: Float32Array, labels: ArrayLike<number>, batch: number, width: number) {
  const expected = new Float64Array(batch * 10);
  for (let n = 0; n < batch; n++) expected.set(ref.output(x.subarray(n * width, (n + 1) * width)), n * 10);
  expectClose(net.forward(x), expected, 'a^L', 1e-5, 1e-4);
  const g = net.backprop(x, labels);
  const e = ref.batchGradients(x, labels);
  g.nablaW.forEach((w, l) => expectClose(w, e.nablaW[l], `nablaW^${l + 1}`, 1e-5, 1e-3));
  g.nablaB.forEach((b, l) => expectClose(b, e.nablaB[l], `nablaB^${l + 1}`, 1e-5, 1e-3));
}

describe('relaxed SIMD', () => {
  it('is what this engine runs by default, on one thread and on threads', async () => {
    expect(relaxedSupported()).toBe(true);
    expect(defaultVariant()).toBe('relaxed');
    const one = await Network.create({ sizes: [784, 16, 10] });
    const two = await Network.create({ sizes: [784, 16, 10], threads: 2 });
    expect([one.variant, two.variant]).toEqual(['relaxed', 'relaxed-threads']);
    two.dispose();
  });

  it.each(ACTIVATIONS)('forward pass, gradients and an SGD step agree with the float64 reference (%s hidden layers, MNIST images, every tile shape)', async (activation: Activation) => {
    const { train: data } = await mnist;
    const sizes = [784, 72, 40, 10]; // 72 = 64 + 8 rows, 40 = 32 + 8: the wide tiles and their leftovers
    const batch = 11;
    const net = await Network.create({ sizes, seed: 5, kernels: 'relaxed', activation, cost: 'log-likelihood', init: 'scaled' });
    const ref = new ReferenceNetwork(sizes, net.getParameters(), { activation, cost: 'log-likelihood' });
    const x = Float32Array.from(data.images.subarray(0, batch * 784), (v) => Math.fround(v * Math.fround(1 / 255)));
    const labels = Array.from(data.labels.subarray(0, batch));
    expectLikeReference(net, ref, x, labels, batch, 784);
    net.sgdStep(x, labels, 0.5);
    ref.sgdStep(x, labels, 0.5);
    expectClose(net.getParameters(), ref.parameters(), 'parameters after one step', 1e-5, 1e-4);
  });

  it('dense inputs too (every pixel nonzero): forward and gradients agree with the reference', async () => {
    const rng = new Rng(3);
    const sizes = [100, 48, 10];
    const batch = 9;
    const net = await Network.create({ sizes, seed: 2, kernels: 'relaxed' });
    const ref = new ReferenceNetwork(sizes, net.getParameters());
    const x = Float32Array.from({ length: batch * 100 }, () => Math.fround(0.05 + 0.95 * rng.float()));
    const labels = randomLabels(rng, batch, 10);
    expectLikeReference(net, ref, x, labels, batch, 100);
  });

  it('gives the same bits on every run, and (plain SGD) on 1, 2 and 3 threads; momentum on 2 threads the same bits twice', async () => {
    const one = await trained('relaxed', 1);
    const again = await trained('relaxed', 1);
    expect(hash(again.net.getParameters())).toBe(hash(one.net.getParameters()));
    for (const threads of [2, 3]) {
      const many = await trained('relaxed', threads);
      expect(many.net.variant).toBe('relaxed-threads');
      expect(hash(many.net.getParameters()), `${threads} threads`).toBe(hash(one.net.getParameters()));
      many.net.dispose();
    }
    const m = [await trained('relaxed', 2, { optimizer: 'momentum' }), await trained('relaxed', 2, { optimizer: 'momentum' })];
    expect(hash(m[0].net.getParameters())).toBe(hash(m[1].net.getParameters()));
    m.forEach((t) => t.net.dispose());
  });

  it('rounds differently from the SIMD build (one rounding per multiply-add where the CPU has FMA) and learns as well', async () => {
    const { test } = await mnist;
    const relaxed = await trained('relaxed', 1, { sizes: [784, 30, 10], batchSize: 10, examples: 10000 });
    const simd = await trained('simd', 1, { sizes: [784, 30, 10], batchSize: 10, examples: 10000 });
    expect(hash(relaxed.net.getParameters())).not.toBe(hash(simd.net.getParameters()));
    const a = [evaluate(relaxed.net, test).accuracy, evaluate(simd.net, test).accuracy];
    expect(Math.min(...a)).toBeGreaterThan(0.88);
    expect(Math.abs(a[0] - a[1])).toBeLessThan(0.01);
  });

  it('the CLI picks it by default; --kernels simd and --kernels relaxed each give the same model file twice', () => {
    const run = (kernels: string, out: string) => {
      const args = ['train', '--layers', '784,20,10', '--epochs', '1', '--limit', '2000', '--seed', '4', '--quiet', '--out', join(dir, out)];
      if (kernels !== 'auto') args.push('--kernels', kernels);
      runSync(args, { nodeFlags: process.execArgv.filter((a) => a.startsWith('--experimental-wasm')) });
      return createHash('sha256').update(readFileSync(join(dir, out))).digest('hex');
    };
    const relaxed = [run('relaxed', 'r1.wmlp'), run('relaxed', 'r2.wmlp'), run('auto', 'auto.wmlp')];
    const simd = [run('simd', 's1.wmlp'), run('simd', 's2.wmlp')];
    expect(new Set(relaxed).size).toBe(1);
    expect(new Set(simd).size).toBe(1);
    expect(simd[0]).not.toBe(relaxed[0]);
  });
});

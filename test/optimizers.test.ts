// Training beyond the lecture: momentum, Adam, L2 weight decay and learning-rate schedules, each
// against the float64 reference's gradients and a plain float64 update.
import { describe, expect, it, vi } from 'vitest';
import { createDataset, sliceDataset } from '../src/data/dataset.js';
import { Network } from '../src/core/network.js';
import { loadMnist } from '../src/node.js';
import { Rng } from '../src/core/random.js';
import { OPTIMIZER_CASES, OPTIMIZER_KINDS, optimizerCase, referenceSteps } from './support/reference.js';
import { evaluate } from '../src/train/evaluate.js';
import { scheduledEta } from '../src/train/schedule.js';
import { train } from '../src/train/train.js';
import { expectClose } from './helpers.js';
import { ThreadPool } from '../src/parallel/pool.js';

const sizes = [20, 9, 6, 4];
const rng = new Rng(21);
const count = 8;
const images = Uint8Array.from({ length: count * 20 }, () => (rng.float() < 0.4 ? 0 : rng.below(256)));
const labels = Uint8Array.from({ length: count }, () => rng.below(4));
const data = createDataset({ images, labels, rows: 4, cols: 5, classes: 4 });
const xs = Float64Array.from(images, (v) => Math.fround(v * Math.fround(1 / 255)));

describe.each(OPTIMIZER_CASES)('$optimizer, weight decay $weightDecay', (c) => {
  it.each(OPTIMIZER_KINDS)('three full-batch steps match the float64 reference ($activation, $cost)', async (kind) => {
    const o = optimizerCase(c);
    const net = await Network.create({ sizes, seed: 3, init: 'scaled', ...kind });
    const start = net.getParameters();
    await train(net, data, { epochs: 3, batchSize: count, ...o });
    expectClose(net.getParameters(), referenceSteps(sizes, kind, start, xs, labels, o, 3), 'parameters after 3 steps', 2e-5, 1e-3);
  });
});

describe('schedules', () => {
  it('step and cosine schedules give the documented learning rates, and epochs record them', async () => {
    expect([1, 2, 3, 4, 5].map((e) => scheduledEta(1, { kind: 'step', every: 2, factor: 0.5 }, e, 5))).toEqual([1, 1, 0.5, 0.5, 0.25]);
    expect(scheduledEta(2, { kind: 'cosine', min: 0.1 }, 1, 4)).toBe(2);
    expect(scheduledEta(2, { kind: 'cosine' }, 3, 4)).toBeCloseTo(1, 12);
    const net = await Network.create({ sizes, seed: 3 });
    const { history } = await train(net, data, { epochs: 3, batchSize: 4, eta: 0.4, schedule: { kind: 'step', every: 1, factor: 0.5 } });
    expect(history.map((h) => h.eta)).toEqual([0.4, 0.2, 0.1]);
    await expect(train(net, data, { schedule: { kind: 'step', every: 0, factor: 0.5 } })).rejects.toThrow(/every must be a positive integer/);
  });

  it('rejects bad optimizer settings', async () => {
    const net = await Network.create({ sizes, seed: 3 });
    await expect(train(net, data, { optimizer: 'rmsprop' as 'sgd' })).rejects.toThrow(/optimizer must be one of sgd, momentum, adam/);
    await expect(train(net, data, { optimizer: 'momentum', momentum: 1 })).rejects.toThrow(/momentum must be in \[0, 1\)/);
    await expect(train(net, data, { weightDecay: -1 })).rejects.toThrow(/weightDecay/);
  });
});

describe('optimizers with training threads', () => {
  const run = async (threads: number, sizes: number[], batchSize: number, o: { optimizer: 'sgd' | 'momentum' | 'adam'; weightDecay: number }) => {
    const { train: all } = await loadMnist();
    const net = await Network.create({ sizes, seed: 2, threads, init: 'he', activation: 'relu', cost: 'log-likelihood' });
    await train(net, sliceDataset(all, 0, 640), { epochs: 2, batchSize, eta: o.optimizer === 'adam' ? 0.002 : 0.05, ...o });
    const p = net.getParameters();
    net.dispose();
    return Buffer.from(p.buffer);
  };
  const OPTIMIZERS = [
    { optimizer: 'sgd' as const, weightDecay: 3 },
    { optimizer: 'momentum' as const, weightDecay: 0 },
    { optimizer: 'adam' as const, weightDecay: 1 },
  ];

  it.each(OPTIMIZERS)('$optimizer, weight decay $weightDecay, by rows (a block of W^1 per thread): the bits of one thread on 2 and 3 threads', async (o) => {
    const step = vi.spyOn(ThreadPool.prototype, 'step');
    const one = await run(1, [784, 128, 24, 10], 80, o); // 101,770 + parameters x 80 examples: threaded
    for (const threads of [2, 3]) expect((await run(threads, [784, 128, 24, 10], 80, o)).equals(one), `${threads} threads`).toBe(true);
    expect(step).toHaveBeenCalled();
    step.mockRestore();
  });

  it.each(OPTIMIZERS)('$optimizer, weight decay $weightDecay, by examples (30 first-layer rows: one block): 2 threads repeat bit for bit and agree with 1 thread', async (o) => {
    const step = vi.spyOn(ThreadPool.prototype, 'step');
    const a = await run(2, [784, 30, 10], 400, o); // 23,860 parameters x 400: 9.5 million, reduced
    expect((await run(2, [784, 30, 10], 400, o)).equals(a)).toBe(true);
    expect(step).toHaveBeenCalled();
    step.mockRestore();
    const one = await run(1, [784, 30, 10], 400, o);
    expectClose(new Float32Array(a.buffer, a.byteOffset, a.length / 4), new Float32Array(one.buffer, one.byteOffset, one.length / 4), 'parameters, 2 threads vs 1', 1e-4, 1e-3);
  });
});

describe('learning with the modern choices (accuracy, not timing)', () => {
  it('ReLU, softmax with log-likelihood, Adam: 784-100-10, one epoch of 60,000 images, >= 95.5%', async () => {
    const { train: all, test } = await loadMnist();
    const net = await Network.create({ sizes: [784, 100, 10], seed: 1, init: 'he', activation: 'relu', cost: 'log-likelihood' });
    await train(net, all, { epochs: 1, batchSize: 32, eta: 0.002, optimizer: 'adam' });
    expect(evaluate(net, test).accuracy).toBeGreaterThanOrEqual(0.955);
  });

  it('momentum with an N(0, 1/n_in) sigmoid network and cross-entropy: one epoch, >= 94%', async () => {
    const { train: all, test } = await loadMnist();
    const net = await Network.create({ sizes: [784, 100, 10], seed: 1, init: 'scaled', cost: 'cross-entropy' });
    await train(net, all, { epochs: 1, batchSize: 10, eta: 0.1, optimizer: 'momentum', momentum: 0.9, weightDecay: 5 });
    expect(evaluate(net, test).accuracy).toBeGreaterThanOrEqual(0.94);
  });
});

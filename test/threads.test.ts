// Multi-threaded training: bit-identical for a seed and a thread count, close to one thread, and
// a clean fallback to one thread where SharedArrayBuffer is missing.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sliceDataset } from '../src/dataset.js';
import { Network } from '../src/network.js';
import { loadMnist } from '../src/node.js';
import { evaluate, train } from '../src/train.js';
import { expectClose } from './helpers.js';

const mnist = loadMnist();
const hash = (p: Float32Array) => createHash('sha256').update(Buffer.from(p.buffer)).digest('hex');

async function trained(threads: number, examples = 640, epochs = 1, batchSize = 64) {
  const { train: data } = await mnist;
  const net = await Network.create({ sizes: [784, 40, 24, 10], seed: 6, threads });
  const result = await train(net, sliceDataset(data, 0, examples), { epochs, batchSize, eta: 1.5, seed: 2 });
  return { net, result };
}

describe('training threads', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('use the shared-memory build and give bit-identical parameters for the same seed and thread count', async () => {
    const a = await trained(2);
    const b = await trained(2);
    expect(a.net.threads).toBe(2);
    expect(a.net.variant).toBe('threads');
    expect(hash(a.net.getParameters())).toBe(hash(b.net.getParameters()));
    const c = await trained(3, 640, 1, 50); // uneven slices: 17 + 16 + 17 examples
    const d = await trained(3, 640, 1, 50);
    expect(hash(c.net.getParameters())).toBe(hash(d.net.getParameters()));
  });

  it('agree with one thread up to rounding (the reduction sums the slices in another order)', async () => {
    const one = await trained(1, 128, 1, 64);
    const two = await trained(2, 128, 1, 64);
    expect(hash(one.net.getParameters())).not.toBe(hash(two.net.getParameters()));
    expectClose(two.net.getParameters(), one.net.getParameters(), 'parameters after 2 batches', 1e-5, 1e-4);
    expect(two.result.history[0].trainCost).toBeCloseTo(one.result.history[0].trainCost, 5);
  });

  it('learn as well as one thread', async () => {
    const { test } = await mnist;
    const one = await trained(1, 6400, 2, 64);
    const two = await trained(2, 6400, 2, 64);
    const a1 = evaluate(one.net, test).accuracy;
    const a2 = evaluate(two.net, test).accuracy;
    expect(Math.abs(a1 - a2)).toBeLessThan(0.01);
  });

  it('a batch smaller than the thread count still trains (idle threads add nothing)', async () => {
    const { train: data } = await mnist;
    const net = await Network.create({ sizes: [784, 16, 10], seed: 1, threads: 4 });
    const ref = await Network.create({ sizes: [784, 16, 10], seed: 1 });
    await train(net, sliceDataset(data, 0, 6), { epochs: 1, batchSize: 2 });
    await train(ref, sliceDataset(data, 0, 6), { epochs: 1, batchSize: 2 });
    expectClose(net.getParameters(), ref.getParameters(), 'parameters', 1e-6, 1e-5);
  });

  it('fall back to one thread where SharedArrayBuffer is missing', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const net = await Network.create({ sizes: [784, 16, 10], threads: 2 });
    expect(net.threads).toBe(1);
    expect(net.variant).not.toBe('threads');
  });

  it('stop with the training when it is aborted, and train again afterwards', async () => {
    const { train: data } = await mnist;
    const net = await Network.create({ sizes: [784, 16, 10], seed: 1, threads: 2 });
    const controller = new AbortController();
    const r = await train(net, sliceDataset(data, 0, 2000), { epochs: 3, batchSize: 64, signal: controller.signal, onBatchEnd: (b) => b.batch === 5 && controller.abort() });
    expect(r.aborted).toBe(true);
    const again = await train(net, sliceDataset(data, 0, 640), { epochs: 1, batchSize: 64 });
    expect(again.history.length).toBe(1);
  });

  it('reject a bad thread count', async () => {
    await expect(Network.create({ sizes: [4, 2], threads: 0 })).rejects.toThrow(/threads must be an integer from 1 to 64/);
    await expect(Network.create({ sizes: [4, 2], threads: 1.5 })).rejects.toThrow(/threads/);
  });
});

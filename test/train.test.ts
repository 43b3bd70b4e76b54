// The training loop: history, hooks, abort, divergence, and learning on real MNIST (accuracy
// checks, not timings).
import { describe, expect, it } from 'vitest';
import { sliceDataset } from '../src/data/dataset.js';
import { TrainingDivergedError } from '../src/core/errors.js';
import { Network } from '../src/core/network.js';
import { loadMnist } from '../src/node.js';
import { evaluate } from '../src/train/evaluate.js';
import { train } from '../src/train/train.js';

const mnist = loadMnist();

describe('train', () => {
  it('returns a per-epoch history and calls the hooks', async () => {
    const { train: data, test } = await mnist;
    const net = await Network.create({ sizes: [784, 10, 10], seed: 2 });
    const batches: number[] = [];
    const epochs: number[] = [];
    const { history, aborted } = await train(net, sliceDataset(data, 0, 95), {
      epochs: 3,
      batchSize: 10,
      test: sliceDataset(test, 0, 200),
      onBatchEnd: (b) => batches.push(b.batch),
      onEpochEnd: (m) => void epochs.push(m.epoch),
    });
    expect(aborted).toBe(false);
    expect(epochs).toEqual([1, 2, 3]);
    expect(batches.length).toBe(30); // 95 examples: 9 full batches and one of 5, per epoch
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    for (const h of history) {
      expect(h.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(h.testAccuracy).toBeLessThanOrEqual(1);
      expect(h.trainCost).toBeGreaterThan(0);
      expect(h.examplesPerSecond).toBeGreaterThan(0);
    }
    const final = evaluate(net, sliceDataset(test, 0, 200));
    expect(final.accuracy).toBe(history[2].testAccuracy);
    expect(final.cost).toBeCloseTo(history[2].testCost, 12);
  });

  it('stops within one mini-batch when the signal aborts', async () => {
    const { train: data } = await mnist;
    const net = await Network.create({ sizes: [784, 10, 10] });
    const controller = new AbortController();
    let seen = 0;
    const result = await train(net, sliceDataset(data, 0, 1000), {
      epochs: 5,
      onBatchEnd: (b) => {
        seen++;
        if (b.epoch === 2 && b.batch === 7) controller.abort();
      },
      signal: controller.signal,
    });
    expect(result.aborted).toBe(true);
    expect(result.history.length).toBe(1);
    expect(seen).toBe(100 + 8);
  });

  it('stops on a timer abort while training (the loop yields to the event loop)', async () => {
    const { train: data } = await mnist;
    const net = await Network.create({ sizes: [784, 30, 10] });
    const result = await train(net, data, { epochs: 30, signal: AbortSignal.timeout(200), yieldEveryMs: 20 });
    expect(result.aborted).toBe(true);
    expect(result.history.length).toBeLessThan(30);
  });

  it('stops on divergence, naming epoch and batch, and keeps the last good parameters', async () => {
    const { train: data } = await mnist;
    const net = await Network.create({ sizes: [784, 10, 10], seed: 3 });
    const subset = sliceDataset(data, 0, 50);
    await train(net, subset, { epochs: 1 });
    const good = net.getParameters();
    // Sigmoid units saturate rather than overflow, so a finite f32 step never diverges; an eta
    // beyond f32 range makes the first update inf * 0 = NaN and the second batch's cost NaN.
    const err = await train(net, subset, { epochs: 3, eta: 1e40 }).catch((e) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect(err.message).toMatch(/diverged at epoch 1, batch 2 of 5: the cost is NaN/);
    expect([err.epoch, err.batch]).toEqual([1, 2]);
    expect(net.getParameters()).toEqual(good);
  });

  it('resumes with initialEpoch to the same bits as an unbroken run', async () => {
    const { train: data } = await mnist;
    const subset = sliceDataset(data, 0, 300);
    const straight = await Network.create({ sizes: [784, 10, 10], seed: 5 });
    await train(straight, subset, { epochs: 4, seed: 2 });
    const resumed = await Network.create({ sizes: [784, 10, 10], seed: 5 });
    await train(resumed, subset, { epochs: 2, seed: 2 });
    const { history } = await train(resumed, subset, { epochs: 4, initialEpoch: 2, seed: 2 });
    expect(history.map((h) => h.epoch)).toEqual([3, 4]);
    expect(resumed.getParameters()).toEqual(straight.getParameters());
    await expect(train(resumed, subset, { epochs: 4, initialEpoch: 4 })).rejects.toThrow(/initialEpoch must be an integer from 0 to epochs - 1 = 3/);
  });

  it('rejects bad options', async () => {
    const { train: data } = await mnist;
    const net = await Network.create({ sizes: [784, 10, 10] });
    await expect(train(net, data, { eta: 0 })).rejects.toThrow(/eta/);
    await expect(train(net, data, { eta: NaN })).rejects.toThrow(/eta \(learning rate\) must be a finite number > 0, got NaN/);
    await expect(train(net, data, { eta: Infinity })).rejects.toThrow(/got Infinity/);
    await expect(train(net, data, { batchSize: -1 })).rejects.toThrow(/batchSize/);
    await expect(train(net, data, { epochs: -2 })).rejects.toThrow(/epochs/);
    await expect(train(net, data, { batchSize: 2.5 })).rejects.toThrow(/batchSize must be a positive integer/);
    await expect(train(net, data, { epochs: 0 })).rejects.toThrow(/epochs/);
    const small = await Network.create({ sizes: [100, 10, 10] });
    await expect(train(small, data, { epochs: 1 })).rejects.toThrow(/784 pixels per image, but the network has 100 inputs/);
  });
});

describe('learning on MNIST (accuracy, not timing)', () => {
  it('784-30-10, first 10,000 training images, 2 epochs, default (scaled) init: >= 90% on the 10,000 test images', async () => {
    const { train: data, test } = await mnist;
    const net = await Network.create({ sizes: [784, 30, 10], seed: 1 });
    const { history } = await train(net, sliceDataset(data, 0, 10000), { epochs: 2, batchSize: 10, eta: 1.5, test });
    expect(history[1].testAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it("784-30-10, same data, the lecture's N(0, 1) init: >= 85% (saturated units slow its start)", async () => {
    const { train: data, test } = await mnist;
    const net = await Network.create({ sizes: [784, 30, 10], seed: 1, init: 'normal' });
    const { history } = await train(net, sliceDataset(data, 0, 10000), { epochs: 2, batchSize: 10, test });
    expect(history[1].testAccuracy).toBeGreaterThanOrEqual(0.85);
  });
});

// Network shape arithmetic, seeded determinism, parameter access and argument checks.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/core/errors.js';
import { Network } from '../src/core/network.js';
import { loadMnist } from '../src/node.js';
import { countBiases, countWeights, parameterCount } from '../src/core/shapes.js';
import { sliceDataset } from '../src/data/dataset.js';
import { evaluate } from '../src/train/evaluate.js';
import { train } from '../src/train/train.js';

describe('parameter count', () => {
  it('of [784, 4, 4, 10] is 3210: 3192 weights and 18 biases, as the lecture counts', async () => {
    expect(countWeights([784, 4, 4, 10])).toBe(3192);
    expect(countBiases([784, 4, 4, 10])).toBe(18);
    expect(parameterCount([784, 4, 4, 10])).toBe(3210);
    const net = await Network.create({ sizes: [784, 4, 4, 10] });
    expect(net.parameterCount).toBe(3210);
    expect(net.getParameters().length).toBe(3210);
    expect(net.weights(1).length).toBe(3136);
    expect(net.biases(3).length).toBe(10);
  });

  it('of 784-30-10 is 23,860', () => {
    expect(parameterCount([784, 30, 10])).toBe(23860);
  });
});

describe('seeded determinism', () => {
  const run = async (seed: number, trainSeed = seed) => {
    const { train: data } = await loadMnist();
    const net = await Network.create({ sizes: [784, 16, 10], seed });
    await train(net, sliceDataset(data, 0, 300), { epochs: 2, batchSize: 10, eta: 1.5, seed: trainSeed });
    return net.getParameters();
  };

  it('same seed: bit-identical parameters after training', async () => {
    const a = await run(3);
    const b = await run(3);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it('different seed: different initial parameters and different trained parameters', async () => {
    const n1 = await Network.create({ sizes: [784, 16, 10], seed: 1 });
    const n2 = await Network.create({ sizes: [784, 16, 10], seed: 2 });
    expect(n1.getParameters()).not.toEqual(n2.getParameters());
    expect(await run(3)).not.toEqual(await run(4));
    expect(await run(3, 3)).not.toEqual(await run(3, 5)); // the shuffling seed alone changes the result
  });

  it('initial weights follow N(0, 1), or N(0, 1/n_in) when scaled', async () => {
    for (const [init, std] of [['normal', 1], ['scaled', 1 / 28], ['he', Math.sqrt(2) / 28]] as const) {
      const w = (await Network.create({ sizes: [784, 100, 10], seed: 9, init })).weights(1);
      const mean = w.reduce((s, v) => s + v, 0) / w.length;
      const sd = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length);
      expect(Math.abs(mean)).toBeLessThan(0.02 * std);
      expect(sd / std).toBeCloseTo(1, 1);
    }
    const byDefault = await Network.create({ sizes: [784, 100, 10], seed: 9 });
    const scaled = await Network.create({ sizes: [784, 100, 10], seed: 9, init: 'scaled' });
    expect(byDefault.getParameters()).toEqual(scaled.getParameters()); // the default is 'scaled'
  });
});

describe('argument checks', () => {
  it('rejects bad sizes', async () => {
    await expect(Network.create({ sizes: [784] })).rejects.toThrow(/at least 2 layers/);
    await expect(Network.create({ sizes: [784, 0, 10] })).rejects.toThrow(/layer 1 .* got 0/);
    await expect(Network.create({ sizes: [784, 2.5, 10] })).rejects.toThrow(InvalidArgumentError);
  });

  it('rejects inputs of the wrong length or with NaN', async () => {
    const net = await Network.create({ sizes: [4, 3, 2] });
    expect(() => net.forward(new Float32Array(5))).toThrow(/5 values, expected a positive multiple of the 4 inputs/);
    expect(() => net.predict(Float32Array.from([0, NaN, 0, 0]))).toThrow(/input value 1 is NaN/);
    expect(() => net.backprop(new Float32Array(4), [2])).toThrow(/labels\[0\] is 2/);
    expect(() => net.sgdStep(new Float32Array(4), [1], 0)).toThrow(/eta/);
  });

  it('predicts in chunks larger than its batch capacity', async () => {
    const net = await Network.create({ sizes: [4, 3, 2], batchCapacity: 2 });
    const x = Float32Array.from({ length: 4 * 5 }, (_, i) => (i % 7) / 7);
    const all = net.forward(x);
    for (let n = 0; n < 5; n++) expect(net.forward(x.subarray(n * 4, n * 4 + 4))).toEqual(all.subarray(n * 2, n * 2 + 2));
  });

  it('a disposed network refuses work', async () => {
    const net = await Network.create({ sizes: [4, 3, 2] });
    net.dispose();
    expect(() => net.forward(new Float32Array(4))).toThrow(/disposed/);
  });
});

describe('resident datasets (read straight into a network memory, no second copy)', () => {
  it('train to the same bits as a copied dataset, survive batch-capacity growth, and slice', async () => {
    const { mnistPaths, loadIdxDataset } = await import('../src/node.js');
    const p = mnistPaths();
    const a = await Network.create({ sizes: [784, 16, 10], seed: 2, batchCapacity: 4 });
    const b = await Network.create({ sizes: [784, 16, 10], seed: 2, batchCapacity: 4 });
    const resident = await loadIdxDataset({ images: p.testImages, labels: p.testLabels, classes: 10, into: a });
    const copied = await loadIdxDataset({ images: p.testImages, labels: p.testLabels, classes: 10 });
    expect(resident.images.buffer).not.toBe(copied.images.buffer);
    expect(Buffer.from(resident.images).equals(Buffer.from(copied.images))).toBe(true);
    // batch 32 > capacity 4: the batch buffers move above the resident data instead of over it
    const [r, c] = [sliceDataset(resident, 0, 640), sliceDataset(copied, 0, 640)];
    await train(a, r, { epochs: 1, batchSize: 32 });
    await train(b, c, { epochs: 1, batchSize: 32 });
    expect(Buffer.from(a.getParameters().buffer).equals(Buffer.from(b.getParameters().buffer))).toBe(true);
    expect(Buffer.from(resident.images).equals(Buffer.from(copied.images))).toBe(true);
    // again, after other data has used the staging area the first run's run table was in
    expect(evaluate(a, sliceDataset(copied, 3000, 4000)).accuracy).toBe(evaluate(b, sliceDataset(copied, 3000, 4000)).accuracy);
    await train(a, r, { epochs: 1, batchSize: 32, seed: 3 });
    await train(b, c, { epochs: 1, batchSize: 32, seed: 3 });
    expect(Buffer.from(a.getParameters().buffer).equals(Buffer.from(b.getParameters().buffer))).toBe(true);
  });

  it('refuse a network whose inputs do not match', async () => {
    const { mnistPaths, loadIdxDataset } = await import('../src/node.js');
    const p = mnistPaths();
    const net = await Network.create({ sizes: [100, 10] });
    const data = await loadIdxDataset({ images: p.testImages, labels: p.testLabels, into: net });
    await expect(train(net, data, { epochs: 1 })).rejects.toThrow(/784 pixels per image, but the network has 100 inputs/);
  });
});

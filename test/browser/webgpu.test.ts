// The WebGPU backend in Chromium on SwiftShader, held by the tests that hold the wasm kernels: its
// forward pass against the wasm build's and the float64 reference's, one SGD step against the
// reference's (backprop and the update), three full-batch steps of every optimizer and L2 against
// float64 updates (referenceSteps, as test/optimizers.test.ts), mini-batches with a short last
// batch against the wasm build, and the same bits on every run. Not for: training MNIST in the
// page, or errors (webgpu-page.test.ts).
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, COSTS, type Activation, type Cost } from '../../src/core/costs.js';
import { Network } from '../../src/core/network.js';
import type { NetworkOptions } from '../../src/core/options.js';
import { createDataset } from '../../src/data/dataset.js';
import { train } from '../../src/train/train.js';
import { expectClose } from '../helpers.js';
import { OPTIMIZER_CASES, OPTIMIZER_KINDS, optimizerCase, ReferenceNetwork, referenceSteps } from '../support/reference.js';
import { examples, onGpu, scaled, useGpuPage, type PageGlobals } from './gpu-page.js';

const gp = useGpuPage();

const KINDS: { activation: Activation; cost: Cost }[] = ACTIVATIONS.flatMap((activation) => COSTS.map((cost) => ({ activation, cost })));

describe.each(KINDS)('webgpu vs the wasm build and the float64 reference: $activation, $cost', ({ activation, cost }) => {
  it.each([
    { sizes: [13, 7, 5], count: 3 },
    { sizes: [29, 9, 6, 10], count: 8 },
    { sizes: [20, 37, 33, 10], count: 300 }, // past a tile's 32 rows and columns, two evaluation chunks
  ])('forward pass of $count examples, sizes $sizes', async ({ sizes, count }) => {
    const K = sizes[sizes.length - 1];
    const { images, labels } = examples(11, count, sizes[0], K);
    const net: NetworkOptions = { sizes, seed: 5, activation, cost, init: 'scaled' };
    const gpu = await onGpu(gp(), { net, images, labels, rows: 1, cols: sizes[0], classes: K, outputs: true });
    const wasm = await Network.create({ ...net, kernels: 'simd' });
    const x = scaled(images);
    expectClose(gpu.outputs, wasm.forward(Float32Array.from(x)), 'a^L, webgpu vs wasm', 1e-6, 1e-5);
    const ref = new ReferenceNetwork(sizes, wasm.getParameters(), { activation, cost });
    const expected = Array.from({ length: count }, (_, n) => Array.from(ref.output(x.subarray(n * sizes[0], (n + 1) * sizes[0])))).flat();
    expectClose(gpu.outputs, expected, 'a^L, webgpu vs float64', 1e-5, 1e-4);
  });

  it.each([
    { sizes: [13, 7, 5], count: 6 },
    { sizes: [29, 9, 6, 10], count: 6 },
  ])('one SGD step on a batch of $count equals the reference\'s, sizes $sizes', async ({ sizes, count }) => {
    const K = sizes[sizes.length - 1];
    const { images, labels } = examples(12, count, sizes[0], K);
    const gpu = await onGpu(gp(), { net: { sizes, seed: 5, activation, cost, init: 'scaled' }, images, labels, rows: 1, cols: sizes[0], classes: K, train: { epochs: 1, batchSize: count, eta: 3 } });
    const ref = new ReferenceNetwork(sizes, gpu.before, { activation, cost });
    ref.sgdStep(scaled(images), labels, 3);
    expect(gpu.after.some((v, i) => v !== gpu.before[i])).toBe(true);
    expectClose(gpu.after, ref.parameters(), 'parameters after one step', 1e-5, 1e-4);
  });
});

describe.each(OPTIMIZER_CASES)('webgpu: $optimizer, weight decay $weightDecay', (c) => {
  it.each(OPTIMIZER_KINDS)('three full-batch steps match the float64 reference ($activation, $cost)', async (kind) => {
    const sizes = [20, 9, 6, 4];
    const { images, labels } = examples(21, 8, 20, 4);
    const o = optimizerCase(c);
    const gpu = await onGpu(gp(), { net: { sizes, seed: 3, init: 'scaled', ...kind }, images, labels, rows: 4, cols: 5, classes: 4, train: { epochs: 3, batchSize: 8, ...o } });
    expectClose(gpu.after, referenceSteps(sizes, kind, gpu.before, scaled(images), labels, o, 3), 'parameters after 3 steps', 2e-5, 1e-3);
  });
});

describe('webgpu with an activation per hidden layer', () => {
  it('three hidden layers of relu, tanh and sigmoid: the forward pass and one SGD step against the float64 reference', async () => {
    const sizes = [21, 17, 9, 40, 10];
    const activation = ['relu', 'tanh', 'sigmoid'] as const;
    const { images, labels } = examples(61, 7, 21, 10);
    const net: NetworkOptions = { sizes, seed: 9, activation, cost: 'log-likelihood', init: 'he' };
    const gpu = await onGpu(gp(), { net, images, labels, rows: 3, cols: 7, classes: 10, outputs: true });
    const x = scaled(images);
    const ref = new ReferenceNetwork(sizes, gpu.before, { activation, cost: 'log-likelihood' });
    const expected = Array.from({ length: 7 }, (_, n) => Array.from(ref.output(x.subarray(n * 21, (n + 1) * 21)))).flat();
    expectClose(gpu.outputs, expected, 'a^L, webgpu vs float64', 1e-5, 1e-4);
    const stepped = await onGpu(gp(), { net, images, labels, rows: 3, cols: 7, classes: 10, train: { epochs: 1, batchSize: 7, eta: 0.5 } });
    ref.sgdStep(x, labels, 0.5);
    expectClose(stepped.after, ref.parameters(), 'parameters after one step', 1e-5, 1e-4);
  });
});

describe('webgpu mini-batches', () => {
  const sizes = [30, 40, 10];
  const { images, labels } = examples(31, 95, 30, 10);
  const options = { epochs: 2, batchSize: 20, eta: 0.5, seed: 7 }; // 5 batches an epoch, the last of 15

  it('two epochs of shuffled mini-batches, the last one short, agree with the wasm build', async () => {
    const gpu = await onGpu(gp(), { net: { sizes, seed: 2 }, images, labels, rows: 5, cols: 6, classes: 10, train: options });
    const wasm = await Network.create({ sizes, seed: 2, kernels: 'simd' });
    await train(wasm, createDataset({ images: Uint8Array.from(images), labels: Uint8Array.from(labels), rows: 5, cols: 6, classes: 10 }), options);
    expectClose(gpu.after, wasm.getParameters(), 'parameters after 2 epochs, webgpu vs wasm', 1e-5, 1e-3);
  });

  it('give the same bits on every run', async () => {
    const runs = await Promise.all([1, 2].map(() => onGpu(gp(), { net: { sizes, seed: 2, activation: 'relu', cost: 'log-likelihood' }, images, labels, rows: 5, cols: 6, classes: 10, train: { ...options, optimizer: 'adam', eta: 0.01 } })));
    expect(runs[1].after).toEqual(runs[0].after);
    expect(runs[0].after).not.toEqual(runs[0].before);
    expect(gp().problems).toEqual([]);
  });
});

describe('webgpu runs: resume, abort, divergence', () => {
  const sizes = [30, 24, 10];
  const { images, labels } = examples(51, 90, 30, 10);

  it('a run stopped after epoch 1 and resumed from its parameters and Adam\'s state ends with the bits of one that never stopped', async () => {
    const result = await gp().page.evaluate(
      async ({ sizes, images, labels }) => {
        const { lib } = window as unknown as PageGlobals;
        const data = lib.createDataset({ images: Uint8Array.from(images), labels: Uint8Array.from(labels), rows: 5, cols: 6, classes: 10 });
        const options = { batchSize: 20, eta: 0.01, seed: 4, optimizer: 'adam' as const, dropout: [0.1, 0.3] };
        const whole = await lib.Network.create({ sizes, seed: 4, kernels: 'webgpu' });
        await lib.train(whole, data, { ...options, epochs: 3 });
        const first = await lib.Network.create({ sizes, seed: 4, kernels: 'webgpu' });
        await lib.train(first, data, { ...options, epochs: 1 });
        const resumed = await lib.Network.create({ sizes, seed: 99, kernels: 'webgpu' });
        resumed.setParameters(first.getParameters());
        await resumed.setOptimizerState(first.getOptimizerState()!);
        await lib.train(resumed, data, { ...options, epochs: 3, initialEpoch: 1 });
        return { whole: Array.from(whole.getParameters()), resumed: Array.from(resumed.getParameters()), t: resumed.getOptimizerState()!.t };
      },
      { sizes, images, labels },
    );
    expect(result.resumed).toEqual(result.whole);
    expect(result.t).toBe(15); // Adam's step count: 5 batches an epoch
  });

  it('an abort stops at the end of the chunks queued and keeps what was trained; a diverging run restores the epoch before\'s parameters', async () => {
    const result = await gp().page.evaluate(
      async ({ sizes, images, labels }) => {
        const { lib } = window as unknown as PageGlobals;
        const data = lib.createDataset({ images: Uint8Array.from(images), labels: Uint8Array.from(labels), rows: 5, cols: 6, classes: 10 });
        const net = await lib.Network.create({ sizes, seed: 5, kernels: 'webgpu' });
        const before = Array.from(net.getParameters());
        const abort = new AbortController();
        const batches: number[] = [];
        const stopped = await lib.train(net, data, { epochs: 3, batchSize: 10, eta: 1, signal: abort.signal, onBatchEnd: (b) => (batches.push(b.batch), abort.abort()) });
        const afterAbort = Array.from(net.getParameters());
        // then an eta beyond f32: the first update is inf * 0 = NaN, the second batch's cost NaN (as test/train.test.ts)
        let diverged: { epoch: number; batch: number; name: string; message: string } | null = null;
        try {
          await lib.train(net, data, { epochs: 2, batchSize: 10, eta: 1e40 });
        } catch (e) {
          diverged = { epoch: (e as { epoch: number }).epoch, batch: (e as { batch: number }).batch, name: (e as Error).name, message: (e as Error).message };
        }
        return { stopped, batches, moved: afterAbort.some((v, i) => v !== before[i]), afterAbort, diverged, final: Array.from(net.getParameters()) };
      },
      { sizes, images, labels },
    );
    // the abort came while the first chunk's costs were reported: that chunk held the whole of epoch 1, which ends; epoch 2 does not start
    expect(result.stopped.aborted).toBe(true);
    expect(result.stopped.history.map((h) => h.epoch)).toEqual([1]);
    expect(result.batches).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(result.moved).toBe(true);
    expect(result.diverged).toEqual({ epoch: 1, batch: 2, name: 'TrainingDivergedError', message: expect.stringMatching(/diverged at epoch 1, batch 2 of 9: the cost is NaN/) });
    expect(result.final).toEqual(result.afterAbort);
  });
});

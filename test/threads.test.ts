// Multi-threaded training: bit-identical for a seed and a thread count (plain SGD: to one thread),
// and a clean fallback to one thread where SharedArrayBuffer is missing.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sliceDataset } from '../src/data/dataset.js';
import { transposedBlocks } from '../src/core/transposed.js';
import { Network } from '../src/core/network.js';
import { loadMnist } from '../src/node.js';
import { relaxedSupported, sharedBuild } from '../src/core/kernels.js';
import { ThreadPool } from '../src/parallel/pool.js';
import { evaluate } from '../src/train/evaluate.js';
import { train } from '../src/train/train.js';
import { expectClose } from './helpers.js';

const mnist = loadMnist();
const hash = (p: Float32Array) => createHash('sha256').update(Buffer.from(p.buffer)).digest('hex');

async function trained(threads: number, examples = 640, epochs = 1, batchSize = 64, o: { sizes?: number[]; optimizer?: 'sgd' | 'momentum' } = {}) {
  const { train: data } = await mnist;
  const net = await Network.create({ sizes: o.sizes ?? [784, 40, 24, 10], seed: 6, threads });
  const result = await train(net, sliceDataset(data, 0, examples), { epochs, batchSize, eta: o.optimizer === 'momentum' ? 0.3 : 1.5, seed: 2, optimizer: o.optimizer });
  return { net, result };
}

describe('training threads', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('use the shared-memory build and give bit-identical parameters for the same seed and thread count', async () => {
    const step = vi.spyOn(ThreadPool.prototype, 'step');
    const momentum = { optimizer: 'momentum' as const, sizes: [784, 128, 10] }; // 101,770 parameters: threaded from batch 79
    const a = await trained(2, 640, 1, 80, momentum);
    const b = await trained(2, 640, 1, 80, momentum);
    expect(a.net.threads).toBe(2);
    expect(a.net.variant).toBe(relaxedSupported() ? 'relaxed-threads' : 'threads');
    expect(hash(a.net.getParameters())).toBe(hash(b.net.getParameters()));
    const c = await trained(3, 640, 1, 82, momentum); // uneven slices: 27 + 27 + 28 examples
    const d = await trained(3, 640, 1, 82, momentum);
    expect(hash(c.net.getParameters())).toBe(hash(d.net.getParameters()));
    expect(step).toHaveBeenCalled();
  });

  it.each([
    [[784, 512, 10], 80], // W^1 of 1.6 MB, its rows whole cache lines: z^1 summed by ranges of rows
    [[784, 128, 64, 10], 80], // W^1 of 0.4 MB: z^1 summed by examples
    [[784, 120, 10], 100], // rows not whole cache lines: z^1 summed by examples
  ])('with plain SGD give the bits of one thread for 2, 3 and 4 threads, sizes %j, batch %i', async (sizes, batchSize) => {
    const step = vi.spyOn(ThreadPool.prototype, 'step');
    const one = await trained(1, 640, 1, batchSize, { sizes });
    for (const threads of [2, 3, 4]) { // 120 rows and 4 threads: under 32 rows each, one block, steps on the calling thread
      const many = await trained(threads, 640, 1, batchSize, { sizes });
      expect(hash(many.net.getParameters())).toBe(hash(one.net.getParameters()));
      expect(many.result.history[0].trainCost).toBeCloseTo(one.result.history[0].trainCost, 5); // summed in thread order
      many.net.dispose();
    }
    expect(step).toHaveBeenCalled(); // the steps ran threaded: batch x parameters >= 3 million, a block per thread
  });

  it('run steps of under 3 million multiply-adds, and with under 32 first-layer rows a thread plain SGD steps and other steps of under 8 million, on the calling thread (threads would be slower)', async () => {
    const step = vi.spyOn(ThreadPool.prototype, 'step');
    const small = await trained(2, 640, 1, 64); // 32,634 parameters x 64
    expect(step).not.toHaveBeenCalled();
    expect(hash(small.net.getParameters())).toBe(hash((await trained(1, 640, 1, 64)).net.getParameters()));
    await trained(2, 640, 1, 400, { sizes: [784, 30, 10] }); // 23,860 x 400, but 30 rows: one block, and plain SGD
    expect(step).not.toHaveBeenCalled();
    await trained(2, 640, 1, 400, { sizes: [784, 30, 10], optimizer: 'momentum' }); // 9.5 million: by examples, reduced
    expect(step).toHaveBeenCalled();
    step.mockClear();
    await trained(2, 640, 1, 64, { sizes: [784, 64, 10] }); // 50,890 x 64, 32 rows a thread
    expect(step).toHaveBeenCalled();
    step.mockClear();
    await trained(2, 640, 1, 64, { sizes: [784, 64, 10], optimizer: 'momentum' }); // by rows too
    expect(step).toHaveBeenCalled();
    step.mockClear();
    await trained(2, 640, 1, 48, { sizes: [784, 64, 10], optimizer: 'momentum' }); // 50,890 x 48: under 3 million
    expect(step).not.toHaveBeenCalled();
  });

  it('learn as well as one thread', async () => {
    const { test } = await mnist;
    // momentum on 784-64-10: by rows, the bits of one thread (optimizers.test.ts); here, as a learner
    const one = await trained(1, 6400, 2, 160, { sizes: [784, 64, 10], optimizer: 'momentum' });
    const two = await trained(2, 6400, 2, 160, { sizes: [784, 64, 10], optimizer: 'momentum' }); // 50,890 x 160: threaded
    const a1 = evaluate(one.net, test).accuracy;
    const a2 = evaluate(two.net, test).accuracy;
    expect(Math.abs(a1 - a2)).toBeLessThan(0.01);
  });

  it('a batch smaller than the thread count still trains (idle threads add nothing)', async () => {
    const { train: data } = await mnist;
    const sizes = [784, 3600, 10]; // 2,862,010 parameters: a momentum step of 3 examples is threaded
    const net = await Network.create({ sizes, seed: 1, threads: 4 });
    const ref = await Network.create({ sizes, seed: 1 });
    const step = vi.spyOn(ThreadPool.prototype, 'step');
    for (const n of [net, ref]) await train(n, sliceDataset(data, 0, 6), { epochs: 1, batchSize: 3, optimizer: 'momentum', eta: 0.5 });
    expect(step).toHaveBeenCalled();
    expectClose(net.getParameters(), ref.getParameters(), 'parameters', 1e-6, 1e-5);
  });

  it('fall back to one thread where SharedArrayBuffer is missing', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const net = await Network.create({ sizes: [784, 16, 10], threads: 2 });
    expect(net.threads).toBe(1);
    expect(sharedBuild(net.variant)).toBe(false);
    await expect(Network.create({ sizes: [784, 16, 10], kernels: 'threads' })).rejects.toThrow(/kernels "threads" needs SharedArrayBuffer/);
  });

  it('run the shared-memory build on one thread when asked, with the bits of the SIMD build', async () => {
    const { train: data } = await mnist;
    const [a, b] = await Promise.all(['threads', 'simd'].map((kernels) => Network.create({ sizes: [784, 16, 10], seed: 3, kernels: kernels as 'threads' | 'simd' })));
    expect(a.variant).toBe('threads');
    for (const net of [a, b]) await train(net, sliceDataset(data, 0, 300), { epochs: 1, batchSize: 20 });
    expect(hash(a.getParameters())).toBe(hash(b.getParameters()));
    await expect(Network.create({ sizes: [4, 2], kernels: 'fast' as 'simd' })).rejects.toThrow(/kernels must be one of relaxed, simd, scalar, threads, relaxed-threads, webgpu, got fast/);
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

  it.each([[10], [30], [120], [256], [784]])('keep W^1 transposed in one block per thread (of 32 rows or more), each of whole cache lines, rows %i', (rows) => {
    const cols = 7;
    expect(transposedBlocks(rows, cols, 1)).toEqual({ blocks: [{ row: 0, rows, offset: 0, stride: Math.ceil(rows / 16) * 16 }], wtLength: cols * Math.ceil(rows / 16) * 16 });
    for (const T of [2, 3, 4, 7]) {
      const { blocks, wtLength } = transposedBlocks(rows, cols, T);
      expect(blocks).toHaveLength(rows >= 32 * T ? T : 1); // no block under 32 rows but a single one
      let row = 0, offset = 0;
      for (const b of blocks) {
        expect(b.row).toBe(row); // the blocks cover the rows in order, without gaps or overlaps
        expect(b.row % 16).toBe(0);
        if (blocks.length > 1) expect(b.rows).toBeGreaterThanOrEqual(32);
        expect(b.stride).toBe(Math.ceil(b.rows / 16) * 16);
        expect(b.offset).toBe(offset); // each block starts where the last ended: a multiple of 16 floats
        row += b.rows;
        offset += cols * b.stride;
      }
      expect(row).toBe(rows);
      expect(wtLength).toBe(offset);
    }
  });

  it.each([[[784, 30, 10]], [[784, 120, 24, 10]]])('hold parameters and optimizer state in their blocks as one thread does, sizes %j', async (sizes) => {
    const { test } = await mnist;
    const x = test.images.subarray(0, 784 * 50);
    const pixels = Float32Array.from(x, (v) => v / 255);
    const one = await Network.create({ sizes, seed: 4 });
    const p = one.getParameters();
    const outputs = one.forward(pixels);
    for (const threads of [2, 3, 4]) {
      const net = await Network.create({ sizes, seed: 9, threads });
      net.setParameters(p);
      expect(hash(net.getParameters())).toBe(hash(p)); // W^1 through WT's blocks and back
      expect(net.forward(pixels)).toEqual(outputs); // z^1 summed block by block: the same bits
      const state = { kind: 'momentum' as const, t: 3, buffers: [Float32Array.from(p, (v, i) => v + i)] };
      await net.setOptimizerState(state);
      expect(hash(net.getOptimizerState()!.buffers[0])).toBe(hash(state.buffers[0]));
      net.dispose();
    }
  });

  it('reject a bad thread count', async () => {
    await expect(Network.create({ sizes: [4, 2], threads: 0 })).rejects.toThrow(/threads must be an integer from 1 to 64/);
    await expect(Network.create({ sizes: [4, 2], threads: 1.5 })).rejects.toThrow(/threads/);
  });
});

// Reliability: fuzzed readers only ever return a result or their typed error, quickly; hostile
// inputs (huge sizes, gzip bombs) change nothing; long runs keep memory flat; two
// networks never share state.
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createDataset, sliceDataset } from '../src/data/dataset.js';
import { IdxFormatError, ModelFormatError, WasmMlpError } from '../src/core/errors.js';
import { decodeIdx, parseIdx } from '../src/data/idx.js';
import { decodeModel, encodeModel } from '../src/io/model.js';
import { Network } from '../src/core/network.js';
import { loadMnist } from '../src/node.js';
import { mnistify } from '../src/data/preprocess.js';
import { RemoteNetwork } from '../src/train/remote.js';
import { evaluate } from '../src/train/evaluate.js';
import { train } from '../src/train/train.js';

/** Runs f, failing if it takes longer than `ms`: a bound far above the few milliseconds a case takes, so only a hang, not a loaded machine, can reach it. */
const timed = <T>(f: () => T, ms = 5000): T => {
  const t0 = performance.now();
  const r = f();
  expect(performance.now() - t0).toBeLessThan(ms);
  return r;
};

/** Random bytes, `good` with one byte changed, or `good` cut short. */
function randomOrDamaged(good: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.tuple(fc.nat(), fc.nat({ max: 255 })).map(([at, v]) => {
      const b = good.slice();
      b[at % b.length] = v;
      return b;
    }),
    fc.nat().map((n) => good.slice(0, n % good.length)),
  );
}

describe('fuzzing (fast-check)', () => {
  it('parseIdx: random bytes and mutated headers give a result or an IdxFormatError', () => {
    const header = (dims: number[], body: number) => {
      const b = new Uint8Array(4 + 4 * dims.length + body);
      b[2] = 8;
      b[3] = dims.length;
      dims.forEach((d, i) => new DataView(b.buffer).setUint32(4 + 4 * i, d >>> 0));
      return b;
    };
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.array(fc.nat(), { minLength: 0, maxLength: 4 }), fc.nat({ max: 200 })).map(([dims, body]) => header(dims, body)),
      fc.tuple(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }), fc.nat({ max: 50 }), fc.nat({ max: 255 })).map(([dims, at, v]) => {
        const b = header(dims, dims.reduce((a, x) => a * x, 1));
        if (b.length) b[at % b.length] = v;
        return b;
      }),
    );
    fc.assert(
      fc.property(inputs, (bytes) => {
        try {
          const r = timed(() => parseIdx(bytes));
          expect(r.data.length).toBe(r.dims.reduce((a, b) => a * b, 1));
        } catch (e) {
          expect(e).toBeInstanceOf(IdxFormatError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('decodeModel: random bytes and mutated model files (versions 1 and 3) give a result or a ModelFormatError', async () => {
    const net = await Network.create({ sizes: [6, 3, 2], seed: 1 });
    const mixed = await Network.create({ sizes: [6, 3, 3, 2], seed: 1, activation: ['relu', 'tanh'], cost: 'log-likelihood', output: 'identity' });
    const inputs = fc.oneof(randomOrDamaged(encodeModel(net)), randomOrDamaged(encodeModel(mixed, {}, { classNames: ['a', 'b'] })));
    fc.assert(
      fc.property(inputs, (bytes) => {
        try {
          const m = timed(() => decodeModel(bytes));
          expect(m.parameters.every(Number.isFinite)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(ModelFormatError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('mnistify: any grey image gives 784 values in [0, 1]', () => {
    const images = fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 })).chain(([w, h]) =>
      fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: w * h, maxLength: w * h }).map((data) => ({ width: w, height: h, data })),
    );
    fc.assert(
      fc.property(images, (image) => {
        const x = timed(() => mnistify(image));
        expect(x.length).toBe(784);
        expect(x.every((v) => v >= 0 && v <= 1)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('hostile and oversized input', () => {
  it('a gzip bomb is refused past the limit instead of filling memory', async () => {
    const bomb = gzipSync(new Uint8Array(64 << 20)); // 64 MiB of zeros, ~64 KiB compressed
    await expect(decodeIdx(bomb, 'bomb.gz', 1 << 20)).rejects.toThrow(/bomb.gz: decompresses to more than 1048576 bytes; refused/);
  });

  it('a model file with NaN parameters and a valid checksum is refused', async () => {
    const net = await Network.create({ sizes: [3, 2], seed: 1 });
    const model = decodeModel(encodeModel(net));
    model.parameters[4] = NaN;
    expect(() => decodeModel(encodeModel(model), 'nan.wmlp')).toThrow(/nan.wmlp: parameter 4 is NaN; expected a finite number/);
  });

  it('a network or a batch too large for wasm memory fails before allocating, naming the limit', async () => {
    await expect(Network.create({ sizes: [784, 2_000_000, 10] })).rejects.toThrow(/parameters needs .* of wasm memory, but only .* of the 4096.0 MiB limit is left/);
    const net = await Network.create({ sizes: [784, 30, 10] });
    expect(() => net.ensureCapacity(2_000_000)).toThrow(/a batch of 2000000 examples needs .* wasm memory/);
    expect(net.forward(new Float32Array(784)).length).toBe(10); // still usable
  });
});

describe('long runs and isolation', () => {
  it('creating, training and disposing 1,000 networks leaves memory flat', async () => {
    const data = createDataset({ images: new Uint8Array(64 * 16).map((_, i) => (i * 7) % 256), labels: new Uint8Array(64).map((_, i) => i % 2), rows: 4, cols: 4 });
    const cycle = async () => {
      const net = await Network.create({ sizes: [16, 8, 2] });
      await train(net, data, { epochs: 1, batchSize: 8 });
      net.dispose();
    };
    for (let i = 0; i < 100; i++) await cycle(); // warm up
    const before = process.memoryUsage();
    for (let i = 0; i < 1000; i++) await cycle();
    const after = process.memoryUsage();
    // each network's wasm memory is about 1 MiB: 1,000 kept alive would add about a gigabyte
    expect(after.rss - before.rss).toBeLessThan(128 << 20);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(32 << 20);
  }, 120_000);

  it('50 epochs leave the wasm memory and the JS heap flat', async () => {
    const { train: data } = await loadMnist();
    const net = await Network.create({ sizes: [784, 16, 10] });
    const subset = sliceDataset(data, 0, 1000);
    const sizes: number[] = [];
    const heaps: number[] = [];
    await train(net, subset, {
      epochs: 50,
      onEpochEnd: () => {
        sizes.push((net as unknown as { kernels: { memory: WebAssembly.Memory } }).kernels.memory.buffer.byteLength);
        heaps.push(process.memoryUsage().heapUsed);
      },
    });
    expect(new Set(sizes).size).toBe(1);
    expect(Math.max(...heaps.slice(10)) - Math.min(...heaps.slice(10))).toBeLessThan(16 << 20);
  }, 60_000);

  it('two networks never share buffers: predicting with one while the other trains gives the right answers', async () => {
    const { train: data, test } = await loadMnist();
    const a = await Network.create({ sizes: [784, 16, 10], seed: 1 });
    const b = await Network.create({ sizes: [784, 16, 10], seed: 2 });
    await train(b, sliceDataset(data, 0, 2000), { epochs: 1 });
    const x = Float32Array.from(test.images.subarray(0, 784 * 50), (v) => v / 255);
    const expected = b.forward(x);
    const accuracy = evaluate(b, test).accuracy;
    let checks = 0;
    await train(a, sliceDataset(data, 0, 2000), {
      epochs: 1,
      onBatchEnd: (i) => {
        if (i.batch % 50 !== 0) return;
        expect(b.forward(x)).toEqual(expected);
        checks++;
      },
    });
    expect(checks).toBe(4);
    expect(evaluate(b, test).accuracy).toBe(accuracy);
  });

  it('a network training in a Node worker stops at its next mini-batch when aborted, not at its next yield', async () => {
    const { train: data } = await loadMnist();
    const remote = await RemoteNetwork.create({ sizes: [784, 30, 10], seed: 1 });
    await remote.setData(data);
    const controller = new AbortController();
    let last = 0;
    const result = await remote.train({
      epochs: 30,
      batchEveryMs: 0,
      // the worker's loop never yields to its event loop: an abort message alone would wait for
      // the end of all 30 epochs; the shared stop flag is seen after the batch in progress
      yieldEveryMs: 1e9,
      signal: controller.signal,
      onBatchEnd: (b) => {
        last = b.epoch === 1 ? b.batch : Infinity;
        if (b.epoch === 1 && b.batch === 300) controller.abort();
      },
    });
    remote.terminate();
    expect(result.aborted).toBe(true);
    // counted, not timed: it stopped within the first of 30 epochs of 6,000 batches each
    expect(result.history.length).toBe(0);
    expect(last).toBeLessThan(6000);
  });

  it('errors cross from the worker as errors', async () => {
    const remote = await RemoteNetwork.create({ sizes: [784, 8, 10] });
    await expect(remote.train({ epochs: 1 })).rejects.toThrow(/no training data/);
    await expect(RemoteNetwork.create({ sizes: [784, 0, 10] })).rejects.toThrow(WasmMlpError);
    remote.terminate();
  });
});

describe('fuzzing PNG input (fast-check)', () => {
  it('pngToInput: random and mutated PNG files give 784 inputs in [0, 1] or an ImageFormatError', async () => {
    const { PNG } = await import('pngjs');
    const { pngToInput } = await import('../src/node/png.js');
    const { ImageFormatError } = await import('../src/core/errors.js');
    const png = new PNG({ width: 20, height: 16 });
    png.data.fill(200);
    const good = new Uint8Array(PNG.sync.write(png));
    const inputs = randomOrDamaged(good);
    fc.assert(
      fc.property(inputs, (bytes) => {
        try {
          const x = timed(() => pngToInput(bytes));
          expect(x.length).toBe(784);
          expect(x.every((v) => v >= 0 && v <= 1)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(ImageFormatError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

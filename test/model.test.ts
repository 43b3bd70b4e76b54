// The model file: bit-exact round trip (parameters and predictions), an activation per hidden
// layer and the output function (version 3), versions 1 and 2 read from committed bytes, and clear
// errors for corrupt or foreign bytes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../src/io/checkpoint.js';
import { ModelFormatError } from '../src/core/errors.js';
import { decodeModel, encodeModel, loadModel } from '../src/io/model.js';
import { Network } from '../src/core/network.js';
import { loadMnist } from '../src/node.js';
import { sliceDataset } from '../src/data/dataset.js';
import { train } from '../src/train/train.js';

async function trained(): Promise<Network> {
  const { train: data } = await loadMnist();
  const net = await Network.create({ sizes: [784, 20, 12, 10], seed: 4 });
  await train(net, sliceDataset(data, 0, 500), { epochs: 1, eta: 1.5 });
  return net;
}

describe('model file', () => {
  it('round-trips parameters, sizes and hyperparameters bit-exactly, and predictions with them', async () => {
    const net = await trained();
    const bytes = encodeModel(net, { eta: 1.5, batchSize: 10, epochs: 1, seed: 4 });
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('WMLP');
    const model = decodeModel(bytes);
    expect(model.sizes).toEqual([784, 20, 12, 10]);
    expect(model.hyperparameters).toEqual({ eta: 1.5, batchSize: 10, epochs: 1, seed: 4 });
    expect(Buffer.from(model.parameters.buffer).equals(Buffer.from(net.getParameters().buffer))).toBe(true);
    const loaded = await loadModel(bytes);
    const { test } = await loadMnist();
    const x = Float32Array.from(test.images.subarray(0, 784 * 500), (v) => v / 255);
    expect(Buffer.from(loaded.forward(x).buffer).equals(Buffer.from(net.forward(x).buffer))).toBe(true);
    expect(loaded.predict(x)).toEqual(net.predict(x));
    expect(encodeModel(loaded, model.hyperparameters)).toEqual(bytes);
  });

  it('records the activation and the cost, and loads them back', async () => {
    const net = await Network.create({ sizes: [784, 12, 10], seed: 2, activation: 'relu', cost: 'log-likelihood', init: 'he' });
    const model = decodeModel(encodeModel(net));
    expect([model.activations, model.cost, model.output]).toEqual([['relu'], 'log-likelihood', 'softmax']);
    const loaded = await loadModel(encodeModel(net));
    expect([loaded.activations, loaded.cost, loaded.output]).toEqual([['relu'], 'log-likelihood', 'softmax']);
    const x = new Float32Array(784 * 3).map((_, i) => (i % 13) / 13);
    expect(loaded.forward(x)).toEqual(net.forward(x));
    const sums = [0, 1, 2].map((n) => loaded.forward(x).subarray(n * 10, n * 10 + 10).reduce((a, b) => a + b, 0));
    sums.forEach((v) => expect(v).toBeCloseTo(1, 5)); // softmax outputs
    const bad = encodeModel(net);
    bad[12 + 4 * 3] = 7; // activation code
    expect(() => decodeModel(bad)).toThrow(/unknown activation code 7; expected 0 to 2 \(sigmoid, tanh, relu\)/);
  });

  it('rejects foreign, truncated and corrupt bytes with a ModelFormatError', async () => {
    const net = await Network.create({ sizes: [5, 3, 2], seed: 1 });
    const good = encodeModel(net);
    const mutate = (f: (b: Uint8Array) => Uint8Array | void) => {
      const b = good.slice();
      return f(b) ?? b;
    };
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(3), /too short/],
      [mutate((b) => void (b[0] = 0x58)), /not a wasm-mlp model: magic is "XMLP"/],
      [mutate((b) => void (b[4] = 9)), /unknown version 9/],
      [good.subarray(0, good.length - 5), /truncated/],
      [mutate((b) => void (b[good.length - 10] ^= 1)), /checksum mismatch/],
      [mutate((b) => void (b[12] = 6)), /declares 26 parameters, but sizes \[6,3,2\] have 29/],
      [Uint8Array.from([...good, 0]), /1 unexpected bytes after the checksum/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => decodeModel(bytes, 'm.bin')).toThrow(ModelFormatError);
      expect(() => decodeModel(bytes, 'm.bin')).toThrow(message);
    }
  });

  it('version 3: an activation per hidden layer and the output function, round-tripped bit for bit, in checkpoints too', async () => {
    const net = await Network.create({ sizes: [9, 6, 5, 4, 3], seed: 3, activation: ['relu', 'tanh', 'sigmoid'], cost: 'log-likelihood', output: 'identity' });
    const bytes = encodeModel(net, { eta: 0.1 });
    expect(new DataView(bytes.buffer).getUint16(4, true)).toBe(3);
    const m = decodeModel(bytes);
    expect([m.sizes, m.activations, m.cost, m.output]).toEqual([[9, 6, 5, 4, 3], ['relu', 'tanh', 'sigmoid'], 'log-likelihood', 'identity']);
    expect(encodeModel(m)).toEqual(bytes);
    const loaded = await loadModel(bytes);
    const x = new Float32Array(9 * 4).map((_, i) => (i % 7) / 7);
    expect(loaded.forward(x)).toEqual(net.forward(x));
    expect(loaded.forward(x).some((v) => v < 0 || v > 1)).toBe(true); // logits, not probabilities
    // the output function alone makes a version 3 file; with extras, the JSON section follows the list
    const softmaxLogs = await Network.create({ sizes: [4, 3, 2], cost: 'log-likelihood', output: 'log-softmax' });
    const extras = { classNames: ['a', 'b'] };
    const v3 = encodeModel(softmaxLogs, {}, extras);
    expect(new DataView(v3.buffer).getUint16(4, true)).toBe(3);
    expect(decodeModel(v3)).toMatchObject({ activations: ['sigmoid'], output: 'log-softmax', classNames: ['a', 'b'] });
    await net.prepareOptimizer('adam');
    const ck = decodeCheckpoint(encodeCheckpoint(net, {}, extras));
    expect([ck.model.activations, ck.model.output, ck.model.classNames, ck.state?.kind]).toEqual([['relu', 'tanh', 'sigmoid'], 'identity', ['a', 'b'], 'adam']);
    for (const cut of [1, 5, 9, bytes.length - 40]) expect(() => decodeModel(bytes.subarray(0, bytes.length - cut))).toThrow(ModelFormatError);
    const bad = bytes.slice();
    bad[bytes.length - 10] = 5; // the third activation code (then a padding byte, E = 0 and the CRC, fixed: the code itself is checked)
    const { crc32 } = await import('../src/io/crc32.js');
    new DataView(bad.buffer).setUint32(bad.length - 4, crc32(bad.subarray(0, bad.length - 4)), true);
    expect(() => decodeModel(bad)).toThrow(/unknown activation code 5/);
  });

  it('networks with one activation and the cost\'s output still write versions 1 and 2', async () => {
    const net = await Network.create({ sizes: [4, 3, 3, 2], activation: ['tanh', 'tanh'], output: 'sigmoid' });
    expect(new DataView(encodeModel(net).buffer).getUint16(4, true)).toBe(1);
    expect(new DataView(encodeModel(net, {}, { classNames: ['x'] }).buffer).getUint16(4, true)).toBe(2);
  });

  it('reads versions 1 and 2 from bytes written before version 3 (test/fixtures), and writes them again the same', async () => {
    const v1 = new Uint8Array(readFileSync(new URL('./fixtures/model-v1.wmlp', import.meta.url)));
    const v2 = new Uint8Array(readFileSync(new URL('./fixtures/model-v2.wmlp', import.meta.url)));
    const m1 = decodeModel(v1);
    const m2 = decodeModel(v2);
    expect([m1.sizes, m1.activations, m1.cost, m1.output, m1.hyperparameters]).toEqual([[6, 4, 3], ['tanh'], 'cross-entropy', 'sigmoid', { eta: 0.5, batchSize: 10, epochs: 2, seed: 7 }]);
    expect([m2.sizes, m2.activations, m2.cost, m2.output, m2.classNames, [...m2.standardize!.std]]).toEqual([[5, 3, 4, 2], ['relu', 'relu'], 'log-likelihood', 'softmax', ['no', 'yes'], [1, 2, 3, 4, 0.5]]);
    // the parameters are the seeded draws of the networks that wrote them
    expect(m1.parameters).toEqual((await Network.create({ sizes: [6, 4, 3], seed: 7 })).getParameters());
    expect(m2.parameters).toEqual((await Network.create({ sizes: [5, 3, 4, 2], seed: 8 })).getParameters());
    expect(encodeModel(m1)).toEqual(v1);
    expect(encodeModel(m2)).toEqual(v2);
  });
});

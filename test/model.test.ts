// The model file: bit-exact round trip (parameters and predictions), and clear errors for
// corrupt or foreign bytes.
import { describe, expect, it } from 'vitest';
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
    expect([model.activation, model.cost]).toEqual(['relu', 'log-likelihood']);
    const loaded = await loadModel(encodeModel(net));
    expect([loaded.activation, loaded.cost]).toEqual(['relu', 'log-likelihood']);
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
});

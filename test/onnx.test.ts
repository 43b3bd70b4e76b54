// ONNX export run by ONNX Runtime (onnxruntime-node): on the 10,000 MNIST test images its outputs
// match wasm-mlp's within 1e-5 and the predicted classes are identical, for each activation and cost.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { Activation, Cost } from '../src/core/costs.js';
import { sliceDataset } from '../src/data/dataset.js';
import { decodeModel, encodeModel } from '../src/io/model.js';
import { Network } from '../src/core/network.js';
import { exportOnnx, loadMnist } from '../src/node.js';
import { train } from '../src/train/train.js';

describe('ONNX export', () => {
  it.each([
    { sizes: [784, 30, 10], activation: 'sigmoid' as Activation, cost: 'quadratic' as Cost },
    { sizes: [784, 64, 32, 10], activation: 'relu' as Activation, cost: 'log-likelihood' as Cost },
    { sizes: [784, 40, 10], activation: 'tanh' as Activation, cost: 'cross-entropy' as Cost },
    { sizes: [784, 48, 24, 10], activation: 'relu' as Activation, cost: 'log-likelihood' as Cost, regularize: { dropout: [0.2, 0.5], maxNorm: 3, augment: { affine: { rotation: 10, scale: 0.1, shear: 0.1, shift: 2 } } } },
  ])('$sizes $activation $cost $regularize: ONNX Runtime gives the same outputs (1e-5) and classes on the test set (dropout is training-only: absent from the graph)', async ({ sizes, activation, cost, regularize }) => {
    const { train: data, test } = await loadMnist();
    const net = await Network.create({ sizes, seed: 1, activation, cost, init: activation === 'relu' ? 'he' : 'scaled' });
    await train(net, sliceDataset(data, 0, 5000), { epochs: 1, eta: activation === 'relu' ? 0.05 : 0.5, batchSize: 20, ...regularize });
    const onnxBytes = exportOnnx(decodeModel(encodeModel(net)));
    const session = await ort.InferenceSession.create(onnxBytes);
    const x = Float32Array.from(test.images, (v) => v / 255);
    const ours = net.forward(x);
    const { output } = await session.run({ input: new ort.Tensor('float32', x, [test.count, 784]) });
    expect(output.dims).toEqual([test.count, 10]);
    const theirs = output.data as Float32Array;
    let worst = 0;
    let sameClass = 0;
    for (let n = 0; n < test.count; n++) {
      let a = 0, b = 0;
      for (let j = 0; j < 10; j++) {
        worst = Math.max(worst, Math.abs(theirs[n * 10 + j] - ours[n * 10 + j]));
        if (ours[n * 10 + j] > ours[n * 10 + a]) a = j;
        if (theirs[n * 10 + j] > theirs[n * 10 + b]) b = j;
      }
      if (a === b) sameClass++;
    }
    expect(worst).toBeLessThan(1e-5);
    expect(sameClass).toBe(test.count);
  }, 60_000);
});

// The inference entry, wasm-mlp/infer: a Predictor of a wasm-mlp model file gives the network's
// outputs and classes; of an exported ONNX model, ONNX Runtime's; bad bytes are typed errors.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadPredictor, ModelFormatError, OnnxFormatError, Predictor } from '../src/infer.js';
import { Network } from '../src/core/network.js';
import { encodeModel } from '../src/io/model.js';
import { loadMnist } from '../src/node.js';
import { sliceDataset } from '../src/data/dataset.js';
import { train } from '../src/train/train.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/onnx/${name}`, import.meta.url)));

/** The largest |a - b| / max(1, |b|), and how many of the rows have the same largest entry. */
function compare(ours: Float32Array, theirs: ArrayLike<number>, K: number): { worst: number; sameClass: number } {
  let worst = 0;
  let sameClass = 0;
  for (let n = 0; n < ours.length / K; n++) {
    let [a, b] = [0, 0];
    for (let j = 0; j < K; j++) {
      worst = Math.max(worst, Math.abs(ours[n * K + j] - theirs[n * K + j]) / Math.max(1, Math.abs(theirs[n * K + j])));
      if (ours[n * K + j] > ours[n * K + a]) a = j;
      if (theirs[n * K + j] > theirs[n * K + b]) b = j;
    }
    if (a === b) sameClass++;
  }
  return { worst, sameClass };
}

describe('wasm-mlp/infer', () => {
  it.each([
    { sizes: [784, 32, 10], activation: 'sigmoid' as const, cost: 'quadratic' as const },
    { sizes: [784, 48, 24, 10], activation: ['relu', 'tanh'] as const, cost: 'log-likelihood' as const },
    { sizes: [784, 40, 10], activation: 'relu' as const, cost: 'log-likelihood' as const, output: 'log-softmax' as const },
  ])('a model file of %j: the network\'s outputs within 1e-5 and its classes on 2,000 test images', async (o) => {
    const { train: mnist, test } = await loadMnist();
    const net = await Network.create({ seed: 4, ...o, activation: o.activation as never, kernels: 'simd' });
    await train(net, sliceDataset(mnist, 0, 3000), { epochs: 1, batchSize: 32, eta: o.cost === 'quadratic' ? 1.5 : 0.1 });
    const predictor = await loadPredictor(encodeModel(net));
    expect(predictor).toBeInstanceOf(Predictor);
    const x = Float32Array.from(test.images.subarray(0, 2000 * 784), (v) => v / 255);
    const { worst, sameClass } = compare(predictor.forward(x), net.forward(x), 10);
    expect(worst).toBeLessThan(1e-5);
    expect(sameClass).toBe(2000);
    expect(predictor.predict(x)).toEqual(net.predict(x));
    net.dispose();
  });

  it.each(['relu-logits-opset9.onnx', 'flatten-relu-tanh-softmax.onnx', 'flatten-sigmoid-logsoftmax-opset13.onnx', 'normalize-flatten-tanh-relu.onnx', 'matmul-add-softmax.onnx'])('%s: ONNX Runtime\'s outputs within 1e-5 and its classes on 2,000 test images', async (file) => {
    const bytes = fixture(file);
    const predictor = await loadPredictor(bytes, file);
    const { test } = await loadMnist();
    const x = Float32Array.from(test.images.subarray(0, 2000 * 784), (v) => v / 255);
    const session = await ort.InferenceSession.create(bytes);
    const shape = (session.inputMetadata?.[0] as { shape?: (number | string)[] } | undefined)?.shape?.slice(1).map(Number) ?? [784];
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [2000, ...(shape.every((d) => d > 0) ? shape : [784])]) });
    const { worst, sameClass } = compare(predictor.forward(x), out[session.outputNames[0]].data as Float32Array, 10);
    expect(worst).toBeLessThan(1e-5);
    expect(sameClass).toBe(2000);
  });

  it('bad bytes are typed errors', async () => {
    await expect(loadPredictor(new Uint8Array([0x57, 0x4d, 0x4c, 0x50, 9, 9]))).rejects.toThrow(ModelFormatError);
    await expect(loadPredictor(new Uint8Array([8, 1, 0x12, 200]))).rejects.toThrow(OnnxFormatError);
    const predictor = await loadPredictor(fixture('matmul-add-softmax.onnx'));
    expect(() => predictor.forward(new Float32Array(783))).toThrow(RangeError);
  });
});

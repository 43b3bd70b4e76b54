// ONNX import: models made by PyTorch's exporter and a MatMul + Add chain as scikit-learn's and
// Keras' converters write it (test/fixtures/onnx, scripts/make-onnx-fixtures.py) give ONNX Runtime's
// outputs within 1e-5 and its classes on the 10,000 MNIST test images (relative beyond 1: logits of
// 10 to 34 differ by up to 1.3e-5 between the two, each about 1e-5 from float64); wasm-mlp's export imports as
// the same model bit for bit; an imported model fine-tunes on 1 and 2 threads; small graphs of every
// supported form run as ONNX Runtime runs them; anything else is an OnnxFormatError naming the node.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxFormatError } from '../src/core/errors.js';
import { Network } from '../src/core/network.js';
import { Rng } from '../src/core/random.js';
import { sliceDataset } from '../src/data/dataset.js';
import { createFeatureDataset, standardize } from '../src/data/features.js';
import { decodeModel, encodeModel, networkFromModel } from '../src/io/model.js';
import { importOnnx } from '../src/io/onnx-import.js';
import { loadMnist } from '../src/node.js';
import { exportOnnx } from '../src/io/onnx.js';
import { evaluate } from '../src/train/evaluate.js';
import { train } from '../src/train/train.js';
import { onnxBytes, tensor } from './support/onnx.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/onnx/${name}`, import.meta.url)));

/**
 * The largest |a - b| / max(1, |b|) (absolute for probabilities, relative for logits beyond 1) and
 * how many rows have the same largest entry.
 */
function compare(ours: Float32Array, theirs: Float32Array, K: number): { worst: number; sameClass: number } {
  let worst = 0;
  let sameClass = 0;
  for (let n = 0; n < ours.length / K; n++) {
    let a = 0;
    let b = 0;
    for (let j = 0; j < K; j++) {
      const t = theirs[n * K + j];
      worst = Math.max(worst, Math.abs(ours[n * K + j] - t) / Math.max(1, Math.abs(t)));
      if (ours[n * K + j] > ours[n * K + a]) a = j;
      if (theirs[n * K + j] > theirs[n * K + b]) b = j;
    }
    if (a === b) sameClass++;
  }
  return { worst, sameClass };
}

async function runOrt(bytes: Uint8Array, x: Float32Array | Float64Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor(x instanceof Float64Array ? 'float64' : 'float32', x, dims) });
  return Float32Array.from(out[session.outputNames[0]].data as Float32Array);
}

const FIXTURES = [
  { file: 'relu-logits-opset9.onnx', shape: [784], activations: ['relu', 'relu'], output: 'identity' },
  { file: 'flatten-relu-tanh-softmax.onnx', shape: [1, 28, 28], activations: ['relu', 'tanh'], output: 'softmax' },
  { file: 'flatten-sigmoid-logsoftmax-opset13.onnx', shape: [1, 28, 28], activations: ['sigmoid'], output: 'log-softmax' },
  { file: 'normalize-flatten-tanh-relu.onnx', shape: [1, 28, 28], activations: ['tanh', 'relu'], output: 'identity' },
  { file: 'matmul-add-softmax.onnx', shape: [784], activations: ['relu', 'relu'], output: 'softmax' },
  { file: 'reshape-matmul-add.onnx', shape: [28, 28], activations: ['relu', 'relu'], output: 'identity' },
];

describe('ONNX import of exported models', () => {
  it.each(FIXTURES)('$file: ONNX Runtime\'s outputs within 1e-5 and its classes on the 10,000 test images', async ({ file, shape, activations, output }) => {
    const bytes = fixture(file);
    const model = importOnnx(bytes, file);
    expect([model.sizes.length, model.sizes[0], model.sizes.at(-1), model.activations, model.output]).toEqual([activations.length + 2, 784, 10, activations, output]);
    const { test } = await loadMnist();
    const x = Float32Array.from(test.images, (v) => v / 255);
    const net = await networkFromModel(model);
    const ours = net.forward(model.standardize ? standardize(x, model.standardize) : x);
    const theirs = await runOrt(bytes, x, [test.count, ...shape]);
    const { worst, sameClass } = compare(ours, theirs, 10);
    expect(worst).toBeLessThan(1e-5);
    expect(sameClass).toBe(test.count);
    const data = model.standardize ? createFeatureDataset({ features: standardize(x, model.standardize), labels: test.labels, width: 784 }) : test;
    expect(evaluate(net, data).accuracy).toBeGreaterThan(0.85); // trained for a second: it reads digits
  }, 60_000);

  it('a leading Sub and Div (torchvision\'s Normalize) is kept as the standardisation; a safetensors-free model file keeps it all', async () => {
    const model = importOnnx(fixture('normalize-flatten-tanh-relu.onnx'));
    expect([model.standardize!.mean.length, model.standardize!.mean[0], model.standardize!.std[400]]).toEqual([784, Math.fround(0.1307), Math.fround(0.3081)]);
    expect(model.cost).toBe('log-likelihood');
    const again = decodeModel(encodeModel(model));
    expect(new DataView(encodeModel(model).buffer).getUint16(4, true)).toBe(3); // logits: an output version 3 records
    expect([again.activations, again.output, [...again.standardize!.std.subarray(0, 2)]]).toEqual([['tanh', 'relu'], 'identity', [Math.fround(0.3081), Math.fround(0.3081)]]);
    expect(again.parameters).toEqual(model.parameters);
  });

  it.each([
    { name: 'sigmoid, quadratic', options: { sizes: [784, 30, 10] } },
    { name: 'relu then tanh, log-likelihood, logits, a standardisation and class names', options: { sizes: [784, 24, 12, 10], activation: ['relu', 'tanh'], cost: 'log-likelihood', output: 'identity' }, extras: true },
    { name: 'tanh, log-likelihood, log-softmax', options: { sizes: [20, 7, 3], activation: 'tanh', cost: 'log-likelihood', output: 'log-softmax' }, extras: true },
    { name: 'no hidden layer, softmax', options: { sizes: [784, 10], cost: 'log-likelihood' } },
  ] as const)('wasm-mlp\'s export imports as the same model bit for bit: $name', async ({ options, ...rest }) => {
    const net = await Network.create({ seed: 9, ...options } as never);
    const n0 = options.sizes[0];
    const extras = 'extras' in rest ? { classNames: ['zero', 'one', 'two'], standardize: { mean: Float32Array.from({ length: n0 }, (_, i) => i / 100), std: Float32Array.from({ length: n0 }, (_, i) => 0.5 + i / 50) } } : {};
    const bytes = encodeModel(net, { eta: 0.03, batchSize: 16, epochs: 4, seed: 9 }, extras);
    expect(Buffer.from(encodeModel(importOnnx(exportOnnx(decodeModel(bytes))))).equals(Buffer.from(bytes))).toBe(true);
  });

  it.each([1, 2])('an imported model fine-tunes (%i threads): PyTorch\'s logits and LogSoftmax models learn on', async (threads) => {
    const { train: data, test } = await loadMnist();
    for (const file of ['relu-logits-opset9.onnx', 'flatten-sigmoid-logsoftmax-opset13.onnx']) {
      const net = await networkFromModel(importOnnx(fixture(file)), { threads });
      const before = evaluate(net, test).accuracy;
      const result = await train(net, sliceDataset(data, 20000, 50000), { epochs: 1, batchSize: 32, eta: 0.001, optimizer: 'adam', seed: 1 });
      expect(result.history).toHaveLength(1);
      expect(evaluate(net, test).accuracy).toBeGreaterThan(before + 0.01); // about 0.91 to 0.93
      expect(net.forward(Float32Array.from(test.images.subarray(0, 784), (v) => v / 255)).some((v) => v < 0)).toBe(true); // still logits / log-probabilities
      net.dispose();
    }
  }, 120_000);
});

describe('ONNX import of small graphs, against ONNX Runtime', () => {
  const rng = new Rng(4);
  const values = (n: number, scale = 1) => Array.from({ length: n }, () => (rng.float() * 2 - 1) * scale);
  const W1 = values(12, 0.8);
  const b1 = values(3);
  const W2 = values(6, 0.8);
  const b2 = values(2);

  it.each([
    {
      name: 'Gemm transB 0 with alpha and beta, Gemm without a bias, Sigmoid output',
      graph: () => onnxBytes({
        input: [null, 4],
        nodes: [['Gemm', ['x', 'W1t', 'b1'], { alpha: 0.5, beta: 2 }], ['Relu'], ['Gemm', ['$', 'W2'], { transB: 1 }], ['Sigmoid']],
        inits: [tensor('W1t', [4, 3], transposeOf(W1, 3, 4)), tensor('b1', [3], b1), tensor('W2', [2, 3], W2)],
      }),
      shape: [4],
      expected: { activations: ['relu'], output: 'sigmoid', cost: 'cross-entropy' },
    },
    {
      name: 'MatMul without Add, MatMul + Add (bias first), LogSoftmax, a float64 graph (run in float32)',
      graph: () => onnxBytes({
        input: ['batch', 4],
        inputType: 11,
        nodes: [['MatMul', ['x', 'W1t']], ['Tanh'], ['MatMul', ['$', 'W2t']], ['Add', ['b2', '$']], ['LogSoftmax', ['$'], { axis: -1 }]],
        inits: [tensor('W1t', [4, 3], transposeOf(W1, 3, 4), 'double'), tensor('W2t', [3, 2], transposeOf(W2, 2, 3), 'double'), tensor('b2', [2], b2, 'double')],
      }),
      shape: [4],
      double: true,
      expected: { activations: ['tanh'], output: 'log-softmax', cost: 'log-likelihood' },
    },
    {
      name: 'Mul and Add standardisation over (2, 2) images, Constant-made Reshape shape, Softmax (opset 11 default axis)',
      graph: () => onnxBytes({
        opset: 11,
        input: [null, 2, 2],
        nodes: [['Mul', ['scale', 'x']], ['Add', ['$', 'shift']], ['Constant', [], { value_ints: [-1, 4] }, 'shape'], ['Reshape', ['$', 'shape']], ['Gemm', ['$', 'W1', 'b1'], { transB: 1 }], ['Relu'], ['Gemm', ['$', 'W2', 'b2'], { transB: 1 }], ['Softmax']],
        inits: [tensor('scale', [1, 2, 2], [2, 4, 0.5, 1]), tensor('shift', [], [0.25]), tensor('W1', [3, 4], W1), tensor('b1', [3], b1), tensor('W2', [2, 3], W2), tensor('b2', [2], b2)],
      }),
      shape: [2, 2],
      expected: { activations: ['relu'], output: 'softmax', cost: 'log-likelihood' },
    },
  ] as { name: string; graph: () => Uint8Array; shape: number[]; double?: boolean; expected: object }[])('$name', async ({ graph, shape, double, expected }) => {
    const bytes = graph();
    const model = importOnnx(bytes);
    expect(model).toMatchObject(expected);
    const x = Float32Array.from(values(4 * 50));
    const net = await networkFromModel(model);
    const ours = net.forward(model.standardize ? standardize(x, model.standardize) : x);
    const theirs = await runOrt(bytes, double ? Float64Array.from(x) : x, [50, ...shape]);
    expect(compare(ours, Float32Array.from(theirs), 2).worst).toBeLessThan(1e-5);
  });

  it('float16 and bfloat16 weights and inputs read as the float32 values they hold', () => {
    const halves = [0.5, -1.25, 0.0009765625, 1.9990234375, -0.0625, 0, 0.75, -0.5, 1, 0.125, -1.5, 0.25];
    const model = importOnnx(onnxBytes({
      input: [null, 4],
      inputType: 10,
      nodes: [['Gemm', ['x', 'W1', 'b1'], { transB: 1 }], ['Relu'], ['Gemm', ['$', 'W2'], { transB: 1 }]],
      inits: [tensor('W1', [3, 4], halves, 'half'), tensor('b1', [3], [1.5, -2, 0.375], 'bfloat16'), tensor('W2', [2, 3], [3.140625, -1, 2, 0.5, 0.25, -8], 'bfloat16')],
    }));
    expect([...model.parameters]).toEqual([...halves, 1.5, -2, 0.375, 3.140625, -1, 2, 0.5, 0.25, -8, 0, 0]);
  });
});

function transposeOf(v: number[], rows: number, cols: number): number[] {
  return Array.from({ length: v.length }, (_, k) => v[(k % rows) * cols + Math.floor(k / rows)]);
}

function halfRound(v: number): number {
  return Math.round(v * 1024) / 1024; // exact in float16 for |v| < 2
}

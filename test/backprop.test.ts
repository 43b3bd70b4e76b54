// Backprop of the float64 reference against central finite differences, then the wasm network's
// forward pass, gradients and SGD step against the reference, for one and two hidden layers (and
// an activation per hidden layer), and forward()'s output functions.
import { describe, expect, it } from 'vitest';
import { Network } from '../src/core/network.js';
import { Rng } from '../src/core/random.js';
import { ReferenceNetwork } from './support/reference.js';
import { parameterCount } from '../src/core/shapes.js';
import { ACTIVATIONS, COSTS, OUTPUTS, type Activation, type Cost } from '../src/core/costs.js';
import { expectClose, randomArray, randomLabels, randomPixels } from './helpers.js';

const NETS = [
  { name: 'one hidden layer', sizes: [13, 7, 5] },
  { name: 'two hidden layers', sizes: [29, 9, 6, 10] },
];
const KINDS: { activation: Activation; cost: Cost }[] = ACTIVATIONS.flatMap((activation) => COSTS.map((cost) => ({ activation, cost })));
/** Two hidden layers with an activation each. */
const MIXED = COSTS.flatMap((cost) => [{ ...NETS[1], name: 'relu then tanh', activation: ['relu', 'tanh'] as Activation[], cost }, { ...NETS[1], name: 'tanh then sigmoid', activation: ['tanh', 'sigmoid'] as Activation[], cost }]);

describe.each([...KINDS.map((k) => ({ ...k, nets: NETS })), ...MIXED.map((m) => ({ ...m, nets: [m] }))])('reference backprop vs finite differences: $activation hidden layers, $cost cost', ({ activation, cost, nets }) => {
  it.each(nets)('matches the central difference of the cost for every parameter, $name', ({ sizes }) => {
    const rng = new Rng(7);
    const params = randomArray(rng, parameterCount(sizes));
    const x = randomArray(rng, sizes[0]).map((v) => (v + 1) / 2);
    const label = 3;
    const kind = { activation, cost };
    const net = new ReferenceNetwork(sizes, params, kind);
    const { nablaW, nablaB } = net.backprop(x, label);
    const analytic = new ReferenceNetwork(sizes, new Float64Array(params.length));
    analytic.W.forEach((w, l) => w.set(nablaW[l]));
    analytic.b.forEach((b, l) => b.set(nablaB[l]));
    const h = 1e-6;
    const numeric = params.map((_, i) => {
      const plus = params.slice();
      const minus = params.slice();
      plus[i] += h;
      minus[i] -= h;
      return (new ReferenceNetwork(sizes, plus, kind).costOf(x, label) - new ReferenceNetwork(sizes, minus, kind).costOf(x, label)) / (2 * h);
    });
    expectClose(analytic.parameters(), numeric, 'dC/dparameters', 1e-8, 1e-5);
  });
});

describe.each([...NETS.flatMap((n) => KINDS.map((k) => ({ ...n, ...k }))), ...MIXED])('wasm network vs float64 reference: $name, $activation, $cost', ({ sizes, activation, cost }) => {
  const setup = async (batch: number, variant: 'simd' | 'scalar') => {
    const rng = new Rng(11);
    const net = await Network.create({ sizes, seed: 5, kernels: variant, activation, cost, init: 'scaled' });
    const ref = new ReferenceNetwork(sizes, net.getParameters(), { activation, cost });
    const x = randomPixels(rng, batch * sizes[0]);
    const labels = randomLabels(rng, batch, sizes[sizes.length - 1]);
    return { net, ref, x, labels };
  };

  for (const variant of ['simd', 'scalar'] as const) {
    it.each([1, 3, 8])(`${variant}: forward pass, batch %i`, async (batch) => {
      const { net, ref, x } = await setup(batch, variant);
      const K = sizes[sizes.length - 1];
      const expected = new Float64Array(batch * K);
      for (let n = 0; n < batch; n++) expected.set(ref.output(x.subarray(n * sizes[0], (n + 1) * sizes[0])), n * K);
      expectClose(net.forward(x), expected, 'a^L', 1e-5, 1e-4);
    });

    it.each([1, 3, 8])(`${variant}: gradients summed over a batch of %i`, async (batch) => {
      const { net, ref, x, labels } = await setup(batch, variant);
      const g = net.backprop(x, labels);
      const e = ref.batchGradients(x, labels);
      g.nablaW.forEach((w, l) => expectClose(w, e.nablaW[l], `nablaW^${l + 1}`, 1e-5, 1e-3));
      g.nablaB.forEach((b, l) => expectClose(b, e.nablaB[l], `nablaB^${l + 1}`, 1e-5, 1e-3));
      let total = 0;
      for (let n = 0; n < batch; n++) total += ref.costOf(x.subarray(n * sizes[0], (n + 1) * sizes[0]), labels[n]);
      expect(g.cost).toBeCloseTo(total, 4);
    });

    it(`${variant}: one SGD step equals the reference's`, async () => {
      const { net, ref, x, labels } = await setup(6, variant);
      const before = net.getParameters();
      net.sgdStep(x, labels, 3.0);
      ref.sgdStep(x, labels, 3.0);
      const after = net.getParameters();
      expect(after.some((v, i) => v !== before[i])).toBe(true);
      expectClose(after, ref.parameters(), 'parameters after one step', 1e-5, 1e-4);
    });
  }
});

describe('output functions', () => {
  it.each(OUTPUTS.flatMap((output) => (['log-likelihood', 'quadratic'] as Cost[]).map((cost) => ({ output, cost }))))('forward() returns $output of z^L ($cost cost), predict() and the gradients stay the cost\'s', async ({ output, cost }) => {
    const rng = new Rng(12);
    const sizes = [29, 9, 6, 10];
    const kind = { activation: ['relu', 'tanh'] as Activation[], cost };
    const net = await Network.create({ sizes, seed: 5, ...kind, output });
    const same = await Network.create({ sizes, seed: 5, ...kind });
    expect(net.output).toBe(output);
    const ref = new ReferenceNetwork(sizes, net.getParameters(), kind);
    const x = randomPixels(rng, 8 * sizes[0]);
    const labels = randomLabels(rng, 8, 10);
    const expected = new Float64Array(8 * 10);
    for (let n = 0; n < 8; n++) expected.set(ref.output(x.subarray(n * sizes[0], (n + 1) * sizes[0]), output), n * 10);
    expectClose(net.forward(x), expected, `${output}(z^L)`, 1e-5, 1e-4);
    expect(net.predict(x)).toEqual(same.predict(x));
    expect(net.backprop(x, labels)).toEqual(same.backprop(x, labels));
  });

  it('an activation per hidden layer must name one for each: a typed error otherwise', async () => {
    await expect(Network.create({ sizes: [4, 3, 3, 2], activation: ['relu'] })).rejects.toThrow(/activation: 1 for 2 hidden layers/);
    await expect(Network.create({ sizes: [4, 3, 3, 2], activation: ['relu', 'swish' as Activation] })).rejects.toThrow(/activation must be one of sigmoid, tanh, relu, got swish/);
    await expect(Network.create({ sizes: [4, 3, 2], output: 'softplus' as never })).rejects.toThrow(/output must be one of sigmoid, softmax, log-softmax, identity, got softplus/);
    const net = await Network.create({ sizes: [4, 3, 3, 2], activation: 'tanh' });
    expect([net.activations, net.output]).toEqual([['tanh', 'tanh'], 'sigmoid']);
  });
});

describe('the fused training step', () => {
  it.each(['simd', 'scalar'] as const)('%s: trainBatch gives the same bits as backprop + sgdStep on the same batch, but for W^1 (rounded in another order)', async (variant) => {
    const { createDataset } = await import('../src/data/dataset.js');
    const rng = new Rng(5);
    const sizes = [30, 9, 6, 10];
    const count = 12;
    const images = Uint8Array.from({ length: count * 30 }, () => (rng.float() < 0.6 ? 0 : rng.below(256)));
    const labels = randomLabels(rng, count, 10);
    const data = createDataset({ images, labels, rows: 5, cols: 6, classes: 10 });
    const fused = await Network.create({ sizes, seed: 8, kernels: variant });
    const plain = await Network.create({ sizes, seed: 8, kernels: variant });
    const order = Uint32Array.from([3, 7, 1, 0, 11, 5, 2]);
    const costFused = fused.withStaged((stage) => fused.trainBatch(stage(data), order, 0, 7, 1.5));
    const x = new Float32Array(7 * 30);
    order.forEach((k, n) => x.set(Array.from(images.subarray(k * 30, k * 30 + 30), (v) => Math.fround(v * Math.fround(1 / 255))), n * 30));
    const costPlain = plain.sgdStep(x, Array.from(order, (k) => labels[k]), 1.5);
    expect(costFused).toBe(costPlain);
    // W^1 is updated example by example from the nonzero inputs, the plain path sums the batch first
    const w1 = 9 * 30;
    const [pf, pp] = [fused.getParameters(), plain.getParameters()];
    expect(Buffer.from(pf.buffer, 4 * w1).equals(Buffer.from(pp.buffer, 4 * w1))).toBe(true);
    expectClose(pf.subarray(0, w1), pp.subarray(0, w1), 'W^1 fused vs plain', 1e-6, 1e-6);
    const before = (await Network.create({ sizes, seed: 8, kernels: variant })).weights(1);
    expect(pf.subarray(0, w1).filter((v, k) => v !== before[k]).length).toBeGreaterThan(w1 / 3);
  });
});

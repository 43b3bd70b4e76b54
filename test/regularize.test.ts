// Dropout, max-norm and augmentation: every kernel against a plain JS definition of the same
// operations (the same bits in both builds, the SIMD max-norm of rows within f32 rounding),
// gradients with a fixed dropout mask against the float64 reference (itself checked by finite
// differences), the augmentation's properties, and determinism across threads, runs and resume.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { augmentImages } from '../src/core/augment.js';
import { Network } from '../src/core/network.js';
import { Rng } from '../src/core/random.js';
import { augmentParams, augmentScratchFloats, epochKeys } from '../src/core/regularize.js';
import { createDataset, sliceDataset } from '../src/data/dataset.js';
import { loadMnist } from '../src/node.js';
import { train } from '../src/train/train.js';
import { expectClose, f32, KernelBench, randomArray, randomLabels, randomPixels } from './helpers.js';
import { ReferenceNetwork, type DropoutMask } from './support/reference.js';
import { augmentReference, blur, kept, signedUnit, threshold } from './support/regularize.js';
import { parameterCount } from '../src/core/shapes.js';

const fr = Math.fround;
const rng = new Rng(31);

const builds = ['debug', 'scalar'] as const;
const WIDTHS = [1, 3, 4, 7, 30, 33, 800];

describe.each(builds)('regularisation kernels against their JS definitions: %s build', (variant) => {
  it.each(WIDTHS)('dropoutForward and dropoutBackward keep exactly the units the hash keeps, scaled, width %i', async (width) => {
    const t = await KernelBench.create(variant);
    const batch = 5;
    const [key, row0, p] = [rng.uint32() | 0, 1000 + rng.below(1000), 0.3];
    const h = f32(randomArray(rng, batch * width));
    const scale = fr(1 / (1 - p));
    const expected = Float32Array.from(h, (v, i) => (kept(key, (row0 + Math.floor(i / width)) * width + (i % width), p) ? fr(v * scale) : 0));
    const runs: ((a: number, hp: number) => void)[] = [(a, hp) => t.k.dropoutForward(a, hp, batch, width, key, row0, threshold(p) | 0, scale)];
    if (t.twins) runs.push((a, hp) => t.twins!.dropoutForwardScalar(a, hp, batch, width, key, row0, threshold(p) | 0, scale));
    for (const run of runs) {
      const [a, hp] = [t.f32(new Float32Array(batch * width).fill(NaN)), t.f32(h)];
      run(a, hp);
      expect(t.readF32(a, batch * width)).toEqual(expected);
      t.k.dropoutBackward(hp, batch, width, key, row0, threshold(p) | 0, scale); // the same mask on a gradient, in place
      expect(t.readF32(hp, batch * width)).toEqual(expected);
    }
    const share = expected.filter((v) => v === 0).length / expected.length;
    if (batch * width >= 1000) expect(Math.abs(share - p)).toBeLessThan(0.05);
  });

  it('dropoutLists drops the listed inputs the hash drops, keeps the rest in order, scaled', async () => {
    const t = await KernelBench.create(variant);
    const [batch, cols, p, key, row0] = [6, 784, 0.2, 12345, 77];
    const x = randomPixels(rng, batch * cols).map((v) => (rng.float() < 0.8 ? 0 : v));
    const list = t.u32(new Uint32Array(batch * cols)), vals = t.f32(new Float32Array(batch * cols)), counts = t.u32(new Uint32Array(batch));
    t.k.nonzeroColumns(list, vals, counts, t.f32(x), batch, cols);
    t.k.dropoutLists(list, vals, counts, batch, cols, key, row0, threshold(p) | 0, fr(1 / (1 - p)));
    for (let n = 0; n < batch; n++) {
      const want = [...x.subarray(n * cols, (n + 1) * cols)].flatMap((v, i) => (v !== 0 && kept(key, (row0 + n) * cols + i, p) ? [i] : []));
      const c = t.plan.u32[(counts >> 2) + n];
      expect([...t.plan.u32.subarray((list >> 2) + n * cols, (list >> 2) + n * cols + c)]).toEqual(want);
      expect([...t.readF32(vals + 4 * n * cols, c)]).toEqual(want.map((i) => fr(x[n * cols + i] * fr(1 / (1 - p)))));
    }
  });

  it.each([[5, 30], [7, 33], [1, 1], [16, 784]])('maxNormRows and maxNormColumns cap each row at norm c, the rest untouched, %i rows x %i cols', async (rows, cols) => {
    const t = await KernelBench.create(variant);
    const W = f32(randomArray(rng, rows * cols, 0.3));
    const norms = Array.from({ length: rows }, (_, j) => Math.hypot(...W.subarray(j * cols, (j + 1) * cols)));
    const c = norms.slice().sort((a, b) => a - b)[Math.floor(rows / 2)]; // about half the rows over
    // the JS definition: each row's squared norm summed in order, then c / sqrt in f32
    const expected = Float32Array.from(W);
    for (let j = 0; j < rows; j++) {
      let s = 0;
      for (let i = 0; i < cols; i++) s = fr(s + fr(W[j * cols + i] * W[j * cols + i]));
      if (s > fr(fr(c) * fr(c))) {
        const f = fr(fr(c) / fr(Math.sqrt(s)));
        for (let i = 0; i < cols; i++) expected[j * cols + i] = fr(W[j * cols + i] * f);
      }
    }
    const Wp = t.f32(W);
    t.k.maxNormRows(Wp, rows, cols, c);
    // SIMD sums each row's squares in four lanes: within rounding of the JS order
    if (variant === 'scalar') expect(t.readF32(Wp, rows * cols)).toEqual(expected);
    else expectClose(t.readF32(Wp, rows * cols), expected, 'max-norm rows (SIMD)', 1e-7, 1e-5);
    if (t.twins) {
      const W2 = t.f32(W);
      t.twins.maxNormRowsScalar(W2, rows, cols, c);
      expect(t.readF32(W2, rows * cols)).toEqual(expected);
    }
    // the transposed layout: columns of WT, each summed in order of i in every build
    const stride = Math.ceil(rows / 16) * 16;
    const WT = new Float32Array(cols * stride);
    for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) WT[i * stride + j] = W[j * cols + i];
    const WTp = t.f32(WT);
    t.k.maxNormColumns(WTp, rows, cols, stride, c);
    const got = t.readF32(WTp, cols * stride);
    for (let j = 0; j < stride; j++) for (let i = 0; i < cols; i++) expect(got[i * stride + j]).toBe(j < rows ? expected[j * cols + i] : 0);
  });

  it.each([[28, 28, 4], [28, 28, 1.5], [5, 9, 1], [3, 4, 10]])('gaussianBlur is the separable blur, %i x %i, sigma %f', async (rows, cols, sigma) => {
    const t = await KernelBench.create(variant);
    const params = augmentParams({ elastic: { alpha: 1, sigma } });
    const K = params[5];
    const field = Float32Array.from({ length: rows * cols }, () => signedUnit(rng.uint32()));
    const [out, fp, tmp, wp] = [t.f32(new Float32Array(rows * cols)), t.f32(field), t.f32(new Float32Array(augmentScratchFloats(rows, cols))), t.f32(params.subarray(6))];
    t.k.gaussianBlur(out, fp, tmp, wp, rows, cols, K);
    expect(t.readF32(out, rows * cols)).toEqual(blur(field, rows, cols, params.subarray(6, 7 + K), K));
  });
});

describe('augmentation', () => {
  const AFFINE = { rotation: 12, scale: 0.12, shear: 0.2, shift: 2.5 };
  const ELASTIC = { alpha: 34, sigma: 4 };
  const digits = async () => sliceDataset((await loadMnist()).test, 0, 40);

  it.each(builds)('augmentGather gives the JS definition\'s images to the bit (affine, elastic, both): %s build', async (variant) => {
    const data = await digits();
    for (const augment of [{ affine: AFFINE }, { elastic: ELASTIC }, { affine: AFFINE, elastic: ELASTIC }]) {
      const [seed, epoch, row0] = [3, 2, 500];
      const indices = [0, 1, 2, 3, 4, 5, 0, 0];
      const got = await augmentImages(data, indices, augment, { seed, epoch, row0, kernels: variant === 'debug' ? 'simd' : variant }); // augmentImages takes the public builds: the debug build's SIMD paths are the simd build's
      const key = epochKeys(seed, epoch, 1).augment;
      const params = augmentParams(augment);
      indices.forEach((k, n) => {
        const want = augmentReference(data.images.subarray(k * 784, (k + 1) * 784), 28, 28, row0 + n, key, params);
        expect(Array.from(got.subarray(n * 784, (n + 1) * 784), (v) => Math.round(v * 255))).toEqual(Array.from(want));
      });
    }
  });

  it('with every amplitude 0 (and elastic alpha 0) it is the identity: the lists gatherRuns makes', async () => {
    const data = await digits();
    const indices = Array.from({ length: 40 }, (_, i) => i);
    for (const augment of [{ affine: { rotation: 0, scale: 0, shear: 0, shift: 0 } }, { elastic: { alpha: 0, sigma: 4 } }]) {
      const got = await augmentImages(data, indices, augment);
      expect(got).toEqual(Float32Array.from(data.images, (v) => fr(v * fr(1 / 255))));
    }
  });

  it('keeps each image in [0, 1] with its mass centred: no drift on average, each centre within the shift (2.5 px a side) and 2 px', async () => {
    const data = await digits();
    const centre = (img: ArrayLike<number>) => {
      let [m, x, y] = [0, 0, 0];
      for (let p = 0; p < 784; p++) [m, x, y] = [m + img[p], x + img[p] * (p % 28), y + img[p] * Math.floor(p / 28)];
      return [x / m, y / m, m];
    };
    const indices = Array.from({ length: 40 }, (_, i) => i).flatMap((i) => [i, i, i, i, i]);
    const got = await augmentImages(data, indices, { affine: AFFINE, elastic: ELASTIC }, { seed: 9 });
    expect(got.every((v) => v >= 0 && v <= 1)).toBe(true);
    const [dx, dy] = [[] as number[], [] as number[]];
    indices.forEach((k, n) => {
      const [x0, y0, m0] = centre(Array.from(data.images.subarray(k * 784, (k + 1) * 784), (v) => v / 255));
      const [x1, y1, m1] = centre(got.subarray(n * 784, (n + 1) * 784));
      expect(Math.hypot(x1 - x0, y1 - y0)).toBeLessThan(2.5 * Math.SQRT2 + 2);
      expect(m1 / m0).toBeGreaterThan(0.5); // rescaled, sheared and stretched: never lost or doubled
      expect(m1 / m0).toBeLessThan(2);
      dx.push(x1 - x0);
      dy.push(y1 - y0);
    });
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(Math.abs(mean(dx))).toBeLessThan(0.5); // zero-mean shifts: no drift
    expect(Math.abs(mean(dy))).toBeLessThan(0.5);
    expect(mean(dx.map((v, i) => Math.hypot(v, dy[i])))).toBeLessThan(3); // the shifts alone average ~1.9 px
  });

  it('draws afresh for every row and epoch, and the same again for the same row, epoch and seed', async () => {
    const data = await digits();
    const a = await augmentImages(data, [0, 0], { affine: AFFINE }, { seed: 1, epoch: 1 });
    const b = await augmentImages(data, [0, 0], { affine: AFFINE }, { seed: 1, epoch: 1 });
    const c = await augmentImages(data, [0], { affine: AFFINE }, { seed: 1, epoch: 2 });
    expect(a).toEqual(b);
    expect(a.subarray(0, 784)).not.toEqual(a.subarray(784));
    expect(c).not.toEqual(a.subarray(0, 784));
  });
});

describe('training with dropout', () => {
  const sizes = [12, 9, 7, 5];
  const L = sizes.length - 1;

  it('the reference with a fixed mask matches central differences of its cost', () => {
    const params = randomArray(rng, parameterCount(sizes));
    const x = randomArray(rng, 12).map((v) => (v + 1) / 2);
    const mask: DropoutMask = (l, j) => ((l * 7 + j * 3) % 4 === 0 ? 0 : 1 / 0.75);
    const net = new ReferenceNetwork(sizes, params, { activation: 'tanh' });
    const g = net.backprop(x, 2, mask);
    const analytic = new ReferenceNetwork(sizes, new Float64Array(params.length));
    analytic.W.forEach((w, l) => w.set(g.nablaW[l]));
    analytic.b.forEach((b, l) => b.set(g.nablaB[l]));
    const h = 1e-6;
    const numeric = params.map((_, i) => {
      const [plus, minus] = [params.slice(), params.slice()];
      plus[i] += h;
      minus[i] -= h;
      return (new ReferenceNetwork(sizes, plus, { activation: 'tanh' }).costOf(x, 2, mask) - new ReferenceNetwork(sizes, minus, { activation: 'tanh' }).costOf(x, 2, mask)) / (2 * h);
    });
    expectClose(analytic.parameters(), numeric, 'dC/dparameters with dropout', 1e-8, 1e-5);
  });

  it.each(['sigmoid', 'relu'] as const)('wasm gradients with the hidden layers\' masks equal the reference\'s with the same masks (%s)', async (activation) => {
    const net = await Network.create({ sizes, seed: 4, activation });
    const rates = [0, 0.5, 0.25];
    await net.regularize({ dropout: rates });
    const [seed, epoch, row0, m] = [5, 3, 40, 6];
    net.beginEpoch(seed, epoch);
    const keys = epochKeys(seed, epoch, L).dropout;
    const x = randomPixels(rng, m * sizes[0]);
    const labels = randomLabels(rng, m, 5);
    const got = net.backprop(x, labels, row0);
    const masks = (n: number): DropoutMask => (l, j) => (kept(keys[l], (row0 + n) * sizes[l] + j, rates[l]) ? fr(1 / (1 - rates[l])) : 0);
    const ref = new ReferenceNetwork(sizes, net.getParameters(), { activation }).batchGradients(x, labels, masks);
    got.nablaW.forEach((w, l) => expectClose(w, ref.nablaW[l], `nablaW^${l + 1}`, 1e-5, 1e-4));
    got.nablaB.forEach((b, l) => expectClose(b, ref.nablaB[l], `nablaB^${l + 1}`, 1e-5, 1e-4));
    // without row0 (not a training step) no mask applies
    const plain = net.backprop(x, labels);
    const refPlain = new ReferenceNetwork(sizes, net.getParameters(), { activation }).batchGradients(x, labels);
    expectClose(plain.nablaW[0], refPlain.nablaW[0], 'nablaW^1 unmasked', 1e-5, 1e-4);
    net.dispose();
  });
});

describe('determinism and effects in training', () => {
  const REG = { dropout: [0.2, 0.5], maxNorm: 2, augment: { affine: { rotation: 10, scale: 0.1, shear: 0.1, shift: 2 }, elastic: { alpha: 20, sigma: 3 } } };
  const hash = (p: Float32Array) => createHash('sha256').update(Buffer.from(p.buffer, p.byteOffset, p.byteLength)).digest('hex');

  it('plain SGD: the same bits on 1, 2 and 3 threads, steps threaded (784-64-48-10, batch 64)', async () => {
    const { train: mnist } = await loadMnist();
    const data = sliceDataset(mnist, 0, 1280);
    const hashes = [];
    for (const threads of [1, 2, 3]) {
      const net = await Network.create({ sizes: [784, 64, 48, 10], seed: 2, threads, activation: 'relu', init: 'he' });
      await train(net, data, { epochs: 2, batchSize: 64, eta: 0.1, seed: 2, ...REG });
      hashes.push(hash(net.getParameters()));
      net.dispose();
    }
    expect(new Set(hashes).size).toBe(1);
  });

  it('momentum: repeats bit for bit per thread count, and 2 threads learn as well as 1', async () => {
    const { train: mnist, test } = await loadMnist();
    const data = sliceDataset(mnist, 0, 4000);
    const results: Record<number, string[]> = { 1: [], 2: [] };
    const accuracy: Record<number, number> = {};
    for (const threads of [1, 2, 2, 1]) {
      const net = await Network.create({ sizes: [784, 128, 128, 10], seed: 3, threads, activation: 'relu', init: 'he', cost: 'log-likelihood' });
      const { history } = await train(net, data, { epochs: 2, batchSize: 64, eta: 0.05, optimizer: 'momentum', seed: 3, test: sliceDataset(test, 0, 2000), ...REG });
      results[threads].push(hash(net.getParameters()));
      accuracy[threads] = history[1].testAccuracy;
      net.dispose();
    }
    expect(results[1][0]).toBe(results[1][1]);
    expect(results[2][0]).toBe(results[2][1]);
    expect(Math.abs(accuracy[2] - accuracy[1])).toBeLessThan(0.03);
  });

  it('max-norm holds every hidden unit\'s incoming weights at norm <= c after training, and leaves the output layer alone', async () => {
    const { train: mnist } = await loadMnist();
    const net = await Network.create({ sizes: [784, 40, 30, 10], seed: 6, activation: 'relu', init: 'he' });
    await train(net, sliceDataset(mnist, 0, 2000), { epochs: 2, batchSize: 20, eta: 0.3, maxNorm: 0.8 });
    for (const l of [1, 2]) {
      const W = net.weights(l);
      const cols = net.sizes[l - 1];
      for (let j = 0; j < net.sizes[l]; j++) expect(Math.hypot(...W.subarray(j * cols, (j + 1) * cols))).toBeLessThanOrEqual(0.8 * (1 + 1e-5));
    }
    const out = net.weights(3);
    expect(Math.max(...Array.from({ length: 10 }, (_, j) => Math.hypot(...out.subarray(j * 30, (j + 1) * 30))))).toBeGreaterThan(0.8);
    net.dispose();
  });

  it('a run interrupted after epoch 1 and resumed from its parameters ends with the bits of one that never stopped', async () => {
    const { train: mnist } = await loadMnist();
    const data = sliceDataset(mnist, 0, 1500);
    const opts = { batchSize: 30, eta: 0.1, seed: 8, ...REG };
    const whole = await Network.create({ sizes: [784, 32, 10], seed: 8, activation: 'relu' });
    await train(whole, data, { ...opts, epochs: 3 });
    const first = await Network.create({ sizes: [784, 32, 10], seed: 8, activation: 'relu' });
    await train(first, data, { ...opts, epochs: 1 });
    const resumed = await Network.create({ sizes: [784, 32, 10], seed: 99, activation: 'relu' });
    resumed.setParameters(first.getParameters());
    await train(resumed, data, { ...opts, epochs: 3, initialEpoch: 1 });
    expect(hash(resumed.getParameters())).toBe(hash(whole.getParameters()));
  });

  it('evaluation never drops or distorts: evaluating mid-training gives what a fresh copy of the parameters gives', async () => {
    const images = new Uint8Array(200 * 16).map((_, i) => ((i * 37) % 5 === 0 ? 200 : 0));
    const data = createDataset({ images, labels: new Uint8Array(200).map((_, i) => i % 3), rows: 4, cols: 4 });
    const net = await Network.create({ sizes: [16, 12, 3], seed: 1 });
    const seen: number[] = [];
    await train(net, data, { epochs: 2, test: data, ...REG, onEpochEnd: (m) => void seen.push(m.testCost) });
    const copy = await Network.create({ sizes: [16, 12, 3] });
    copy.setParameters(net.getParameters());
    const { evaluate } = await import('../src/train/evaluate.js');
    expect(evaluate(copy, data).cost).toBe(seen[1]);
  });

  it('rejects bad settings with a message naming them', async () => {
    const net = await Network.create({ sizes: [784, 20, 10] });
    const data = sliceDataset((await loadMnist()).test, 0, 100);
    await expect(train(net, data, { dropout: [1] })).rejects.toThrow(/dropout must be rates in \[0, 1\)/);
    await expect(train(net, data, { dropout: [0.1, 0.2, 0.3] })).rejects.toThrow(/dropout has 3 rates, but the network has 1 hidden layers/);
    await expect(train(net, data, { maxNorm: -1 })).rejects.toThrow(/maxNorm must be a finite number > 0/);
    await expect(train(net, data, { augment: { affine: { rotation: 90, scale: 0, shear: 0, shift: 0 } } })).rejects.toThrow(/rotation is at most 45/);
    await expect(train(net, data, { augment: { elastic: { alpha: 1, sigma: 0 } } })).rejects.toThrow(/sigma must be in/);
    const odd = createDataset({ images: new Uint8Array(10 * 784), labels: new Uint8Array(10), rows: 784, cols: 1 });
    expect(odd.pixels).toBe(784);
    await train(net, data, { epochs: 1 }); // still usable
  });
});

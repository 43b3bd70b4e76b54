// Every kernel, in every build, against plain float64 loops of the same math on random shapes,
// including batch 1 and sizes that are not multiples of 4.
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/core/random.js';
import { relaxedSupported, type KernelBuild } from '../src/core/kernels.js';
import { f32, expectClose, KernelBench, randomArray, randomLabels } from './helpers.js';

const rng = new Rng(42);
const SHAPES: [batch: number, rows: number, cols: number][] = [
  [1, 1, 1],
  [1, 10, 784],
  [2, 5, 3],
  [3, 7, 13],
  [10, 30, 784],
  [5, 17, 33],
  [64, 16, 16],
  ...Array.from({ length: 6 }, () => [1 + rng.below(20), 1 + rng.below(40), 1 + rng.below(100)] as [number, number, number]),
];
// f32 sums of up to 784 products of values in [-1, 1]
const DOT_TOL = { atol: 2e-5, rtol: 1e-5 };

// The debug build has the SIMD paths (as the release build) and exports their scalar twins
// (<kernel>Scalar): each twinned kernel is held to float64 three ways.
type Entry = { name: string; variant: 'debug' | 'scalar'; suffix: '' | 'Scalar' };
const ENTRIES: Entry[] = [
  { name: 'simd paths (debug build)', variant: 'debug', suffix: '' },
  { name: 'scalar twins (debug build)', variant: 'debug', suffix: 'Scalar' },
  { name: 'scalar build', variant: 'scalar', suffix: '' },
];

describe.each(ENTRIES)('kernels: $name', ({ variant, suffix }) => {
  const bench = async () => {
    const t = await KernelBench.create(variant);
    return { t, k: (suffix ? t.twins! : t.k) as unknown as Record<string, (...args: number[]) => number> };
  };

  it.each(SHAPES)('denseForward batch %i, rows %i, cols %i', async (batch, rows, cols) => {
    const { t, k } = await bench();
    const W = f32(randomArray(rng, rows * cols));
    const b = f32(randomArray(rng, rows));
    const x = f32(randomArray(rng, batch * cols));
    const z = t.f32(new Float32Array(batch * rows));
    k[`denseForward${suffix}`](z, t.f32(W), t.f32(b), t.f32(x), batch, rows, cols);
    const expected = new Float64Array(batch * rows);
    for (let n = 0; n < batch; n++)
      for (let j = 0; j < rows; j++) {
        let s = b[j];
        for (let i = 0; i < cols; i++) s += W[j * cols + i] * x[n * cols + i];
        expected[n * rows + j] = s;
      }
    expectClose(t.readF32(z, batch * rows), expected, 'z', DOT_TOL.atol * cols, DOT_TOL.rtol);
  });

  it.each(SHAPES)('denseBackwardInput batch %i, rows %i, cols %i', async (batch, rows, cols) => {
    const { t, k } = await bench();
    const W = f32(randomArray(rng, rows * cols));
    const delta = f32(randomArray(rng, batch * rows));
    const dx = t.f32(randomArray(rng, batch * cols)); // garbage: the kernel overwrites it
    k[`denseBackwardInput${suffix}`](dx, t.f32(W), t.f32(delta), batch, rows, cols);
    const expected = new Float64Array(batch * cols);
    for (let n = 0; n < batch; n++)
      for (let i = 0; i < cols; i++) {
        let s = 0;
        for (let j = 0; j < rows; j++) s += W[j * cols + i] * delta[n * rows + j];
        expected[n * cols + i] = s;
      }
    expectClose(t.readF32(dx, batch * cols), expected, 'dx', DOT_TOL.atol * rows, DOT_TOL.rtol);
  });

  it.each(SHAPES)('denseBackwardParams accumulates, batch %i, rows %i, cols %i', async (batch, rows, cols) => {
    const { t, k } = await bench();
    const delta = f32(randomArray(rng, batch * rows));
    delta[0] = 0; // the zero-delta shortcut must still add nothing and count the bias
    const x = f32(randomArray(rng, batch * cols));
    const gW0 = f32(randomArray(rng, rows * cols));
    const gB0 = f32(randomArray(rng, rows));
    const gW = t.f32(gW0);
    const gB = t.f32(gB0);
    k[`denseBackwardParams${suffix}`](gW, gB, t.f32(delta), t.f32(x), batch, rows, cols);
    const eW = Float64Array.from(gW0);
    const eB = Float64Array.from(gB0);
    for (let n = 0; n < batch; n++)
      for (let j = 0; j < rows; j++) {
        eB[j] += delta[n * rows + j];
        for (let i = 0; i < cols; i++) eW[j * cols + i] += delta[n * rows + j] * x[n * cols + i];
      }
    expectClose(t.readF32(gW, rows * cols), eW, 'nablaW', DOT_TOL.atol * batch, DOT_TOL.rtol);
    expectClose(t.readF32(gB, rows), eB, 'nablaB', DOT_TOL.atol * batch, DOT_TOL.rtol);
  });

  it.each(SHAPES)('denseSgdStep equals zero + denseBackwardParams + sgdUpdate bit for bit, batch %i, rows %i, cols %i', async (batch, rows, cols) => {
    const { t, k } = await bench();
    const delta = f32(randomArray(rng, batch * rows));
    const x = f32(randomArray(rng, batch * cols).map((v) => (v < 0 ? 0 : v))); // zeros, as in images
    const W0 = f32(randomArray(rng, rows * cols));
    const b0 = f32(randomArray(rng, rows));
    const [dp, xp] = [t.f32(delta), t.f32(x)];
    const scale = 1.5 / batch;
    // the plain way: gradients into a zeroed buffer, then the update
    const W1 = t.f32(W0), b1 = t.f32(b0), gW = t.f32(new Float32Array(rows * cols)), gB = t.f32(new Float32Array(rows));
    k[`denseBackwardParams${suffix}`](gW, gB, dp, xp, batch, rows, cols);
    k[`sgdUpdate${suffix}`](W1, gW, scale, rows * cols);
    k[`sgdUpdate${suffix}`](b1, gB, scale, rows);
    // the fused step
    const W2 = t.f32(W0), b2 = t.f32(b0);
    k[`denseSgdStep${suffix}`](W2, b2, dp, xp, scale, batch, rows, cols, rows);
    expect(t.readF32(W2, rows * cols)).toEqual(t.readF32(W1, rows * cols));
    expect(t.readF32(b2, rows)).toEqual(t.readF32(b1, rows));
    // and both equal W0 - scale * delta^T x within tolerance
    const eW = Float64Array.from(W0);
    for (let n = 0; n < batch; n++) for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) eW[j * cols + i] -= scale * delta[n * rows + j] * x[n * cols + i];
    expectClose(t.readF32(W2, rows * cols), eW, 'W after the step', DOT_TOL.atol * batch, DOT_TOL.rtol);
  });

  it.each([1, 3, 4, 17, 1000])('sgdUpdate over %i parameters', async (n) => {
    const { t, k } = await bench();
    const p0 = f32(randomArray(rng, n));
    const g = f32(randomArray(rng, n));
    const p = t.f32(p0);
    k[`sgdUpdate${suffix}`](p, t.f32(g), 0.15, n);
    expectClose(t.readF32(p, n), p0.map((v, i) => v - Math.fround(0.15) * g[i]), 'params', 1e-6, 1e-6);
  });
});

describe.each(['debug', 'scalar'] as const)('elementwise and data kernels: %s build', (variant) => {
  it('sigmoid, in place and out of place, including saturated inputs (and in the debug build, equal to its scalar twin bit for bit)', async () => {
    const t = await KernelBench.create(variant);
    const z = f32([...randomArray(rng, 37, 8), -100, 100, 0, -0, -1e30, 1e30, -87.5, -88.2, 88.2, 88.6, 90, -90]);
    const zp = t.f32(z);
    const a = t.f32(new Float32Array(z.length));
    t.k.sigmoid(a, zp, z.length);
    const expected = z.map((v) => 1 / (1 + Math.exp(-v)));
    expectClose(t.readF32(a, z.length), expected, 'sigma(z)', 1e-6, 1e-6);
    if (t.twins) {
      const twin = t.f32(new Float32Array(z.length));
      t.twins.sigmoidScalar(twin, zp, z.length);
      expect(t.readF32(twin, z.length)).toEqual(t.readF32(a, z.length));
    }
    t.k.sigmoid(zp, zp, z.length);
    expect(t.readF32(zp, z.length)).toEqual(t.readF32(a, z.length));
    const nan = t.f32(f32([NaN, NaN, NaN, NaN, NaN])); // a whole SIMD lane group and a scalar tail
    t.k.sigmoid(nan, nan, 5);
    expect([...t.readF32(nan, 5)].every(Number.isNaN)).toBe(true);
  });

  it('sigmoid is within 4e-7 (relative) of float64 over [-90, 90], 0 below 2^-63, and its exp within 3e-7', async () => {
    const t = await KernelBench.create(variant);
    const n = 200001;
    const z = Float32Array.from({ length: n }, (_, i) => -90 + (180 * i) / (n - 1));
    const a = t.f32(new Float32Array(n));
    const zp = t.f32(z);
    t.k.sigmoid(a, zp, n);
    const got = t.readF32(a, n);
    if (t.twins) {
      const twin = t.f32(new Float32Array(n));
      t.twins.sigmoidScalar(twin, zp, n);
      expect(t.readF32(twin, n)).toEqual(got); // the SIMD path, bit for bit, at every point
    }
    let worst = 0;
    let worstExp = 0;
    for (let i = 0; i < n; i++) {
      const want = 1 / (1 + Math.exp(-z[i]));
      // flushed to 0 below 2^-63 (z < -43.668), so that its products with deltas stay normal
      if (got[i] !== 0 && got[i] < 2 ** -63) throw new Error(`sigma(${z[i]}) = ${got[i]} is below 2^-63, not flushed`);
      if (z[i] < -43.67) expect(got[i]).toBe(0);
      if (want < 2 ** -63) continue;
      worst = Math.max(worst, Math.abs(got[i] - want) / want);
      // e^-z recovered from a = 1 / (1 + e^-z) where that is well conditioned
      if (z[i] > -15 && z[i] < 0) worstExp = Math.max(worstExp, Math.abs((1 / got[i] - 1) / Math.exp(-z[i]) - 1));
    }
    expect(worst).toBeLessThan(4e-7);
    expect(worstExp).toBeLessThan(3e-7 + 2 ** -23 * 2);
    expect(got[0]).toBe(0);
    expect(got[n - 1]).toBe(1);
  });

  it('sigmoidPrimeMul multiplies by a (1 - a) and flushes results below 2^-63 to zero', async () => {
    const t = await KernelBench.create(variant);
    const a = f32(randomArray(rng, 23).map((v) => (v + 1) / 2));
    const d0 = f32(randomArray(rng, 23));
    d0[5] = 1e-35;
    d0[6] = 2 ** -62; // times a (1 - a) <= 1/4: below 2^-63, flushed
    a[7] = 0.5;
    d0[7] = 2 ** -60; // times 1/4: 2^-62, kept
    const d = t.f32(d0);
    const ap = t.f32(a);
    t.k.sigmoidPrimeMul(d, ap, 23);
    const expected = d0.map((v, i) => (i === 5 || i === 6 ? 0 : v * a[i] * (1 - a[i])));
    expectClose(t.readF32(d, 23), expected, 'delta', 1e-7, 1e-6);
    expect(Object.is(t.readF32(d, 23)[5], 0)).toBe(true);
    expect(Object.is(t.readF32(d, 23)[6], 0)).toBe(true);
    expect(t.readF32(d, 23)[7]).toBe(2 ** -62);
    if (t.twins) {
      const d2 = t.f32(d0);
      t.twins.sigmoidPrimeMulScalar(d2, ap, 23);
      expect(t.readF32(d2, 23)).toEqual(t.readF32(d, 23));
    }
  });

  it.each([1, 7])('outputDeltaQuadratic and costQuadratic, batch %i, 10 classes', async (batch) => {
    const t = await KernelBench.create(variant);
    const K = 10;
    const a = f32(randomArray(rng, batch * K).map((v) => (v + 1) / 2));
    const y = randomLabels(rng, batch, K);
    const ap = t.f32(a);
    const yp = t.u8(y);
    const delta = t.f32(new Float32Array(batch * K));
    t.k.outputDeltaQuadratic(delta, ap, yp, batch, K);
    const eDelta = new Float64Array(batch * K);
    let eCost = 0;
    for (let n = 0; n < batch; n++)
      for (let j = 0; j < K; j++) {
        const s = a[n * K + j];
        const target = j === y[n] ? 1 : 0;
        eDelta[n * K + j] = 2 * (s - target) * s * (1 - s);
        eCost += (s - target) ** 2;
      }
    expectClose(t.readF32(delta, batch * K), eDelta, 'delta^L', 1e-6, 1e-5);
    expect(t.k.costQuadratic(ap, yp, batch, K)).toBeCloseTo(eCost, 10);
  });

  it('softmaxRows is within 1e-6 of float64, in place, with large and equal z', async () => {
    const t = await KernelBench.create(variant);
    const [batch, K] = [5, 7];
    const z = randomArray(rng, batch * K).map((v, i) => (i < K ? 80 + v : i < 2 * K ? 3 : 20 * v));
    const a = t.f32(z);
    t.k.softmaxRows(a, a, batch, K);
    const expected = new Float64Array(batch * K);
    for (let n = 0; n < batch; n++) {
      const row = Array.from(f32(z).subarray(n * K, (n + 1) * K));
      const max = Math.max(...row);
      const log = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
      row.forEach((v, j) => (expected[n * K + j] = Math.exp(v - max - log)));
    }
    expectClose(t.readF32(a, batch * K), expected, 'softmaxRows', 1e-6, 1e-6);
  });

  it('argmaxRows picks the first largest output of each row', async () => {
    const t = await KernelBench.create(variant);
    const a = [0.1, 0.9, 0.3, /**/ 0.5, 0.5, 0.2, /**/ -1, -2, -0.5, /**/ 0, 0, 0];
    const out = t.u8(new Uint8Array(4));
    t.k.argmaxRows(out, t.f32(a), 4, 3);
    expect([...t.readU8(out, 4)]).toEqual([1, 0, 2, 0]);
  });

  it('zero clears exactly n floats', async () => {
    const t = await KernelBench.create(variant);
    const p = t.f32([1, 2, 3, 4, 5, 6]);
    t.k.zero(p, 5);
    expect([...t.readF32(p, 6)]).toEqual([0, 0, 0, 0, 0, 6]);
  });

  it('reports whether it is the SIMD build', async () => {
    const t = await KernelBench.create(variant);
    expect(t.k.simdEnabled()).toBe(variant === 'debug' ? 1 : 0);
  });
});

describe.each(['debug', 'scalar'] as const)('sparse first-layer kernels: %s build', (variant) => {
  /** x with about `zeros` of its entries exactly zero, and its transposed, zero-padded W. */
  const sparseCase = (batch: number, rows: number, cols: number, zeros = 0.8) => {
    const x = f32(randomArray(rng, batch * cols).map((v) => (rng.float() < zeros ? 0 : Math.abs(v))));
    const W = f32(randomArray(rng, rows * cols));
    const stride = Math.ceil(rows / 16) * 16;
    const WT = new Float64Array(cols * stride);
    for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) WT[i * stride + j] = W[j * cols + i];
    return { x, W, WT, stride };
  };
  const lists = (t: KernelBench, x: ArrayLike<number>, batch: number, cols: number) => {
    const list = t.u32(new Uint32Array(batch * cols));
    const vals = t.f32(new Float32Array(batch * cols));
    const counts = t.u32(new Uint32Array(batch));
    t.k.nonzeroColumns(list, vals, counts, t.f32(x), batch, cols);
    return { list, vals, counts };
  };
  const SPARSE_SHAPES: [number, number, number][] = [[1, 1, 1], [1, 30, 784], [10, 30, 784], [3, 17, 33], [4, 100, 50], [2, 40, 37], [5, 16, 16], [64, 7, 100]];

  it.each(SPARSE_SHAPES)('nonzeroColumns lists the nonzero inputs and their values in order, batch %i, (rows %i), cols %i', async (batch, _rows, cols) => {
    const t = await KernelBench.create(variant);
    const { x } = sparseCase(batch, 1, cols, 0.7);
    const xp = t.f32(x);
    for (const run of [t.k.nonzeroColumns, ...(t.twins ? [t.twins.nonzeroColumnsScalar] : [])]) {
      const [list, vals, counts] = [t.u32(new Uint32Array(batch * cols)), t.f32(new Float32Array(batch * cols)), t.u32(new Uint32Array(batch))];
      run(list, vals, counts, xp, batch, cols);
      for (let n = 0; n < batch; n++) {
        const expected = [...x.subarray(n * cols, (n + 1) * cols)].flatMap((v, i) => (v !== 0 ? [i] : []));
        expect(t.plan.u32[(counts >> 2) + n]).toBe(expected.length);
        expect([...t.plan.u32.subarray((list >> 2) + n * cols, (list >> 2) + n * cols + expected.length)]).toEqual(expected);
        expect([...t.readF32(vals + 4 * n * cols, expected.length)]).toEqual(expected.map((i) => x[n * cols + i]));
      }
    }
  });

  /** The run table by its definition (assembly/runs.ts): maximal runs of nonzero pixels, split at multiples of 256. */
  const runTable = (images: Uint8Array, count: number, pixels: number) => {
    const starts = [0];
    const runs: number[] = [];
    for (let k = 0; k < count; k++) {
      const img = images.subarray(k * pixels, (k + 1) * pixels);
      for (let p = 0; p < pixels; p++) {
        if (img[p] === 0 || (p > 0 && img[p - 1] !== 0 && p % 256 !== 0)) continue;
        let end = p;
        while (end + 1 < pixels && img[end + 1] !== 0 && (end + 1) % 256 !== 0) end++;
        runs.push((p << 8) | (end - p));
      }
      starts.push(runs.length);
    }
    return { starts, runs };
  };
  /** count images of `pixels`, about `zeros` of them zero, then 16 bytes of 255 past the last one that no run may include. */
  const imageSet = (count: number, pixels: number, zeros: number) => {
    const bytes = Uint8Array.from({ length: count * pixels + 16 }, () => (rng.float() < zeros ? 0 : 1 + rng.below(255)));
    bytes.fill(255, count * pixels);
    return bytes;
  };
  const IMAGE_SETS: [number, number, number][] = [[3, 1, 0.5], [4, 7, 0.5], [4, 8, 0.3], [5, 9, 0.5], [6, 35, 0.75], [10, 784, 0.81], [3, 784, 0], [3, 784, 1], [2, 600, 0.05], [2, 1030, 0]];

  it.each(IMAGE_SETS)('countRuns and encodeRuns give the runs of every image by their definition, %i images of %i pixels, %f zeros', async (count, pixels, zeros) => {
    const t = await KernelBench.create(variant);
    const bytes = imageSet(count, pixels, zeros);
    const expected = runTable(bytes, count, pixels);
    const ip = t.u8(bytes);
    const starts = t.u32(new Uint32Array(count + 1).fill(0xffffffff));
    expect(t.k.countRuns(starts, ip, count, pixels)).toBe(expected.runs.length);
    expect([...t.plan.u32.subarray(starts >> 2, (starts >> 2) + count + 1)]).toEqual(expected.starts);
    const runs = t.u32(new Uint32Array(expected.runs.length + 1).fill(0xffffffff));
    t.k.encodeRuns(runs, starts, ip, count, pixels);
    expect([...t.plan.u32.subarray(runs >> 2, (runs >> 2) + expected.runs.length + 1)]).toEqual([...expected.runs, 0xffffffff]);
  });

  it.each([[1, 784, 0.81], [10, 784, 0.81], [3, 35, 0.75], [64, 17, 0.5], [4, 600, 0], [3, 9, 0.2]])('gatherRuns lists what nonzeroColumns lists for the images scaled to [0, 1], batch %i, %i pixels, %f zeros', async (batch, pixels, zeros) => {
    const t = await KernelBench.create(variant);
    const count = batch + 5;
    const bytes = imageSet(count, pixels, zeros);
    const labels = Uint8Array.from({ length: count }, () => rng.below(10));
    const indices = Array.from({ length: batch }, (_, n) => (n === batch - 1 ? count - 1 : rng.below(count))); // the last image too
    const [ip, lp, xp] = [t.u8(bytes), t.u8(labels), t.u32(indices)];
    const x = new Float32Array(batch * pixels); // u8 * f32(1 / 255), as the kernels scale
    indices.forEach((k, n) => x.set(Array.from(bytes.subarray(k * pixels, (k + 1) * pixels), (v) => Math.fround(v * Math.fround(1 / 255))), n * pixels));
    const a = lists(t, x, batch, pixels);
    const y1 = indices.map((k) => labels[k]);
    const starts = t.u32(new Uint32Array(count + 1));
    const runs = t.u32(new Uint32Array(t.k.countRuns(starts, ip, count, pixels)));
    t.k.encodeRuns(runs, starts, ip, count, pixels);
    for (const run of [t.k.gatherRuns, ...(t.twins ? [t.twins.gatherRunsScalar] : [])]) {
      // 4 entries past the lists must stay as they are: a thread's slice ends there
      const [list, vals, counts, y2] = [t.u32(new Uint32Array(batch * pixels + 4).fill(7)), t.f32(new Float32Array(batch * pixels + 4).fill(7)), t.u32(new Uint32Array(batch)), t.u8(new Uint8Array(batch))];
      run(list, vals, counts, y2, ip, lp, runs, starts, xp, batch, pixels);
      expect([...t.readU8(y2, batch)]).toEqual(y1);
      for (let n = 0; n < batch; n++) {
        const c = t.plan.u32[(a.counts >> 2) + n];
        expect(t.plan.u32[(counts >> 2) + n]).toBe(c);
        expect(t.plan.u32.slice((list >> 2) + n * pixels, (list >> 2) + n * pixels + c)).toEqual(t.plan.u32.slice((a.list >> 2) + n * pixels, (a.list >> 2) + n * pixels + c));
        expect(t.readF32(vals + 4 * n * pixels, c)).toEqual(t.readF32(a.vals + 4 * n * pixels, c));
      }
      expect([...t.plan.u32.subarray((list >> 2) + batch * pixels, (list >> 2) + batch * pixels + 4)]).toEqual([7, 7, 7, 7]);
      expect([...t.readF32(vals + 4 * batch * pixels, 4)]).toEqual([7, 7, 7, 7]);
    }
  });

  it.each([[1, 30, 784], [10, 30, 784], [7, 72, 35], [3, 100, 600], [5, 16, 17], [4, 5, 9]])('sparseForwardRuns gives the bits of gatherRuns then sparseForward (and its twin too), batch %i, rows %i, pixels %i', async (batch, rows, pixels) => {
    const t = await KernelBench.create(variant);
    const count = batch + 4;
    const bytes = imageSet(count, pixels, 0.7);
    const labels = Uint8Array.from({ length: count }, () => rng.below(10));
    const indices = Array.from({ length: batch }, (_, n) => (n === batch - 1 ? count - 1 : rng.below(count)));
    const { WT, stride } = sparseCase(1, rows, pixels);
    const b = f32(randomArray(rng, rows));
    const [ip, lp, xp, WTp, bp] = [t.u8(bytes), t.u8(labels), t.u32(indices), t.f32(WT), t.f32(b)];
    const starts = t.u32(new Uint32Array(count + 1));
    const runs = t.u32(new Uint32Array(t.k.countRuns(starts, ip, count, pixels)));
    t.k.encodeRuns(runs, starts, ip, count, pixels);
    const [list, vals, counts, y] = [t.u32(new Uint32Array(batch * pixels)), t.f32(new Float32Array(batch * pixels)), t.u32(new Uint32Array(batch)), t.u8(new Uint8Array(batch))];
    t.k.gatherRuns(list, vals, counts, y, ip, lp, runs, starts, xp, batch, pixels);
    const zstride = rows + 3; // rows zstride apart, as threads' slices are
    const expected = t.f32(new Float32Array(batch * zstride));
    t.k.sparseForward(expected, WTp, bp, vals, list, counts, batch, rows, pixels, stride, zstride);
    for (const run of [t.k.sparseForwardRuns, ...(t.twins ? [t.twins.sparseForwardRunsScalar] : [])]) {
      const [z, y2] = [t.f32(new Float32Array(batch * zstride).fill(7)), t.u8(new Uint8Array(batch))];
      run(z, WTp, bp, y2, ip, lp, runs, starts, xp, batch, rows, pixels, stride, zstride);
      for (let n = 0; n < batch; n++) expect(t.readF32(z + 4 * n * zstride, rows)).toEqual(t.readF32(expected + 4 * n * zstride, rows));
      expect([...t.readF32(z + 4 * rows, 3)]).toEqual([7, 7, 7]); // the gaps between rows untouched
      expect([...t.readU8(y2, batch)]).toEqual(indices.map((k) => labels[k]));
    }
  });

  it.each(SPARSE_SHAPES)('sparseForward equals the dense forward within tolerance (and in the debug build its scalar twin bit for bit), batch %i, rows %i, cols %i', async (batch, rows, cols) => {
    const t = await KernelBench.create(variant);
    const { x, W, WT, stride } = sparseCase(batch, rows, cols);
    const b = f32(randomArray(rng, rows));
    const { list, vals, counts } = lists(t, x, batch, cols);
    const [WTp, bp, xp] = [t.f32(WT), t.f32(b), t.f32(x)];
    const z = t.f32(new Float32Array(batch * rows));
    t.k.sparseForward(z, WTp, bp, vals, list, counts, batch, rows, cols, stride, rows);
    if (t.twins) {
      const z2 = t.f32(new Float32Array(batch * rows));
      t.twins.sparseForwardScalar(z2, WTp, bp, vals, list, counts, batch, rows, cols, stride, rows);
      expect(t.readF32(z, batch * rows)).toEqual(t.readF32(z2, batch * rows));
    }
    const zd = t.f32(new Float32Array(batch * rows));
    t.k.denseForward(zd, t.f32(W), bp, xp, batch, rows, cols);
    expectClose(t.readF32(z, batch * rows), t.readF32(zd, batch * rows), 'sparse z vs dense z', DOT_TOL.atol * cols, DOT_TOL.rtol);
  });

  it.each(SPARSE_SHAPES)('sparseOuter equals the dense update within tolerance (and in the debug build its scalar twin bit for bit), and keeps the padding zero, batch %i, rows %i, cols %i', async (batch, rows, cols) => {
    const t = await KernelBench.create(variant);
    const { x, W, WT, stride } = sparseCase(batch, rows, cols);
    const delta = f32(randomArray(rng, batch * rows));
    const b = f32(randomArray(rng, rows));
    const { list, vals, counts } = lists(t, x, batch, cols);
    const [xp, dp] = [t.f32(x), t.f32(delta)];
    const alpha = -0.15;
    const results = [];
    for (const run of [
      (WTp: number, bp: number) => t.k.sparseOuter(WTp, bp, dp, vals, list, counts, alpha, batch, rows, cols, stride, rows),
      ...(t.twins ? [(WTp: number, bp: number) => t.twins!.sparseOuterScalar(WTp, bp, dp, vals, list, counts, alpha, batch, rows, cols, stride, rows)] : []),
    ]) {
      const WTp = t.f32(WT), bp = t.f32(b);
      run(WTp, bp);
      results.push({ WT: t.readF32(WTp, cols * stride), b: t.readF32(bp, rows) });
    }
    const [fast, twin] = results;
    for (let k = 0; twin && k < cols * stride; k++) {
      if (!Object.is(fast.WT[k], twin.WT[k])) throw new Error(`WT[${Math.floor(k / stride)}, ${k % stride}] = ${fast.WT[k]}, its scalar twin gives ${twin.WT[k]}`);
    }
    const Wp = t.f32(W), bd = t.f32(b);
    t.k.denseSgdStep(Wp, bd, dp, xp, -alpha, batch, rows, cols, rows); // the dense update: W += alpha delta^T x
    const Wd = t.readF32(Wp, rows * cols);
    const fromWT = new Float32Array(rows * cols);
    for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) fromWT[j * cols + i] = fast.WT[i * stride + j];
    // the same sums rounded in another order: per example into W, against summed over the batch then scaled
    expectClose(fromWT, Wd, 'sparse W vs dense W', 3e-7 * (batch + 1), 1e-6);
    expect(fromWT.some((v, k) => v !== W[k]) || x.every((v) => v === 0)).toBe(true);
    for (let i = 0; i < cols; i++) for (let j = rows; j < stride; j++) expect(fast.WT[i * stride + j]).toBe(0);
    expect(fast.b).toEqual(t.readF32(bd, rows));
    if (twin) expect(twin.b).toEqual(t.readF32(bd, rows));
  });
});

describe.each(['debug', 'scalar'] as const)('row ranges, as threads update them: %s build', (variant) => {
  it.each([[64, 40, 100], [10, 30, 784], [7, 100, 33], [3, 16, 20]])('sparseForward, sparseOuter and denseSgdStep on ranges of rows give the bits of the whole, batch %i, rows %i, cols %i', async (batch, rows, cols) => {
    const t = await KernelBench.create(variant);
    const stride = Math.ceil(rows / 16) * 16;
    const x = f32(randomArray(rng, batch * cols).map((v) => (rng.float() < 0.7 ? 0 : Math.abs(v))));
    const delta = f32(randomArray(rng, batch * rows));
    const W = f32(randomArray(rng, rows * cols)), WT = new Float64Array(cols * stride), b = f32(randomArray(rng, rows));
    for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) WT[i * stride + j] = W[j * cols + i];
    const [xp, dp] = [t.f32(x), t.f32(delta)];
    const list = t.u32(new Uint32Array(batch * cols)), vals = t.f32(new Float32Array(batch * cols)), counts = t.u32(new Uint32Array(batch));
    t.k.nonzeroColumns(list, vals, counts, xp, batch, cols);
    // the forward pass by ranges of rows (z's rows stay rows apart) sums each z[n, j] as the whole does
    const zWhole = t.f32(new Float32Array(batch * rows)), zParts = t.f32(new Float32Array(batch * rows).fill(NaN));
    const [WTf, bf] = [t.f32(WT), t.f32(b)];
    t.k.sparseForward(zWhole, WTf, bf, vals, list, counts, batch, rows, cols, stride, rows);
    for (const [j0, j1] of [[0, Math.min(16, rows)], [Math.min(16, rows), rows]]) {
      if (j1 > j0) t.k.sparseForward(zParts + 4 * j0, WTf + 4 * j0, bf + 4 * j0, vals, list, counts, batch, j1 - j0, cols, stride, rows);
    }
    expect(t.readF32(zParts, batch * rows)).toEqual(t.readF32(zWhole, batch * rows));
    const whole = { WT: t.f32(WT), bT: t.f32(b), W: t.f32(W), b: t.f32(b) };
    t.k.sparseOuter(whole.WT, whole.bT, dp, vals, list, counts, -0.3, batch, rows, cols, stride, rows);
    t.k.denseSgdStep(whole.W, whole.b, dp, xp, 0.3, batch, rows, cols, rows);
    for (const cuts of [[0, 16, rows], [0, Math.min(32, stride), rows], [0, rows]]) {
      const part = { WT: t.f32(WT), bT: t.f32(b), W: t.f32(W), b: t.f32(b) };
      for (let r = 0; r + 1 < cuts.length; r++) {
        const [j0, j1] = [Math.min(cuts[r], rows), Math.min(cuts[r + 1], rows)];
        if (j1 <= j0) continue;
        t.k.sparseOuter(part.WT + 4 * j0, part.bT + 4 * j0, dp + 4 * j0, vals, list, counts, -0.3, batch, j1 - j0, cols, stride, rows);
        t.k.denseSgdStep(part.W + 4 * j0 * cols, part.b + 4 * j0, dp + 4 * j0, xp, 0.3, batch, j1 - j0, cols, rows);
      }
      expect(t.readF32(part.WT, cols * stride)).toEqual(t.readF32(whole.WT, cols * stride));
      expect(t.readF32(part.bT, rows)).toEqual(t.readF32(whole.bT, rows));
      expect(t.readF32(part.W, rows * cols)).toEqual(t.readF32(whole.W, rows * cols));
      expect(t.readF32(part.b, rows)).toEqual(t.readF32(whole.b, rows));
    }
    // a range writes nothing outside its rows rounded up to 16: the range [0, 16) leaves WT's rows 16.. as they were
    if (rows > 16) {
      const only = t.f32(WT);
      t.k.sparseOuter(only, t.f32(b), dp, vals, list, counts, -0.3, batch, 16, cols, stride, rows);
      const got = t.readF32(only, cols * stride);
      for (let i = 0; i < cols; i++) for (let j = 16; j < stride; j++) expect(got[i * stride + j]).toBe(Math.fround(WT[i * stride + j]));
    }
  });
});

describe.each(['debug', 'scalar'] as const)('overwriting gradient kernels (threads): %s build', (variant) => {
  it.each([[1, 1, 1], [10, 30, 784], [3, 17, 33], [4, 100, 50], [64, 7, 100]])('denseGradient and sparseGradientColumns overwrite garbage with delta^T x, batch %i, rows %i, cols %i', async (batch, rows, cols) => {
    const t = await KernelBench.create(variant);
    const x = f32(randomArray(rng, batch * cols).map((v) => (v < 0.3 ? 0 : v)));
    const delta = f32(randomArray(rng, batch * rows));
    const [xp, dp] = [t.f32(x), t.f32(delta)];
    // the oracle: accumulate into zeros
    const W0 = t.f32(new Float32Array(rows * cols)), b0 = t.f32(new Float32Array(rows));
    t.k.denseBackwardParams(W0, b0, dp, xp, batch, rows, cols);
    const expectedW = t.readF32(W0, rows * cols), expectedB = t.readF32(b0, rows);
    const garbage = (n: number) => Float32Array.from({ length: n }, () => NaN);
    const W = t.f32(garbage(rows * cols)), b = t.f32(garbage(rows));
    t.k.denseGradient(W, b, dp, xp, batch, rows, cols, rows);
    expect(t.readF32(W, rows * cols)).toEqual(expectedW);
    expect(t.readF32(b, rows)).toEqual(expectedB);
    const stride = Math.ceil(rows / 16) * 16;
    const list = t.u32(new Uint32Array(batch * cols)), vals = t.f32(new Float32Array(batch * cols)), counts = t.u32(new Uint32Array(batch));
    t.k.nonzeroColumns(list, vals, counts, xp, batch, cols);
    const [tstarts, texamples, tvals] = [t.u32(new Uint32Array(cols + 1)), t.u32(new Uint32Array(batch * cols)), t.f32(new Float32Array(batch * cols))];
    t.k.transposeLists(tstarts, texamples, tvals, list, vals, counts, batch, cols, 0);
    const GT = t.f32(garbage(cols * stride)), g = t.f32(garbage(rows));
    t.k.sparseGradientColumns(GT, g, dp, tstarts, texamples, tvals, t.f32(new Float32Array(batch * 32)), batch, rows, cols, stride, rows, 1, 0);
    const got = t.readF32(GT, cols * stride);
    for (let i = 0; i < cols; i++) for (let j = 0; j < stride; j++) {
      const want = j < rows ? expectedW[j * cols + i] : 0;
      if (got[i * stride + j] !== want) throw new Error(`GT[${i}, ${j}] = ${got[i * stride + j]}, expected ${want}`);
    }
    expect(t.readF32(g, rows)).toEqual(expectedB);
  });
});

describe('the release builds', () => {
  it('the SIMD build reports SIMD, exports no scalar twins, and fits in 32 KB, 10 KB gzipped (16 KB before dropout, max-norm and augmentation, 24 KB before the column-by-column first layer)', async () => {
    const { readFileSync } = await import('node:fs');
    const { gzipSync } = await import('node:zlib');
    const t = await KernelBench.create('simd');
    expect(t.k.simdEnabled()).toBe(1);
    expect('denseForwardScalar' in t.k).toBe(false);
    const bytes = readFileSync(new URL('../build/wasm-mlp.wasm', import.meta.url));
    expect(bytes.length).toBeLessThanOrEqual(32 * 1024);
    expect(gzipSync(bytes, { level: 9 }).length).toBeLessThanOrEqual(10 * 1024);
  });

  it('the relaxed builds fuse the multiply-adds of the tiles (f32x4.relaxed_madd), the SIMD builds never do', async () => {
    const { readFileSync } = await import('node:fs');
    // f32x4.relaxed_madd is 0xfd then 0x105 as LEB128 (0x85 0x02)
    const madds = (file: string) => {
      const b = readFileSync(new URL(`../build/${file}`, import.meta.url));
      let n = 0;
      for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0xfd && b[i + 1] === 0x85 && b[i + 2] === 0x02) n++;
      return n;
    };
    for (const file of ['wasm-mlp.relaxed.wasm', 'wasm-mlp.relaxed-threads.wasm']) expect(madds(file), file).toBeGreaterThanOrEqual(40);
    for (const file of ['wasm-mlp.wasm', 'wasm-mlp.threads.wasm', 'wasm-mlp.scalar.wasm']) expect(madds(file), file).toBe(0);
    expect(readFileSync(new URL('../build/wasm-mlp.relaxed.wasm', import.meta.url)).length).toBeLessThanOrEqual(32 * 1024);
  });
});

describe('the kernel table (assembly/kernels.mjs)', () => {
  it('every build exports every kernel of the table with its parameters, the debug build each twin too', async () => {
    // @ts-expect-error a plain JS module of the repository, without types
    const { KERNELS } = (await import('../assembly/kernels.mjs')) as { KERNELS: { name?: string; params: string; call: string }[] };
    const rows = KERNELS.filter((r): r is { name: string; params: string; call: string } => !!r.name);
    const builds: KernelBuild[] = ['simd', 'scalar', 'threads', 'debug', ...(relaxedSupported() ? (['relaxed', 'relaxed-threads'] as const) : [])];
    for (const variant of builds) {
      const exports = (await KernelBench.create(variant)).k as unknown as Record<string, unknown>;
      for (const row of rows) {
        const arity = row.params.split(/\s+/).filter(Boolean).length;
        expect(typeof exports[row.name], `${variant}: ${row.name}`).toBe('function');
        expect((exports[row.name] as () => void).length, `${variant}: ${row.name}'s parameters`).toBe(arity);
        const twin = exports[`${row.name}Scalar`] as (() => void) | undefined;
        if (variant === 'debug' && row.call.includes('$')) expect(twin?.length, `${row.name}Scalar`).toBe(arity);
        else expect(twin, `${variant}: ${row.name}Scalar`).toBeUndefined();
      }
    }
  });

  it('index.ts, oracle.ts and kernels.generated.ts are what the table makes', async () => {
    const { execFileSync } = await import('node:child_process');
    expect(() => execFileSync(process.execPath, [new URL('../assembly/generate.mjs', import.meta.url).pathname, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});

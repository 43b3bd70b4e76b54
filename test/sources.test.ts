// People's own data: CSV, NumPy (.npy, .npz) and image folders read into datasets (every value
// checked, errors naming file, row and column), fuzzed readers that only ever fail with their
// typed errors, bounds against huge files and zip bombs, feature datasets training through the
// dense and sparse gathers to the bits of the IDX path, seeded splits and model files that keep
// class names, standardisation and the image rule.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { WasmMlpError } from '../src/core/errors.js';
import { Network } from '../src/core/network.js';
import { createDataset, sliceDataset } from '../src/data/dataset.js';
import { createFeatureDataset, fitStandardization, standardizeDataset } from '../src/data/features.js';
import { NpyFormatError, parseNpy, parseNpz } from '../src/data/npy.js';
import { splitData } from '../src/data/split.js';
import { decodeModel, encodeModel } from '../src/io/model.js';
import { decodeCheckpoint, encodeCheckpoint } from '../src/io/checkpoint.js';
import { CsvFormatError, readCsvDataset } from '../src/node/csv.js';
import { readImageFolder } from '../src/node/images.js';
import { loadMnist } from '../src/node.js';
import { FEATURES_DENSE, FEATURES_SPARSE, Staging } from '../src/core/staging.js';
import { train } from '../src/train/train.js';
import { npy } from './support/npy.js';

const dir = () => mkdtempSync(join(tmpdir(), 'wasm-mlp-sources-'));
const hash = (p: Float32Array) => createHash('sha256').update(Buffer.from(p.buffer, p.byteOffset, p.byteLength)).digest('hex');

describe('CSV', () => {
  it('reads features and labels, with a header or without, the label by name, index or from the end', async () => {
    const d = dir();
    writeFileSync(join(d, 'h.csv'), 'a,label,b\n1,2,3\n4.5,0,-6\n');
    writeFileSync(join(d, 'n.csv'), '1,2,3\n4.5,0,-6\n');
    const byName = await readCsvDataset(join(d, 'h.csv'), { labelColumn: 'label' });
    expect([...byName.features]).toEqual([1, 3, 4.5, -6]);
    expect([...byName.labels]).toEqual([2, 0]);
    expect(byName.columns).toEqual(['a', 'b']);
    const byIndex = await readCsvDataset(join(d, 'n.csv'), { labelColumn: 1 });
    expect([...byIndex.features]).toEqual([1, 3, 4.5, -6]);
    const last = await readCsvDataset(join(d, 'n.csv')); // 3 and -6: not both classes 0..255, so names
    expect([last.classNames, [...last.labels]]).toEqual([['-6', '3'], [1, 0]]);
  });

  it('words as labels are classes named by them, in sorted order; a test file maps them the same way', async () => {
    const d = dir();
    writeFileSync(join(d, 't.csv'), 'x,y,kind\n1,2,dog\n3,4,cat\n5,6,dog\n');
    const t = await readCsvDataset(join(d, 't.csv'));
    expect(t.classNames).toEqual(['cat', 'dog']);
    expect([...t.labels]).toEqual([1, 0, 1]);
    writeFileSync(join(d, 'u.csv'), 'x,y,kind\n1,2,emu\n');
    await expect(readCsvDataset(join(d, 'u.csv'), { classNames: t.classNames })).rejects.toThrow(/label "emu" is not one of the training classes \(cat, dog\)/);
  });

  it('names the row and column of a missing or non-numeric value, and rejects a file past the memory bound', async () => {
    const d = dir();
    writeFileSync(join(d, 'm.csv'), 'a,b,label\n1,2,0\n3,,1\n');
    await expect(readCsvDataset(join(d, 'm.csv'))).rejects.toThrow(/m\.csv: row 3, column "b" \(1\): missing value/);
    writeFileSync(join(d, 'w.csv'), 'a,b,label\n1,2,0\n3,x7,1\n');
    await expect(readCsvDataset(join(d, 'w.csv'))).rejects.toThrow(/row 3, column "b" \(1\): "x7" is not a number/);
    writeFileSync(join(d, 'r.csv'), 'a,b,label\n1,2,0\n3,4\n');
    await expect(readCsvDataset(join(d, 'r.csv'))).rejects.toThrow(CsvFormatError);
    writeFileSync(join(d, 'big.csv'), Array.from({ length: 1000 }, (_, i) => `${i},${i},1`).join('\n'));
    await expect(readCsvDataset(join(d, 'big.csv'), { maxValues: 500 })).rejects.toThrow(/more than 500 feature values at row 251 .*too big/);
    await expect(readCsvDataset(join(d, 'none.csv'))).rejects.toThrow(/cannot read CSV file .*none\.csv: no such file/);
  });

  it('fuzzed: any bytes give a dataset or a typed error, never a crash', async () => {
    const d = dir();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.array(fc.array(fc.oneof(fc.double(), fc.string({ maxLength: 4 }), fc.constant('')), { maxLength: 5 }), { maxLength: 6 }).map((rows) => new TextEncoder().encode(rows.map((r) => r.join(',')).join('\n')))), async (bytes) => {
        const f = join(d, 'f.csv');
        writeFileSync(f, bytes);
        try {
          const r = await readCsvDataset(f);
          expect(r.features.every(Number.isFinite)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(WasmMlpError);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('NumPy', () => {
  it('reads u1, f4, f8 and i8 arrays of any shape, and rejects Fortran order, big-endian, truncation', () => {
    const u = parseNpy(npy('|u1', [2, 3], Uint8Array.from([1, 2, 3, 4, 5, 6])));
    expect([u.shape, [...(u.data as Uint8Array)]]).toEqual([[2, 3], [1, 2, 3, 4, 5, 6]]);
    expect([...(parseNpy(npy('<f4', [2], Float32Array.from([0.5, -2]))).data as Float32Array)]).toEqual([0.5, -2]);
    expect([...(parseNpy(npy('<f8', [1, 1], Float64Array.from([1e300]))).data as Float64Array)]).toEqual([1e300]);
    expect([...(parseNpy(npy('<i8', [2], BigInt64Array.from([3n, 7n]))).data as BigInt64Array)]).toEqual([3n, 7n]);
    expect(() => parseNpy(npy('<f4', [2], new Float32Array(2)).map((b, i, a) => (i === 0 ? b : a[i])).slice(0, 50), 'cut.npy')).toThrow(/cut\.npy: truncated/);
    // byte for byte (TextDecoder's 'latin1' is windows-1252 in Node 22+, which maps the magic's 0x93 elsewhere)
    const fortran = Buffer.from(npy('<f4', [1], new Float32Array(1))).toString('latin1').replace('False', 'True ');
    expect(() => parseNpy(new Uint8Array(Buffer.from(fortran, 'latin1')), 'f.npy')).toThrow(/Fortran order/);
    expect(() => parseNpy(npy('>f4', [1], new Float32Array(1)), 'b.npy')).toThrow(/dtype >f4 is not supported/);
    expect(() => parseNpy(new TextEncoder().encode('PK not npy'), 'z.npy')).toThrow(/not a \.npy file/);
  });

  it('reads an .npz of x and y, and refuses an entry that declares more than the bound (a zip bomb) before inflating it', () => {
    const x = npy('|u1', [2, 2, 2], new Uint8Array(8).fill(9));
    const y = npy('|u1', [2], Uint8Array.from([0, 1]));
    const arrays = parseNpz(zipSync({ 'x.npy': x, 'y.npy': y }));
    expect(Object.keys(arrays).sort()).toEqual(['x', 'y']);
    const bomb = zipSync({ 'x.npy': new Uint8Array(5_000_000) }); // compresses to a few KB
    expect(bomb.length).toBeLessThan(50_000);
    expect(() => parseNpz(bomb, 'bomb.npz', 1_000_000)).toThrow(/bomb\.npz: x\.npy inflates to 5000000 bytes, more than the 1000000 allowed/);
  });

  it('a 2 GB file is refused by its size before anything is read; a CSV row past 16 M characters is an error, not a string that grows', async () => {
    const { truncateSync } = await import('node:fs');
    const { loadSources } = await import('../src/node/sources.js');
    const d = dir();
    const huge = join(d, 'x.npy');
    writeFileSync(huge, npy('|u1', [1], new Uint8Array(1)));
    truncateSync(huge, 2 ** 31); // sparse: no disk used
    const before = process.memoryUsage().rss;
    await expect(loadSources({ trainNpy: [huge, huge], split: 0.5 })).rejects.toThrow(/x\.npy: 2147483648 bytes, more than the 1073741824/);
    const csv = join(d, 'big.csv');
    writeFileSync(csv, '');
    truncateSync(csv, 2 ** 31); // 2 GB of NUL bytes: one endless field
    await expect(readCsvDataset(csv)).rejects.toThrow(CsvFormatError);
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 2 ** 20);
  }, 60_000);

  it('fuzzed: any bytes give arrays or a typed error', () => {
    const good = npy('<f4', [3, 2], Float32Array.from([1, 2, 3, 4, 5, 6]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.tuple(fc.nat(), fc.nat({ max: 255 })).map(([at, v]) => good.map((b, i) => (i === at % good.length ? v : b))), fc.nat().map((n) => good.slice(0, n % good.length))), (bytes) => {
        for (const read of [() => parseNpy(bytes), () => parseNpz(bytes)]) {
          try {
            read();
          } catch (e) {
            expect(e).toBeInstanceOf(NpyFormatError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('image folders', () => {
  const png = (w: number, h: number, f: (x: number, y: number) => number) => {
    const p = new PNG({ width: w, height: h });
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) p.data.set([f(x, y), f(x, y), f(x, y), 255], 4 * (y * w + x));
    return PNG.sync.write(p);
  };

  it('reads one subfolder per class (sorted names are the labels), PNG and JPEG, grey by luma, resized to the first image', async () => {
    const d = dir();
    for (const c of ['zebra', 'ant']) mkdirSync(join(d, c));
    writeFileSync(join(d, 'ant', 'a.png'), png(8, 4, (x) => (x < 4 ? 0 : 255)));
    writeFileSync(join(d, 'zebra', 'b.png'), png(16, 8, (_, y) => (y < 4 ? 255 : 0)));
    const rgba = Buffer.alloc(8 * 4 * 4, 255);
    writeFileSync(join(d, 'zebra', 'c.jpg'), jpeg.encode({ data: rgba, width: 8, height: 4 }, 95).data);
    const { data, shape } = await readImageFolder(d);
    expect(data.classNames).toEqual(['ant', 'zebra']);
    expect([...data.labels]).toEqual([0, 1, 1]);
    expect(shape).toEqual({ rows: 4, cols: 8, channels: 1 });
    expect([...data.images.subarray(0, 8)]).toEqual([0, 0, 0, 0, 255, 255, 255, 255]); // left half dark
    expect([...data.images.subarray(32, 40)]).toEqual(new Array(8).fill(255)); // the 16 x 8 image halved: top rows bright
    expect(Math.min(...data.images.subarray(64))).toBeGreaterThan(250); // the white JPEG
    const colour = await readImageFolder(d, { channels: 3, size: { rows: 2, cols: 2 } });
    expect(colour.data.pixels).toBe(12);
  });

  it('names what is wrong: a stray image, an unknown test class, an unreadable file', async () => {
    const d = dir();
    mkdirSync(join(d, 'a'));
    writeFileSync(join(d, 'stray.png'), png(2, 2, () => 0));
    await expect(readImageFolder(d)).rejects.toThrow(/stray\.png: images go in one subfolder per class/);
    const e = dir();
    mkdirSync(join(e, 'b'));
    writeFileSync(join(e, 'b', 'x.png'), 'not a png');
    await expect(readImageFolder(e, { classNames: ['a'] })).rejects.toThrow(/class "b" is not one of the training classes/);
    await expect(readImageFolder(e)).rejects.toThrow(/x\.png: neither PNG nor JPEG/);
  });
});

describe('feature datasets in training', () => {
  it.each(['debug', 'scalar'] as const)('staged sparse features: gatherFeaturesSparse lists what nonzeroColumns lists of the indexed rows: %s build', async (variant) => {
    const { KernelBench, randomPixels } = await import('./helpers.js');
    const { Rng } = await import('../src/core/random.js');
    const t = await KernelBench.create(variant);
    const rng = new Rng(3);
    for (const cols of [1, 3, 4, 7, 784]) {
      const count = 9;
      const x = randomPixels(rng, count * cols).map((v) => (rng.float() < 0.7 ? 0 : v - 0.5));
      x[0] = -0; // a zero
      for (let i = 0; i < cols; i++) x[4 * cols + i] = 0; // a row of zeros
      const data = createFeatureDataset({ features: x, labels: Uint8Array.from({ length: count }, (_, i) => i), width: cols, classes: 10 });
      const s = new Staging(t.plan, t.k, cols, 10).stage(data);
      expect(s.form).toBe(FEATURES_SPARSE);
      const indices = [8, 0, 4, 3, 3, 1, 5];
      const m = indices.length;
      const ip = t.u32(indices);
      const dense = t.f32(indices.flatMap((k) => Array.from(x.subarray(k * cols, (k + 1) * cols))));
      const want = { list: t.u32(new Uint32Array(m * cols)), vals: t.f32(new Float32Array(m * cols)), counts: t.u32(new Uint32Array(m)) };
      t.k.nonzeroColumns(want.list, want.vals, want.counts, dense, m, cols);
      const got = { list: t.u32(new Uint32Array(m * cols)), vals: t.f32(new Float32Array(m * cols)), counts: t.u32(new Uint32Array(m)), y: t.u8(new Uint8Array(m)) };
      t.k.gatherFeaturesSparse(got.vals, got.list, got.counts, got.y, s.images, s.runs, s.starts, s.labels, ip, m, cols);
      expect([...t.readU8(got.y, m)]).toEqual(indices);
      for (let n = 0; n < m; n++) {
        const c = t.plan.u32[(want.counts >> 2) + n];
        expect(t.plan.u32[(got.counts >> 2) + n]).toBe(c);
        expect(t.plan.u32.slice((got.list >> 2) + n * cols, (got.list >> 2) + n * cols + c)).toEqual(t.plan.u32.slice((want.list >> 2) + n * cols, (want.list >> 2) + n * cols + c));
        expect(t.readF32(got.vals + 4 * n * cols, c)).toEqual(t.readF32(want.vals + 4 * n * cols, c));
      }
    }
  });

  it('MNIST as f32 features trains to the bits of the IDX images, through the sparse and the dense gathers', async () => {
    const { train: mnist } = await loadMnist();
    const images = sliceDataset(mnist, 0, 2000);
    const features = Float32Array.from(images.images, (v) => Math.fround(v * Math.fround(1 / 255)));
    const asFeatures = createFeatureDataset({ features, labels: images.labels.slice(), width: 784, classes: 10 });
    const run = async (data: Parameters<typeof train>[1], threads = 1) => {
      const net = await Network.create({ sizes: [784, 64, 10], seed: 5, threads });
      await train(net, data, { epochs: 2, batchSize: 64, eta: 1.5, seed: 5 });
      return hash(net.getParameters());
    };
    const idx = await run(images);
    expect(await run(asFeatures)).toBe(idx);
    expect(await run(asFeatures, 2)).toBe(idx); // the threads' gather too
    // the dense path: every column listed, the zeros included, adds nothing: the same bits
    const net = await Network.create({ sizes: [784, 8, 10] });
    const forms = net.withStaged((stage) => [stage(asFeatures).form, stage(createFeatureDataset({ features: features.map((v) => v + 1), labels: images.labels, width: 784 })).form]);
    expect(forms).toEqual([FEATURES_SPARSE, FEATURES_DENSE]);
  });

  it('dense features learn: standardised on the training part, a held-out split by seed', async () => {
    const count = 900;
    const features = new Float32Array(count * 5);
    const labels = new Uint8Array(count);
    for (let n = 0; n < count; n++) {
      labels[n] = n % 3;
      for (let j = 0; j < 5; j++) features[n * 5 + j] = 100 + 40 * (j === labels[n] ? 1 : 0) + ((n * 7 + j * 13) % 17);
    }
    const all = createFeatureDataset({ features, labels, width: 5 });
    const { train: tr, test: te } = splitData(all, 0.2, 7);
    expect([tr.count, te.count]).toEqual([720, 180]);
    expect(splitData(all, 0.2, 7).test.features).toEqual(te.features);
    expect(splitData(all, 0.2, 8).test.features).not.toEqual(te.features);
    const s = fitStandardization(tr, 'auto')!;
    expect(Math.abs(s.mean[0] - (100 + 40 / 3 + 8))).toBeLessThan(1); // dense: centred (the noise term averages 8)
    const net = await Network.create({ sizes: [5, 16, 3], seed: 1, activation: 'relu', cost: 'log-likelihood', init: 'he' });
    const { history } = await train(net, standardizeDataset(tr, s), { epochs: 20, batchSize: 16, eta: 0.01, optimizer: 'adam', test: standardizeDataset(te, s) });
    expect(history[history.length - 1].testAccuracy).toBeGreaterThan(0.95);
    await expect(train(net, standardizeDataset(tr, s), { epochs: 1, augment: { affine: { rotation: 5, scale: 0, shear: 0, shift: 0 } } })).rejects.toThrow(/augmentation distorts images: .*not features/);
  });
});

describe('model files version 2', () => {
  it('keep class names, standardisation and the image rule, bit for bit, checkpoints too; version 1 files still read', async () => {
    const net = await Network.create({ sizes: [12, 4, 3], seed: 2 });
    const extras = { classNames: ['a', 'b', 'c'], standardize: { mean: Float32Array.from({ length: 12 }, (_, i) => i / 3), std: new Float32Array(12).fill(0.7) }, image: { rows: 2, cols: 2, channels: 3 as const, invert: true } };
    const bytes = encodeModel(net, { eta: 0.5 }, extras);
    expect(new DataView(bytes.buffer).getUint16(4, true)).toBe(2);
    const m = decodeModel(bytes);
    expect([m.classNames, [...m.standardize!.mean], [...m.standardize!.std], m.image]).toEqual([extras.classNames, [...extras.standardize.mean], [...extras.standardize.std], extras.image]);
    expect(encodeModel(m)).toEqual(bytes);
    const v1 = encodeModel(net);
    expect(new DataView(v1.buffer).getUint16(4, true)).toBe(1);
    expect(decodeModel(v1).classNames).toBeUndefined();
    await net.prepareOptimizer('momentum');
    const ck = decodeCheckpoint(encodeCheckpoint(net, {}, extras));
    expect([ck.model.classNames, ck.state?.kind]).toEqual([extras.classNames, 'momentum']);
    const bad = bytes.slice();
    bad[bytes.length - 20] = 0x7b; // break the JSON, then fix the CRC: the section itself is checked
    const { crc32 } = await import('../src/io/crc32.js');
    new DataView(bad.buffer).setUint32(bad.length - 4, crc32(bad.subarray(0, bad.length - 4)), true);
    expect(() => decodeModel(bad)).toThrow(/not valid UTF-8 JSON|standardisation|image rule|class names/);
  });

  it('a dataset keeps class names through slices; mismatched names are refused', () => {
    const d = createDataset({ images: new Uint8Array(8), labels: Uint8Array.from([0, 1]), rows: 2, cols: 2, classNames: ['no', 'yes'] });
    expect(sliceDataset(d, 1).classNames).toEqual(['no', 'yes']);
    expect(() => createDataset({ images: new Uint8Array(4), labels: Uint8Array.from([0]), rows: 2, cols: 2, classNames: ['a', 'b', 'c'], classes: 2 })).toThrow(/3 class names for 2 classes/);
  });
});

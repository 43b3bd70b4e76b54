// Data as people have it: the pixel rule (8-bit grey levels in a CSV or a 2-d array are images,
// trained to the IDX path's bits), the standardisation flags overriding it, and 'scale' with its
// floor, so a rare feature does not become a huge input.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFeatures } from '../src/core/datasets.js';
import { createFeatureDataset, fitStandardization, isPixelData, isPixelStandardization, PIXEL_MIN_COLUMNS } from '../src/data/features.js';
import { asImages } from '../src/data/pixels.js';
import { decodeModel } from '../src/io/model.js';
import { loadMnist } from '../src/node.js';
import { loadSources } from '../src/node/sources.js';
import { lastJson, run } from './support/cli.js';
import { npy } from './support/npy.js';

const hash = (p: Float32Array) => createHash('sha256').update(Buffer.from(p.buffer, p.byteOffset, p.byteLength)).digest('hex');
const features = (rows: number[][]) => createFeatureDataset({ features: Float32Array.from(rows.flat()), labels: new Uint8Array(rows.length), width: rows[0].length });

describe('the pixel rule', () => {
  const row = (fill: (j: number) => number, width = PIXEL_MIN_COLUMNS) => Array.from({ length: width }, (_, j) => fill(j));

  it('integers 0..255 over 64+ columns, half the rows reaching 128, are pixel data; counts, fractions, bytes past 255 and narrow tables are not', () => {
    const image = row((j) => (j % 5 === 0 ? 255 : 0));
    const dim = row((j) => j % 7);
    expect(isPixelData(features([image, dim]))).toBe(true);
    expect(isPixelData(features([image, dim, dim]))).toBe(false); // word counts: integers, seldom 128
    expect(isPixelData(features([row((j) => (j % 5) / 4), image]))).toBe(false);
    expect(isPixelData(features([row((j) => (j === 3 ? 256 : 0)), image]))).toBe(false);
    expect(isPixelData(features([row((j) => (j === 3 ? -1 : 0)), image]))).toBe(false);
    expect(isPixelData(features([image.slice(1), image.slice(1)]))).toBe(false); // 63 columns
  });

  it('as u8 images: square widths as rows = cols, others as one row; null when a value is not a byte', () => {
    const d = features([row((j) => j), row((j) => 255 - j)]);
    const images = asImages(d)!;
    expect([images.rows, images.cols, images.count, images.images[65], images.images[64]]).toEqual([8, 8, 2, 254, 255]);
    expect([asImages(features([row((j) => j, 70)]))!.rows, asImages(features([row((j) => j, 70)]))!.cols]).toEqual([1, 70]);
    expect(asImages(features([row((j) => j + 0.5)]))).toBeNull();
    expect(isPixelStandardization(fitStandardization(d, 'auto'))).toBe(true);
    expect(isPixelStandardization(fitStandardization(d, 'scale'))).toBe(false);
  });

  it("MNIST's 20,000 / 5,000 rows as a Kaggle CSV (label first) and as 2-d u8 .npy train to the IDX files' parameters; --standardize overrides", async () => {
    const d = mkdtempSync(join(tmpdir(), 'wasm-mlp-pixels-'));
    const { train, test } = await loadMnist();
    const files = (name: string, images: Uint8Array, labels: Uint8Array, count: number) => {
      const idx = (magic: number, dims: number[], body: Uint8Array) => {
        const head = Buffer.alloc(4 + 4 * dims.length);
        head.writeUInt32BE(magic, 0);
        dims.forEach((v, i) => head.writeUInt32BE(v, 4 + 4 * i));
        return Buffer.concat([head, body]);
      };
      writeFileSync(join(d, `${name}-images`), idx(2051, [count, 28, 28], images.subarray(0, count * 784)));
      writeFileSync(join(d, `${name}-labels`), idx(2049, [count], labels.subarray(0, count)));
      const lines = [`label,${Array.from({ length: 784 }, (_, j) => `pixel${j}`).join(',')}`];
      for (let n = 0; n < count; n++) lines.push(`${labels[n]},${images.subarray(n * 784, (n + 1) * 784).join(',')}`);
      writeFileSync(join(d, `${name}.csv`), `${lines.join('\n')}\n`);
      writeFileSync(join(d, `${name}-x.npy`), npy('|u1', [count, 784], images.subarray(0, count * 784)));
      writeFileSync(join(d, `${name}-y.npy`), npy('|u1', [count], labels.subarray(0, count)));
    };
    files('train', train.images, train.labels, 20000);
    files('test', test.images, test.labels, 5000);
    const at = (f: string) => join(d, f);
    const trainRun = async (out: string, ...data: string[]) => {
      const r = await run('train', '--layers', '784,30,10', '--epochs', '2', '--seed', '1', '--kernels', 'simd', '--out', at(out), '--json', '--quiet', ...data);
      expect(r.code, r.stderr).toBe(0);
      return { accuracy: lastJson(r.stdout).testAccuracy as number, model: decodeModel(readFileSync(at(out))) };
    };
    const idx = await trainRun('idx.wmlp', '--train-images', at('train-images'), '--train-labels', at('train-labels'), '--test-images', at('test-images'), '--test-labels', at('test-labels'));
    const csv = await trainRun('csv.wmlp', '--train-csv', at('train.csv'), '--test-csv', at('test.csv'), '--label-column', 'label');
    const arrays = await trainRun('npy.wmlp', '--train-npy', `${at('train-x.npy')},${at('train-y.npy')}`, '--test-npy', `${at('test-x.npy')},${at('test-y.npy')}`);
    expect(hash(csv.model.parameters)).toBe(hash(idx.model.parameters));
    expect(hash(arrays.model.parameters)).toBe(hash(idx.model.parameters));
    expect([csv.accuracy, arrays.accuracy]).toEqual([idx.accuracy, idx.accuracy]);
    expect(idx.accuracy).toBeGreaterThan(0.89);
    // the model carries x / 255, so its test set reads as images again, from a CSV or IDX files alike
    expect(isPixelStandardization(csv.model.standardize)).toBe(true);
    for (const data of [['--test-csv', at('test.csv'), '--label-column', 'label'], ['--test-images', at('test-images'), '--test-labels', at('test-labels')]]) {
      expect(lastJson((await run('test', '--model', at('csv.wmlp'), '--kernels', 'simd', '--json', ...data)).stdout).testAccuracy).toBe(idx.accuracy);
    }
    // the flags still override: features standardised as asked
    const scaled = await trainRun('scaled.wmlp', '--train-csv', at('train.csv'), '--test-csv', at('test.csv'), '--label-column', 'label', '--standardize', 'scale');
    expect(isPixelStandardization(scaled.model.standardize)).toBe(false);
    expect(hash(scaled.model.parameters)).not.toBe(hash(idx.model.parameters));
    const none = await loadSources({ trainCsv: at('test.csv'), split: 0.2, labelColumn: 'label', standardize: 'none' });
    expect([isFeatures(none.train), none.extras.standardize]).toEqual([true, null]);
  }, 180_000);
});

describe("'scale'", () => {
  it('divides each feature by its RMS, but never by less than the RMS of all values: a rare feature stays small', () => {
    // 100 rows; column 0 is 1 in every row, column 1 once (RMS 0.1), column 2 never
    const rows = Array.from({ length: 100 }, (_, n) => [1, n === 0 ? 1 : 0, 0]);
    const s = fitStandardization(features(rows), 'scale')!;
    const all = Math.sqrt(101 / 300);
    expect([...s.mean]).toEqual([0, 0, 0]);
    expect(s.std[0]).toBe(1);
    expect(s.std[1]).toBeCloseTo(all, 6); // its own RMS, 0.1, would make the rare 1 a 10
    expect(s.std[2]).toBeCloseTo(all, 6);
    expect(fitStandardization(features([[0, 0], [0, 0]]), 'scale')!.std).toEqual(Float32Array.of(1, 1));
  });
});

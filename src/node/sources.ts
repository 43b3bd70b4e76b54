// Training and test data from the files people have, for Node: IDX (MNIST's format), folders of
// images per class, CSV, and NumPy .npy / .npz; a seeded split when there is no test set; and
// what the model file must carry to read such data again (class names, feature standardisation,
// the image rule). Not for: parsing the formats (csv.ts, images.ts, data/npy.ts, data/idx.ts).
import { InvalidArgumentError } from '../core/errors.js';
import type { Network } from '../core/network.js';
import { createDataset } from '../data/dataset.js';
import { createFeatureDataset, fitStandardization, isFeatures, standardizeDataset, type StandardizeMode, type TrainingData } from '../data/features.js';
import { asNumbers, labelsFrom, parseNpy, parseNpz, type NpyArray } from '../data/npy.js';
import { splitData } from '../data/split.js';
import type { ImageRule, ModelExtras } from '../io/model.js';
import { readCsvDataset } from './csv.js';
import { loadIdxDataset, readBytes } from './files.js';
import { readImageFolder } from './images.js';

/** The largest .npy or .npz file read (whole, into memory): 1 GiB. */
export const MAX_ARRAY_FILE_BYTES = 2 ** 30;

/** Where the data is: exactly one kind for training; the test set of the same kind, or a split. */
export interface DataSources {
  /** IDX files (the default kind: MNIST when none is given). */
  trainImages?: string;
  trainLabels?: string;
  testImages?: string;
  testLabels?: string;
  /** Image folders, one subfolder per class. */
  trainDir?: string;
  testDir?: string;
  imageSize?: { rows: number; cols: number };
  channels?: 1 | 3;
  invert?: boolean;
  /** CSV files. */
  trainCsv?: string;
  testCsv?: string;
  labelColumn?: string | number;
  header?: boolean;
  /** NumPy: an .npz with x and y (or x_train, y_train, x_test, y_test), or two .npy files "X.npy,Y.npy". */
  trainNpz?: string;
  testNpz?: string;
  trainNpy?: [string, string];
  testNpy?: [string, string];
  /** Hold out this fraction of the training data as the test set (seeded by `seed`). */
  split?: number;
  seed?: number;
  classes?: number;
  /** How features are standardised (fitted on the training part). Default 'auto'. */
  standardize?: StandardizeMode;
  /** IDX files are read straight into this network's memory when they can be. */
  into?: Network;
}


export interface LoadedData {
  train: TrainingData;
  test: TrainingData;
  /** What the model file must carry (class names, standardisation, image rule). */
  extras: ModelExtras;
  /** The training source, for messages. */
  source: string;
}

type Kind = 'idx' | 'dir' | 'csv' | 'npz' | 'npy';

function kindOf(s: DataSources): Kind {
  const given = ([['dir', s.trainDir], ['csv', s.trainCsv], ['npz', s.trainNpz], ['npy', s.trainNpy]] as [Kind, unknown][]).filter(([, v]) => v !== undefined);
  if (given.length > 1) throw new InvalidArgumentError(`training data from one source only, got ${given.map(([k]) => k).join(' and ')}`);
  if (given.length && s.trainImages !== undefined) throw new InvalidArgumentError(`training data from one source only: --train-images with a ${given[0][0]} source`);
  return given[0]?.[0] ?? 'idx';
}

/** Loads the training and test data the sources name; the test set's standardisation is the training set's. */
export async function loadSources(s: DataSources): Promise<LoadedData> {
  const kind = kindOf(s);
  let train: TrainingData;
  let test: TrainingData | undefined;
  let image: ImageRule | undefined;
  let source: string;
  if (kind === 'dir') {
    const read = await readImageFolder(s.trainDir!, { size: s.imageSize, channels: s.channels, invert: s.invert });
    train = read.data;
    image = { ...read.shape, invert: !!s.invert };
    if (s.testDir) test = (await readImageFolder(s.testDir, { size: read.shape, channels: read.shape.channels, invert: s.invert, classNames: train.classNames })).data;
    source = s.trainDir!;
  } else if (kind === 'csv') {
    train = await readCsvDataset(s.trainCsv!, { labelColumn: s.labelColumn, header: s.header });
    if (s.testCsv) test = await readCsvDataset(s.testCsv, { labelColumn: s.labelColumn, header: s.header, classNames: train.classNames });
    source = s.trainCsv!;
  } else if (kind === 'npz' || kind === 'npy') {
    const arrays = kind === 'npz' ? parseNpz(await readBytes(s.trainNpz!, '.npz file', MAX_ARRAY_FILE_BYTES), s.trainNpz) : await readNpyPair(s.trainNpy!);
    source = kind === 'npz' ? s.trainNpz! : s.trainNpy!.join(',');
    const x = arrays.x ?? arrays.x_train;
    const y = arrays.y ?? arrays.y_train;
    if (!x || !y) throw new InvalidArgumentError(`${source}: expected arrays x and y (or x_train and y_train), got ${Object.keys(arrays).join(', ') || 'none'}`);
    train = fromArrays(x, y, source, s.classes);
    const testArrays = s.testNpz ? parseNpz(await readBytes(s.testNpz, '.npz file', MAX_ARRAY_FILE_BYTES), s.testNpz) : s.testNpy ? await readNpyPair(s.testNpy) : arrays.x_test && arrays.y_test ? { x: arrays.x_test, y: arrays.y_test } : null;
    if (testArrays) test = fromArrays(testArrays.x ?? testArrays.x_test, testArrays.y ?? testArrays.y_test, s.testNpz ?? s.testNpy?.join(',') ?? `${source} (x_test, y_test)`, s.classes ?? train.classes);
  } else {
    source = `${s.trainImages} + ${s.trainLabels}`;
    train = await loadIdxDataset({ images: s.trainImages!, labels: s.trainLabels!, classes: s.classes, into: s.into });
    if (s.testImages && s.testLabels && s.split === undefined) test = await loadIdxDataset({ images: s.testImages, labels: s.testLabels, classes: s.classes ?? train.classes, into: s.into });
  }
  if (s.split !== undefined) {
    if (test) throw new InvalidArgumentError('--split holds out part of the training data as the test set: give it or a test set, not both');
    ({ train, test } = splitData(train, s.split, s.seed ?? 1));
  }
  if (!test) throw new InvalidArgumentError(`${source}: no test set: give one (--test-...) or hold out part of the training data with --split 0.1`);
  const standardize = isFeatures(train) ? fitStandardization(train, s.standardize ?? 'auto') : null;
  if (isFeatures(train)) train = standardizeDataset(train, standardize);
  if (isFeatures(test)) test = standardizeDataset(test, standardize);
  return { train, test, extras: { classNames: train.classNames, standardize, ...(image ? { image } : {}) }, source };
}

async function readNpyPair([x, y]: [string, string]): Promise<Record<string, NpyArray>> {
  return { x: parseNpy(await readBytes(x, '.npy file', MAX_ARRAY_FILE_BYTES), x), y: parseNpy(await readBytes(y, '.npy file', MAX_ARRAY_FILE_BYTES), y) };
}

/** u8 arrays of (count, rows, cols) are images; any other numeric array of (count, ...) is features. */
export function fromArrays(x: NpyArray, y: NpyArray, name: string, classes?: number): TrainingData {
  const labels = labelsFrom(y, `${name} (labels)`);
  if (x.shape.length < 2 || x.shape[0] !== labels.length) throw new InvalidArgumentError(`${name}: x has shape (${x.shape}), expected (${labels.length}, ...) for ${labels.length} labels`);
  if (x.data instanceof Uint8Array && x.shape.length === 3) {
    return createDataset({ images: x.data, labels, rows: x.shape[1], cols: x.shape[2], classes, name });
  }
  const values = asNumbers(x);
  return createFeatureDataset({ features: values instanceof Float32Array ? values : Float32Array.from(values), labels, width: values.length / labels.length, classes, name });
}

// Training and test data from the files people have, for Node: IDX (MNIST's format), folders of
// images per class, CSV, and NumPy .npy / .npz; a seeded split when there is no test set; and
// what the model file must carry to read such data again (class names, feature standardisation,
// the image rule). Not for: parsing the formats (csv.ts, images.ts, data/npy.ts, data/idx.ts).
import { InvalidArgumentError } from '../core/errors.js';
import type { Network } from '../core/network.js';
import { createDataset } from '../data/dataset.js';
import { createFeatureDataset, fitStandardization, isFeatures, isPixelStandardization, standardizeDataset, type Standardization, type StandardizeMode, type TrainingData } from '../data/features.js';
import { asNumbers, labelsFrom, parseNpy, parseNpz, type NpyArray } from '../data/npy.js';
import { asImages } from '../data/pixels.js';
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
type Side = 'train' | 'test';

/** How a set is read to match a model or a training set: its class names, classes, image rule and standardisation. */
export interface ReadAs {
  classNames?: readonly string[];
  classes?: number;
  image?: ImageRule;
  standardize?: Standardization | null;
}

function kindOf(s: DataSources, side: Side): Kind {
  const at = side === 'train' ? ([['dir', s.trainDir], ['csv', s.trainCsv], ['npz', s.trainNpz], ['npy', s.trainNpy]] as const) : ([['dir', s.testDir], ['csv', s.testCsv], ['npz', s.testNpz], ['npy', s.testNpy]] as const);
  const given = at.filter(([, v]) => v !== undefined);
  if (given.length > 1) throw new InvalidArgumentError(`${side === 'train' ? 'training' : 'test'} data from one source only, got ${given.map(([k]) => k).join(' and ')}`);
  if (side === 'train' && given.length && s.trainImages !== undefined) throw new InvalidArgumentError(`training data from one source only: --train-images with a ${given[0][0]} source`);
  return given[0]?.[0] ?? 'idx';
}

/**
 * The one dispatch over the formats: reads one side's set of the sources, of kind `kind`, as `as`
 * says; undefined when the sources name no such set. NumPy files are read once per reader (a
 * training .npz may hold the test arrays too).
 */
class SetReader {
  private readonly arrays = new Map<string, Promise<Record<string, NpyArray>>>();

  constructor(private readonly s: DataSources) {}

  async read(kind: Kind, side: Side, as: ReadAs = {}): Promise<{ data: TrainingData; source: string; image?: ImageRule } | undefined> {
    const s = this.s;
    const train = side === 'train';
    if (kind === 'dir') {
      const dir = train ? s.trainDir : s.testDir;
      if (!dir) return undefined;
      const invert = as.image?.invert ?? s.invert;
      const read = await readImageFolder(dir, { size: as.image ?? s.imageSize, channels: as.image?.channels ?? s.channels, invert, classNames: as.classNames });
      return { data: read.data, source: dir, image: { ...read.shape, invert: !!invert } };
    }
    if (kind === 'csv') {
      const file = train ? s.trainCsv : s.testCsv;
      return file ? { data: await readCsvDataset(file, { labelColumn: s.labelColumn, header: s.header, classNames: as.classNames }), source: file } : undefined;
    }
    if (kind === 'npz' || kind === 'npy') {
      const npz = train ? s.trainNpz : s.testNpz;
      const npy = train ? s.trainNpy : s.testNpy;
      if (!npz && !npy) return undefined;
      const source = npz ?? npy!.join(',');
      const arrays = await this.readArrays(npz, npy);
      const x = arrays.x ?? arrays[`x_${side}`];
      const y = arrays.y ?? arrays[`y_${side}`];
      if (!x || !y) throw new InvalidArgumentError(`${source}: expected arrays x and y (or x_${side} and y_${side}), got ${Object.keys(arrays).join(', ') || 'none'}`);
      return { data: fromArrays(x, y, source, as.classes), source };
    }
    const [images, labels] = train ? [s.trainImages, s.trainLabels] : [s.testImages, s.testLabels];
    if (!images || !labels) return undefined;
    return { data: await loadIdxDataset({ images, labels, classes: as.classes, into: s.into }), source: `${images} + ${labels}` };
  }

  /** The arrays of an .npz file or of a pair of .npy files (x, y). */
  readArrays(npz: string | undefined, npy: [string, string] | undefined): Promise<Record<string, NpyArray>> {
    const key = npz ?? npy!.join(',');
    let read = this.arrays.get(key);
    if (!read) {
      const bytes = (f: string, what: string) => readBytes(f, what, MAX_ARRAY_FILE_BYTES);
      read = npz ? bytes(npz, '.npz file').then((b) => parseNpz(b, npz)) : Promise.all(npy!.map((f) => bytes(f, '.npy file').then((b) => parseNpy(b, f)))).then(([x, y]) => ({ x, y }));
      this.arrays.set(key, read);
    }
    return read;
  }
}

/** Loads the training and test data the sources name; the test set's standardisation is the training set's. */
export async function loadSources(s: DataSources): Promise<LoadedData> {
  const kind = kindOf(s, 'train');
  const reader = new SetReader(s);
  const read = (await reader.read(kind, 'train', { classes: s.classes }))!;
  let train = read.data;
  const as: ReadAs = { classNames: train.classNames, classes: s.classes ?? train.classes, image: read.image };
  // IDX test files are MNIST's by default: --split replaces them
  let test = kind === 'idx' && s.split !== undefined ? undefined : (await reader.read(kind, 'test', as))?.data;
  if (!test && s.trainNpz) {
    const arrays = await reader.readArrays(s.trainNpz, undefined);
    if (arrays.x_test && arrays.y_test) test = fromArrays(arrays.x_test, arrays.y_test, `${s.trainNpz} (x_test, y_test)`, as.classes);
  }
  if (s.split !== undefined) {
    if (test) throw new InvalidArgumentError('--split holds out part of the training data as the test set: give it or a test set, not both');
    ({ train, test } = splitData(train, s.split, s.seed ?? 1));
  }
  if (!test) throw new InvalidArgumentError(`${read.source}: no test set: give one (--test-...) or hold out part of the training data with --split 0.1`);
  const standardize = isFeatures(train) ? fitStandardization(train, s.standardize ?? 'auto') : null;
  train = standardizeData(train, standardize);
  test = standardizeData(test, standardize);
  return { train, test, extras: { classNames: train.classNames, standardize, ...(read.image ? { image: read.image } : {}) }, source: read.source };
}

/** The test set the sources name (of whichever kind their test paths are), read as `as` says: a saved model's class names, image rule and standardisation. */
export async function loadTestSet(s: DataSources, as: ReadAs): Promise<TrainingData> {
  const kind = kindOf(s, 'test');
  const read = await new SetReader(s).read(kind, 'test', as);
  if (!read) throw new InvalidArgumentError('no test set: give --test-images and --test-labels (or another --test-... source)');
  return standardizeData(read.data, as.standardize);
}

/** A set as a network takes it: features standardised as `s` says, or as u8 images under the pixel standardisation (the IDX path, to its bits); images as they are. */
function standardizeData(data: TrainingData, s: Standardization | null | undefined): TrainingData {
  if (!isFeatures(data)) return data;
  return (isPixelStandardization(s) && asImages(data)) || standardizeDataset(data, s ?? null);
}

/** u8 arrays of (count, rows, cols) are images; any other numeric array of (count, ...) is features (pixel data among them is trained as images: data/pixels.ts). */
export function fromArrays(x: NpyArray, y: NpyArray, name: string, classes?: number): TrainingData {
  const labels = labelsFrom(y, `${name} (labels)`);
  if (x.shape.length < 2 || x.shape[0] !== labels.length) throw new InvalidArgumentError(`${name}: x has shape (${x.shape}), expected (${labels.length}, ...) for ${labels.length} labels`);
  if (x.data instanceof Uint8Array && x.shape.length === 3) {
    return createDataset({ images: x.data, labels, rows: x.shape[1], cols: x.shape[2], classes, name });
  }
  const values = asNumbers(x);
  return createFeatureDataset({ features: values instanceof Float32Array ? values : Float32Array.from(values), labels, width: values.length / labels.length, classes, name });
}

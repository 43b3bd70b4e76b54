// The CLI's options: parsers that name what they expected, and the option groups several commands
// share (data files, network choices, the optimizer, output), each declared once. Not for: what
// the commands do with them.
import { Option, InvalidArgumentError as UsageError, type Command } from 'commander';
import type { DataSources } from '../node.js';
import { ACTIVATIONS, COSTS, MAX_THREADS, OPTIMIZERS, STANDARDIZE_MODES, WEIGHT_INITS, validateSizes, type Activation, type AugmentOptions, type Cost, type Optimizer, type Schedule, type WeightInit } from '../index.js';

// ---- parsers

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`expected a positive integer, got "${value}"`);
  return n;
}

export function seedValue(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n > 0xffffffff) throw new UsageError(`expected an integer from 0 to 4294967295, got "${value}"`);
  return n;
}

export function nonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`expected a finite number >= 0, got "${value}"`);
  return n;
}

export function unitInterval(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n < 1)) throw new UsageError(`expected a number in [0, 1), got "${value}"`);
  return n;
}

/** constant | step:EVERY:FACTOR | cosine[:MIN] */
export function schedule(value: string): Schedule {
  const [kind, a, b] = value.split(':');
  if (kind === 'constant' && a === undefined) return { kind };
  if (kind === 'cosine' && b === undefined) {
    if (a === undefined) return { kind };
    const min = Number(a);
    if (a.trim() !== '' && min >= 0) return { kind, min };
  }
  if (kind === 'step') {
    const every = Number(a);
    const factor = Number(b);
    if (Number.isInteger(every) && every >= 1 && factor > 0 && factor <= 1) return { kind, every, factor };
  }
  throw new UsageError(`expected constant, step:EVERY:FACTOR (e.g. step:10:0.5) or cosine[:MIN], got "${value}"`);
}

export function threadCount(value: string): number {
  const n = positiveInt(value);
  if (n > MAX_THREADS) throw new UsageError(`expected at most ${MAX_THREADS} threads, got ${n}`);
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`expected a finite number > 0, got "${value}"`);
  return n;
}

export function layers(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const sizes = parts.map(Number);
  if (parts.some((s) => !/^\d+$/.test(s))) throw new UsageError(`expected comma-separated positive integers like 784,30,10, got "${value}"`);
  try {
    return validateSizes(sizes);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** "relu" (every hidden layer) or one per hidden layer, "relu,tanh". */
export function activations(value: string): Activation | Activation[] {
  const names = value.split(',').map((s) => s.trim()) as Activation[];
  if (names.some((a) => !ACTIVATIONS.includes(a))) throw new UsageError(`expected ${ACTIVATIONS.join(', ')}, or one per hidden layer joined by commas (relu,tanh), got "${value}"`);
  return names.length === 1 ? names[0] : names;
}

/** Dropout rates "INPUT[,HIDDEN...]", each in [0, 1): 0.2,0.5 drops 20% of the inputs and 50% of every hidden layer's units. */
export function dropoutRates(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const rates = parts.map(Number);
  if (parts.some((s) => s === '') || rates.some((p) => !(p >= 0 && p < 1))) throw new UsageError(`expected dropout rates in [0, 1), input first, then hidden layers (e.g. 0.2,0.5), got "${value}"`);
  return rates;
}

/**
 * An augmentation: affine:ROT,SCALE,SHEAR,SHIFT and/or elastic:ALPHA,SIGMA, joined by "+" (e.g.
 * affine:10,0.1,0.15,2+elastic:34,4), or none. ROT in degrees, SCALE a fraction, SHIFT in pixels.
 */
export function augmentSpec(value: string): AugmentOptions | null {
  if (value.trim() === 'none') return null;
  const out: AugmentOptions = {};
  for (const part of value.split('+')) {
    const [kind, args = '', extra] = part.trim().split(':');
    const nums = args.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
    const ok = extra === undefined && nums.every((v) => Number.isFinite(v) && v >= 0);
    if (kind === 'affine' && ok && nums.length === 4 && !out.affine) {
      const [rotation, scale, shear, shift] = nums;
      if (rotation <= 45 && scale < 1) {
        out.affine = { rotation, scale, shear, shift };
        continue;
      }
    }
    if (kind === 'elastic' && ok && nums.length === 2 && !out.elastic && nums[1] > 0 && nums[1] <= 10) {
      out.elastic = { alpha: nums[0], sigma: nums[1] };
      continue;
    }
    throw new UsageError(`expected affine:ROT,SCALE,SHEAR,SHIFT (ROT <= 45 degrees, SCALE < 1) and/or elastic:ALPHA,SIGMA (0 < SIGMA <= 10), joined by +, or none; got "${value}"`);
  }
  return out;
}

/** The augmentation as the CLI writes it (augmentSpec's form). */
export function augmentText(a: AugmentOptions | null | undefined): string {
  if (!a) return 'none';
  const parts = [];
  if (a.affine) parts.push(`affine:${a.affine.rotation},${a.affine.scale},${a.affine.shear},${a.affine.shift}`);
  if (a.elastic) parts.push(`elastic:${a.elastic.alpha},${a.elastic.sigma}`);
  return parts.join('+');
}

// ---- option groups

/** The data flags as commander gives them: the sources node/sources.ts reads. */
export type DataOptions = Omit<DataSources, 'seed' | 'classes' | 'into'>;

/** "WxH" or "N" (square) image sizes. */
export function imageSize(value: string): { rows: number; cols: number } {
  const m = /^\s*(\d+)\s*(?:x\s*(\d+))?\s*$/.exec(value);
  const [cols, rows] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [0, 0];
  if (!(cols >= 1 && rows >= 1 && cols * rows <= 1 << 22)) throw new UsageError(`expected an image size WIDTHxHEIGHT or N, like 28x28, got "${value}"`);
  return { rows, cols };
}

/** "X.npy,Y.npy": the features and the labels. */
function npyPair(value: string): [string, string] {
  const parts = value.split(',');
  if (parts.length !== 2 || parts.some((p) => !p.trim())) throw new UsageError(`expected two .npy files X.npy,Y.npy (features, labels), got "${value}"`);
  return [parts[0].trim(), parts[1].trim()];
}

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n < 1)) throw new UsageError(`expected a fraction in (0, 1), like 0.1, got "${value}"`);
  return n;
}

/**
 * Where the data is. Training (`withTrain`): IDX files (MNIST's by default), a folder of class
 * subfolders of images, a CSV file or NumPy files; a test set of the same kind, or --split. Test
 * only: the test flags.
 */
export function dataOptions(cmd: Command, withTrain: boolean): Command {
  if (withTrain) {
    cmd
      .option('--train-images <file>', 'training images (IDX, plain or gzip; default MNIST\'s)')
      .option('--train-labels <file>', 'training labels (IDX, plain or gzip)')
      .option('--train-dir <dir>', 'training images in one subfolder per class (PNG or JPEG)')
      .option('--train-csv <file>', 'training data as CSV: numeric features and a label column')
      .option('--train-npz <file>', 'training data as NumPy .npz with arrays x and y (or x_train, y_train, x_test, y_test)')
      .option('--train-npy <x,y>', 'training data as two NumPy .npy files: features (or u8 images (N, rows, cols)) and labels', npyPair)
      .option('--split <fraction>', 'hold out this fraction of the training data (seeded) as the test set', fraction)
      .addOption(new Option('--standardize <how>', 'feature standardisation, fitted on the training data and kept in the model: auto (pixel data (integers 0..255, 64+ columns, half the rows reaching 128) as images / 255, else scale when under half the values are nonzero, else mean-std), mean-std, scale (by each feature\'s RMS, at least the RMS of all values), none').choices(STANDARDIZE_MODES).default('auto'));
  }
  return cmd
    .option('--test-images <file>', 'test images (IDX, plain or gzip; default MNIST\'s)')
    .option('--test-labels <file>', 'test labels (IDX, plain or gzip)')
    .option('--test-dir <dir>', 'test images in one subfolder per class')
    .option('--test-csv <file>', 'test data as CSV')
    .option('--test-npz <file>', 'test data as NumPy .npz (x and y)')
    .option('--test-npy <x,y>', 'test data as two NumPy .npy files', npyPair)
    .option('--label-column <name|index>', 'CSV: the label column, by header name or index (negative from the end; default the last)')
    .option('--header', 'CSV: the first row is a header (default: when any of its fields is not a number)')
    .option('--no-header', 'CSV: the first row is data')
    .option('--image-size <WxH>', 'image folders: resize every image to this (default: the first image\'s size)', imageSize)
    .addOption(new Option('--channels <n>', 'image folders: 1 (grey by luma) or 3 (colour)').choices(['1', '3']).argParser((v) => Number(v) as 1 | 3))
    .option('--invert', 'image folders: invert grey levels (dark ink on white becomes MNIST\'s bright on dark)');
}

export interface NetworkChoices {
  init: WeightInit;
  activation: Activation | Activation[];
  cost: Cost;
  optimizer: Optimizer;
  kernels: string;
}

/** --init, --activation, --cost and --optimizer (train and sweep). */
export function networkChoices(cmd: Command): Command {
  return cmd
    .addOption(new Option('--init <kind>', 'initial parameters: scaled N(0,1/n_in) weights and N(0,1) biases, normal N(0,1) as the lecture, he N(0,2/n_in) weights and zero biases').choices(WEIGHT_INITS).default('scaled'))
    .option('--activation <f>', `hidden-layer activation: ${ACTIVATIONS.join(', ')}; or one per hidden layer, e.g. relu,tanh`, activations, 'sigmoid' as Activation | Activation[])
    .addOption(new Option('--cost <c>', 'cost: quadratic (sigmoid outputs), cross-entropy (sigmoid outputs), log-likelihood (softmax outputs)').choices(COSTS).default('quadratic'))
    .addOption(new Option('--optimizer <o>', 'sgd, momentum or adam').choices(OPTIMIZERS).default('sgd'));
}

/**
 * --kernels: the kernel build (every command that runs a network); auto is relaxed SIMD where the
 * engine has it, else SIMD. Commands that train (`training`) also offer webgpu: training on the GPU.
 */
export function kernelsOption(training = false): Option {
  const gpu = training ? ', or webgpu (train on the GPU: needs the optional package webgpu, npm install webgpu, and a GPU driver)' : '';
  return new Option('--kernels <build>', `kernel build: relaxed (fused multiply-adds: fastest, the same bits on this machine), simd (the same bits on every machine), scalar, or auto (relaxed where this engine has it)${gpu}`)
    .choices(['auto', 'relaxed', 'simd', 'scalar', ...(training ? ['webgpu'] : [])])
    .default(process.env.WASM_MLP_KERNELS ?? 'auto')
    .argParser((v) => v);
}

/** What --kernels offers commands that train (kernelsOption(true)). */
export type TrainingKernels = 'relaxed' | 'simd' | 'scalar' | 'webgpu';

/** The kernels option as Network.create takes it (undefined for auto); K: what the command offers. */
export function kernelsOf<K extends string = 'relaxed' | 'simd' | 'scalar'>(o: { kernels: string }): K | undefined {
  return o.kernels === 'auto' ? undefined : (o.kernels as K);
}

/** What a network's kernels are called in the CLI's output: its build, or webgpu when it trains on the GPU. */
export function kernelsName(net: { variant: string; gpu?: unknown }): string {
  return net.gpu === undefined ? net.variant : 'webgpu';
}

/** --limit, --json and --quiet (train and sweep). */
export function runOptions(cmd: Command, json: string): Command {
  return cmd
    .option('--limit <n>', 'train on the first n training images only', positiveInt)
    .option('--json', json)
    .option('--quiet', 'no progress on stderr');
}

/** --dropout, --max-norm and --augment; repeatable (sweep axes) when `axes`. */
export function regularizeOptions(cmd: Command, axes: boolean): Command {
  const many = <T>(parse: (v: string) => T) => (value: string, previous: T[]) => [...previous, parse(value)];
  if (axes) {
    return cmd
      .option('--dropout <rates>', 'dropout rates, input then hidden layers, e.g. 0.2,0.5 (repeat for several)', many(dropoutRates), [] as number[][])
      .option('--max-norm <c>', 'max-norm of each hidden unit\'s incoming weights (repeat for several)', many(positiveNumber), [] as number[])
      .option('--augment <spec>', 'augmentation: affine:ROT,SCALE,SHEAR,SHIFT and/or elastic:ALPHA,SIGMA joined by +, or none (repeat for several)', many(augmentSpec), [] as (AugmentOptions | null)[]);
  }
  return cmd
    .option('--dropout <rates>', 'inverted dropout rates: input, then hidden layers (the last serves the rest), e.g. 0.2,0.5', dropoutRates)
    .option('--max-norm <c>', 'cap each hidden unit\'s incoming weights at norm c after every step', positiveNumber)
    .option('--augment <spec>', 'augment each mini-batch afresh: affine:ROT,SCALE,SHEAR,SHIFT (degrees, fraction, factor, pixels) and/or elastic:ALPHA,SIGMA (Simard: 34,4), joined by + or repeated', (v: string, prev?: AugmentOptions) => ({ ...prev, ...augmentSpec(v) }));
}

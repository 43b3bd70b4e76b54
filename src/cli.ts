#!/usr/bin/env node
// The wasm-mlp command line: `info` (layer table), `train` (on the bundled MNIST or any IDX files)
// and `test` (a saved model on a test set). Not for: library logic; it parses, calls and prints.
import { Command, CommanderError, InvalidArgumentError as UsageError, Option } from 'commander';
import { ACTIVATIONS, COSTS, DEFAULT_ETA, OPTIMIZERS, THREADS_PAY, WEIGHT_INITS, classReport, layerShapes, Network, parameterCount, sliceDataset, train, validateSizes, WasmMlpError, type Activation, type Cost, type Dataset, type EpochMetrics, type Optimizer, type Schedule, type WeightInit } from './index.js';
import { exportOnnx, loadIdxDataset, loadModelFile, mnistPaths, pngToInput, readBytes, readCheckpointFile, readIdxDims, readIdxFile, readModelFile, saveCheckpointFile, saveModelFile, writeFileAtomic } from './node.js';
import { MAX_THREADS } from './core/options.js';
import { errorGridPng, lineChartsSvg, type Panel } from './node/plot.js';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';

const EXIT_USAGE = 2;

// ---- option parsers: each names what it expected

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`expected a positive integer, got "${value}"`);
  return n;
}

function seedValue(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n > 0xffffffff) throw new UsageError(`expected an integer from 0 to 4294967295, got "${value}"`);
  return n;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`expected a finite number >= 0, got "${value}"`);
  return n;
}

function unitInterval(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n < 1)) throw new UsageError(`expected a number in [0, 1), got "${value}"`);
  return n;
}

/** constant | step:EVERY:FACTOR | cosine[:MIN] */
function schedule(value: string): Schedule {
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

function threadCount(value: string): number {
  const n = positiveInt(value);
  if (n > MAX_THREADS) throw new UsageError(`expected at most ${MAX_THREADS} threads, got ${n}`);
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`expected a finite number > 0, got "${value}"`);
  return n;
}

function layers(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const sizes = parts.map(Number);
  if (parts.some((s) => !/^\d+$/.test(s))) throw new UsageError(`expected comma-separated positive integers like 784,30,10, got "${value}"`);
  try {
    return validateSizes(sizes);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

// ---- output helpers

/** Rows as aligned text columns two spaces apart: the columns in `left` padded on the right, the others right-aligned. */
function formatTable(rows: (string | number)[][], left: number[] = []): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((v, c) => (left.includes(c) ? String(v).padEnd(widths[c]) : String(v).padStart(widths[c]))).join('  ')).join('\n');
}

function layerTable(sizes: number[]): string {
  const rows = layerShapes(sizes).map((s, i) => [`${i + 1}`, `${s.cols} -> ${s.rows}`, s.rows * s.cols, s.rows, s.rows * s.cols + s.rows]);
  const weights = rows.reduce((t, r) => t + (r[2] as number), 0);
  const biases = rows.reduce((t, r) => t + (r[3] as number), 0);
  return formatTable([['layer', 'shape', 'weights', 'biases', 'parameters'], ...rows, ['total', '', weights, biases, weights + biases]], [0, 1]);
}

function percent(x: number): string {
  return Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(2)}%`;
}

function epochLine(m: EpochMetrics, epochs: number): string {
  const width = String(epochs).length;
  return (
    `epoch ${String(m.epoch).padStart(width)}/${epochs}  cost ${m.trainCost.toFixed(4)}  ` +
    (Number.isNaN(m.validationAccuracy) ? '' : `validation ${percent(m.validationAccuracy)}  `) +
    `test ${percent(m.testAccuracy)} (cost ${m.testCost.toFixed(4)})  ` +
    `${m.trainSeconds.toFixed(2)} s  ${Math.round(m.examplesPerSecond).toLocaleString('en-US')} ex/s`
  );
}

// ---- commands

interface DataOptions {
  trainImages?: string;
  trainLabels?: string;
  testImages: string;
  testLabels: string;
}

function dataOptions(cmd: Command, withTrain: boolean): Command {
  const p = mnistPaths();
  if (withTrain) {
    cmd.option('--train-images <file>', 'training images (IDX, plain or gzip)', p.trainImages);
    cmd.option('--train-labels <file>', 'training labels (IDX, plain or gzip)', p.trainLabels);
  }
  return cmd
    .option('--test-images <file>', 'test images (IDX, plain or gzip)', p.testImages)
    .option('--test-labels <file>', 'test labels (IDX, plain or gzip)', p.testLabels);
}

/** [pixels per image, 30, classes] of the training files: the lecture's network for any IDX dataset. */
async function defaultLayers(images: string, labels: string, classes?: number): Promise<number[]> {
  const dims = await readIdxDims(images);
  if (dims.length !== 3) throw new WasmMlpError(`${images}: images have ${dims.length} dimensions [${dims}]; expected 3 (count, rows, cols)`);
  let k = classes;
  if (k === undefined) {
    k = 0;
    for (const label of (await readIdxFile(labels)).data) k = Math.max(k, label + 1);
  }
  return [dims[1] * dims[2], 30, k];
}

async function trainCommand(o: DataOptions & { layers?: number[]; classes?: number; validation?: number; patience?: number; epochs: number; batchSize: number; eta: number; seed: number; init: WeightInit; threads: number; activation: Activation; cost: Cost; optimizer: Optimizer; momentum: number; weightDecay: number; schedule: Schedule; limit?: number; out?: string; plot?: string; checkpoint?: string; resume?: string; json?: boolean; quiet?: boolean; kernels: 'simd' | 'scalar' }): Promise<void> {
  o.layers ??= await defaultLayers(o.trainImages!, o.trainLabels!, o.classes);
  // The network first, so the files are read straight into its memory: one copy of the data.
  const net = await Network.create({ sizes: o.layers, seed: o.seed, init: o.init, kernels: o.kernels, threads: o.threads, activation: o.activation, cost: o.cost });
  const fullTrain = await loadIdxDataset({ images: o.trainImages!, labels: o.trainLabels!, classes: o.classes, into: net });
  const test = await loadIdxDataset({ images: o.testImages, labels: o.testLabels, classes: o.classes, into: net });
  let trainSet: Dataset = o.limit && o.limit < fullTrain.count ? sliceDataset(fullTrain, 0, o.limit) : fullTrain;
  let validation: Dataset | undefined;
  if (o.validation) {
    if (o.validation >= trainSet.count) throw new WasmMlpError(`--validation ${o.validation} leaves no training images of the ${trainSet.count}`);
    validation = sliceDataset(trainSet, trainSet.count - o.validation);
    trainSet = sliceDataset(trainSet, 0, trainSet.count - o.validation);
  }
  if (o.patience !== undefined && !validation) throw new WasmMlpError('--patience (early stopping) needs --validation N');
  checkFits(o.layers, trainSet, 'training set');
  checkFits(o.layers, test, 'test set');
  const hyperparameters = { eta: o.eta, batchSize: o.batchSize, seed: o.seed };
  const initialEpoch = o.resume ? await resumeFrom(o.resume, net, o.layers, hyperparameters, o.epochs, o.optimizer) : 0;
  const log = (line: string) => {
    if (!o.quiet) process.stderr.write(`${line}\n`);
  };
  const extras = [o.activation !== 'sigmoid' && `${o.activation} hidden layers`, o.cost !== 'quadratic' && `${o.cost} cost`, o.optimizer !== 'sgd' && o.optimizer, o.weightDecay > 0 && `L2 ${o.weightDecay}`, o.schedule.kind !== 'constant' && `${o.schedule.kind} schedule`].filter(Boolean);
  log(`training [${o.layers.join(', ')}] (${net.parameterCount.toLocaleString('en-US')} parameters) on ${trainSet.count.toLocaleString('en-US')} images: ` + `${o.epochs} epochs, batch size ${o.batchSize}, eta ${o.eta}, seed ${o.seed}, ${o.init} init, ${net.variant} kernels, ${net.threads} thread${net.threads > 1 ? 's' : ''}${extras.length ? `, ${extras.join(', ')}` : ''}`);
  if (initialEpoch) log(`resuming from ${o.resume} after epoch ${initialEpoch}`);
  // a live bar per batch when stderr is a terminal; plain lines (one per epoch) otherwise
  const bar = process.stderr.isTTY && !o.quiet
    ? new cliProgress.SingleBar({ format: 'epoch {epoch}/{epochs} [{bar}] {percentage}% | ETA {eta_formatted} | {rate} ex/s | cost {cost}', hideCursor: true, stream: process.stderr, etaBuffer: 50 }, cliProgress.Presets.shades_classic)
    : null;
  let epochStart = performance.now();
  const { history, stoppedEarly } = await train(net, trainSet, {
    epochs: o.epochs,
    initialEpoch,
    batchSize: o.batchSize,
    eta: o.eta,
    seed: o.seed,
    optimizer: o.optimizer,
    momentum: o.momentum,
    weightDecay: o.weightDecay,
    schedule: o.schedule,
    test,
    validation,
    patience: o.patience,
    onBatchEnd: bar
      ? (b) => {
          if (b.batch === 0) {
            epochStart = performance.now();
            bar.start(b.batches, 0, { epoch: b.epoch, epochs: o.epochs, rate: '-', cost: '-' });
          }
          const rate = ((b.batch + 1) * o.batchSize) / ((performance.now() - epochStart) / 1000);
          bar.update(b.batch + 1, { rate: Math.round(rate).toLocaleString('en-US'), cost: b.cost.toFixed(4) });
        }
      : undefined,
    onEpochEnd: async (m) => {
      bar?.stop();
      log(epochLine(m, o.epochs));
      if (o.checkpoint) await saveCheckpointFile(o.checkpoint, net, { ...hyperparameters, epochs: m.epoch });
    },
  });
  bar?.stop();
  if (o.out) await saveModelFile(o.out, net, { ...hyperparameters, epochs: o.epochs });
  if (o.plot) await writeFileAtomic(o.plot, new TextEncoder().encode(trainingPlot(history, o.layers)));
  const last = history[history.length - 1];
  const best = history.reduce((b, m) => (m.testAccuracy > b.testAccuracy ? m : b), history[0]);
  const trainSeconds = history.reduce((t, m) => t + m.trainSeconds, 0);
  const summary = {
    sizes: o.layers,
    parameters: net.parameterCount,
    epochs: o.epochs,
    batchSize: o.batchSize,
    eta: o.eta,
    seed: o.seed,
    init: o.init,
    activation: o.activation,
    cost: o.cost,
    optimizer: o.optimizer,
    weightDecay: o.weightDecay,
    schedule: o.schedule,
    kernels: net.variant,
    threads: net.threads,
    trainExamples: trainSet.count,
    testExamples: test.count,
    testAccuracy: last.testAccuracy,
    testCost: last.testCost,
    bestTestAccuracy: best.testAccuracy,
    bestEpoch: best.epoch,
    trainSeconds,
    examplesPerSecond: (trainSet.count * history.length) / trainSeconds,
    model: o.out ?? null,
    validationExamples: validation?.count ?? 0,
    validationAccuracy: last.validationAccuracy,
    bestValidationAccuracy: validation ? Math.max(...history.map((h) => h.validationAccuracy)) : NaN,
    stoppedEarly: !!stoppedEarly,
    resumedAfterEpoch: initialEpoch,
    history,
  };
  if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    process.stdout.write(
      `test accuracy ${percent(last.testAccuracy)} after ${last.epoch} epochs${stoppedEarly ? ' (stopped early)' : ''} (best ${percent(best.testAccuracy)} at epoch ${best.epoch}); ` +
        `${trainSeconds.toFixed(1)} s training, ${Math.round(summary.examplesPerSecond).toLocaleString('en-US')} examples/s` +
        `${o.out ? `; model saved to ${o.out}` : ''}\n`,
    );
  }
  net.dispose();
}

async function testCommand(o: DataOptions & { model: string; json?: boolean; errors?: string; kernels: 'simd' | 'scalar' }): Promise<void> {
  const model = await readModelFile(o.model);
  const net = await loadModelFile(o.model, { kernels: o.kernels });
  const test = await loadIdxDataset({ images: o.testImages, labels: o.testLabels, into: net });
  checkFits(model.sizes, test, 'test set');
  const r = classReport(net, test);
  if (o.errors) {
    const cells = [];
    for (let i = 0; i < test.count && cells.length < 100; i++) {
      if (r.predicted[i] !== test.labels[i]) cells.push({ image: test.images.slice(i * test.pixels, (i + 1) * test.pixels), label: test.labels[i], predicted: r.predicted[i] });
    }
    if (test.rows !== 28 || test.cols !== 28) throw new WasmMlpError(`--errors draws 28 x 28 images; the test set has ${test.rows} x ${test.cols}`);
    await writeFileAtomic(o.errors, errorGridPng(cells));
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ model: o.model, sizes: model.sizes, parameters: net.parameterCount, testAccuracy: r.accuracy, testCost: r.cost, correct: r.correct, count: r.count, perClass: r.perClass, confusion: r.confusion })}\n`);
  } else {
    process.stdout.write(
      `${o.model} [${model.sizes.join(', ')}]: test accuracy ${percent(r.accuracy)} (${r.correct} of ${r.count}), cost ${r.cost.toFixed(4)}\n\n` +
        `${formatTable([['class', 'count', 'correct', 'accuracy'], ...r.perClass.map((c) => [c.label, c.count, c.correct, percent(c.accuracy)])])}\n\n` +
        `confusion matrix (rows: true class, columns: predicted)\n` +
        `${formatTable([['', ...r.confusion.map((_, p) => p)], ...r.confusion.map((row, t) => [t, ...row])])}\n`,
    );
  }
  net.dispose();
}

/** Cost and accuracy per epoch, for train --plot. */
function trainingPlot(history: EpochMetrics[], sizes: number[]): string {
  const pts = (f: (m: EpochMetrics) => number): [number, number][] => history.map((m) => [m.epoch, f(m)]);
  const panels: Panel[] = [
    { title: 'Cost per epoch', xLabel: 'epoch', yLabel: 'mean cost', series: [{ label: 'training', points: pts((m) => m.trainCost) }, { label: 'validation', points: pts((m) => m.validationCost) }, { label: 'test', points: pts((m) => m.testCost) }] },
    { title: 'Accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy (%)', series: [{ label: 'validation', points: pts((m) => 100 * m.validationAccuracy) }, { label: 'test', points: pts((m) => 100 * m.testAccuracy) }] },
  ];
  for (const p of panels) p.series = p.series.filter((s) => s.points.some(([, y]) => Number.isFinite(y)));
  return lineChartsSvg(panels, `wasm-mlp [${sizes.join(', ')}]`);
}

/** Loads a checkpoint into `net` after checking it belongs to this run; returns its completed epochs. */
async function resumeFrom(file: string, net: Network, sizes: number[], hp: { eta: number; batchSize: number; seed: number }, epochs: number, optimizer: Optimizer): Promise<number> {
  const { model, state } = await readCheckpointFile(file);
  if ((state?.kind ?? 'sgd') !== optimizer) throw new WasmMlpError(`${file}: checkpoint was trained with optimizer ${state?.kind ?? 'sgd'}, this run has ${optimizer}; resume with the same options`);
  if (model.sizes.join() !== sizes.join()) throw new WasmMlpError(`${file}: checkpoint has layers ${model.sizes}, this run --layers ${sizes}`);
  for (const [key, value] of Object.entries(hp)) {
    const saved = model.hyperparameters[key as keyof typeof hp];
    if (saved !== value) throw new WasmMlpError(`${file}: checkpoint was trained with ${key} ${saved}, this run has ${value}; resume with the same options`);
  }
  const done = model.hyperparameters.epochs;
  if (done >= epochs) throw new WasmMlpError(`${file}: checkpoint already has ${done} epochs, --epochs is ${epochs}: nothing to resume`);
  net.setParameters(model.parameters);
  if (state) net.setOptimizerState(state);
  return done;
}

async function predictCommand(images: string[], o: { model: string; json?: boolean; kernels: 'simd' | 'scalar' }): Promise<void> {
  const net = await loadModelFile(o.model, { kernels: o.kernels });
  if (net.inputSize !== 784) throw new WasmMlpError(`${o.model}: predict reads 28 x 28 digits, but the model has ${net.inputSize} inputs`);
  const predictions = [];
  for (const file of images) {
    const x = pngToInput(await readBytes(file, 'image'), file);
    const outputs = Array.from(net.forward(x));
    const best = outputs.indexOf(Math.max(...outputs));
    predictions.push({ file, class: best, outputs });
    if (!o.json) process.stdout.write(`${file}: ${best}  (outputs ${outputs.map((v) => v.toFixed(3)).join(' ')})\n`);
  }
  if (o.json) process.stdout.write(`${JSON.stringify({ model: o.model, predictions })}\n`);
  net.dispose();
}

interface SweepOptions extends DataOptions {
  layers: number[][];
  eta: number[];
  batchSize: number[];
  seeds: number;
  epochs: number;
  init: WeightInit;
  activation: Activation;
  cost: Cost;
  optimizer: Optimizer;
  limit?: number;
  csv?: string;
  jsonFile?: string;
  plot?: string;
  json?: boolean;
  quiet?: boolean;
  kernels: 'simd' | 'scalar';
}

/** Trains every combination of layers x eta x batch size for each seed; ranks configurations by mean final test accuracy. */
async function sweepCommand(o: SweepOptions): Promise<void> {
  const layerChoices = o.layers.length ? o.layers : [[784, 30, 10]];
  const etas = o.eta.length ? o.eta : [DEFAULT_ETA];
  const batches = o.batchSize.length ? o.batchSize : [10];
  const [full, test] = await Promise.all([loadIdxDataset({ images: o.trainImages!, labels: o.trainLabels! }), loadIdxDataset({ images: o.testImages, labels: o.testLabels })]);
  const trainSet = o.limit && o.limit < full.count ? sliceDataset(full, 0, o.limit) : full;
  const runs: { config: string; layers: number[]; eta: number; batchSize: number; seed: number; testAccuracy: number; bestTestAccuracy: number; trainSeconds: number; history: EpochMetrics[] }[] = [];
  const total = layerChoices.length * etas.length * batches.length * o.seeds;
  for (const sizes of layerChoices) {
    checkFits(sizes, trainSet, 'training set');
    for (const eta of etas) {
      for (const batchSize of batches) {
        for (let seed = 1; seed <= o.seeds; seed++) {
          const config = `[${sizes.join(',')}] eta ${eta} batch ${batchSize}`;
          const net = await Network.create({ sizes, seed, init: o.init, activation: o.activation, cost: o.cost, kernels: o.kernels });
          const { history } = await train(net, trainSet, { epochs: o.epochs, batchSize, eta, seed, test, optimizer: o.optimizer });
          net.dispose();
          const last = history[history.length - 1];
          const run = { config, layers: sizes, eta, batchSize, seed, testAccuracy: last.testAccuracy, bestTestAccuracy: Math.max(...history.map((h) => h.testAccuracy)), trainSeconds: history.reduce((t, h) => t + h.trainSeconds, 0), history };
          runs.push(run);
          if (!o.quiet) process.stderr.write(`run ${runs.length}/${total}: ${config} seed ${seed}: test ${percent(run.testAccuracy)} (best ${percent(run.bestTestAccuracy)}), ${run.trainSeconds.toFixed(1)} s\n`);
        }
      }
    }
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const configs = [...new Set(runs.map((r) => r.config))].map((config) => {
    const rs = runs.filter((r) => r.config === config);
    return { config, runs: rs.length, testAccuracy: mean(rs.map((r) => r.testAccuracy)), bestTestAccuracy: mean(rs.map((r) => r.bestTestAccuracy)), worstTestAccuracy: Math.min(...rs.map((r) => r.testAccuracy)), trainSeconds: mean(rs.map((r) => r.trainSeconds)), rs };
  });
  configs.sort((a, b) => b.testAccuracy - a.testAccuracy);
  const rows = [['rank', 'configuration', 'seeds', 'final test', 'worst seed', 'best epoch test', 'seconds'], ...configs.map((c, i) => [i + 1, c.config, c.runs, percent(c.testAccuracy), percent(c.worstTestAccuracy), percent(c.bestTestAccuracy), c.trainSeconds.toFixed(1)])];
  const table = formatTable(rows, [1]);
  if (o.csv) {
    const csv = ['layers,eta,batch_size,seed,final_test_accuracy,best_test_accuracy,train_seconds', ...runs.map((r) => `"${r.layers.join(',')}",${r.eta},${r.batchSize},${r.seed},${r.testAccuracy},${r.bestTestAccuracy},${r.trainSeconds.toFixed(3)}`)].join('\n');
    await writeFileAtomic(o.csv, new TextEncoder().encode(`${csv}\n`));
  }
  if (o.plot) {
    const series = configs.map((c) => ({ label: c.config, points: c.rs[0].history.map((h, e) => [h.epoch, 100 * mean(c.rs.map((r) => r.history[e].testAccuracy))] as [number, number]) }));
    await writeFileAtomic(o.plot, new TextEncoder().encode(lineChartsSvg([{ title: `Test accuracy per epoch (mean of ${o.seeds} seed${o.seeds > 1 ? 's' : ''})`, xLabel: 'epoch', yLabel: 'accuracy (%)', series }], 'wasm-mlp sweep')));
  }
  const results = { ranking: configs.map(({ rs, ...c }) => c), runs: runs.map(({ history, ...r }) => r) };
  if (o.jsonFile) await writeFileAtomic(o.jsonFile, new TextEncoder().encode(`${JSON.stringify({ ...results, runs })}\n`));
  if (o.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else process.stdout.write(`${table}\n`);
}

function checkFits(sizes: number[], data: Dataset, what: string): void {
  if (data.pixels !== sizes[0]) {
    throw new WasmMlpError(`${what} has ${data.rows} x ${data.cols} = ${data.pixels} pixels per image, but --layers starts with ${sizes[0]} inputs`);
  }
  if (data.classes > sizes[sizes.length - 1]) {
    throw new WasmMlpError(`${what} has ${data.classes} classes, but --layers ends with ${sizes[sizes.length - 1]} outputs`);
  }
}

/** This package's version, from its package.json. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function program(): Command {
  const cli = new Command('wasm-mlp')
    .description('Train and run a multilayer perceptron on MNIST with a WebAssembly core.')
    .version(packageVersion(), '-V, --version', 'print the version of wasm-mlp')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  const kernels = () => new Option('--kernels <build>', 'kernel build').choices(['simd', 'scalar']).default(process.env.WASM_MLP_KERNELS ?? 'simd');

  cli
    .command('info')
    .description('print the layer table and parameter count of a network')
    .option('--layers <sizes>', 'layer sizes, comma-separated', layers, [784, 30, 10])
    .option('--json', 'print one JSON object')
    .action((o: { layers: number[]; json?: boolean }) => {
      if (o.json) process.stdout.write(`${JSON.stringify({ sizes: o.layers, parameters: parameterCount(o.layers), layers: layerShapes(o.layers).map((s) => ({ inputs: s.cols, outputs: s.rows, weights: s.rows * s.cols, biases: s.rows })) })}\n`);
      else process.stdout.write(`network [${o.layers.join(', ')}]\n${layerTable(o.layers)}\n`);
    });

  dataOptions(
    cli
      .command('train')
      .description('train a network by mini-batch gradient descent and report test accuracy')
      .option('--layers <sizes>', 'layer sizes, comma-separated (default: pixels per image, 30, classes of the data)', layers)
      .option('--classes <n>', 'number of classes (default: 1 + the largest training label)', positiveInt)
      .option('--validation <n>', 'hold out the last n training images as a validation set', positiveInt)
      .option('--patience <n>', 'early stopping: epochs without a better validation accuracy', positiveInt)
      .option('--epochs <n>', 'passes over the training set', positiveInt, 30)
      .option('--batch-size <n>', 'examples per mini-batch', positiveInt, 10)
      .option('--eta <x>', 'learning rate', positiveNumber, DEFAULT_ETA)
      .option('--seed <n>', 'seed of initial weights and shuffling', seedValue, 1)
      .addOption(new Option('--init <kind>', 'initial parameters: scaled N(0,1/n_in) weights and N(0,1) biases, normal N(0,1) as the lecture, he N(0,2/n_in) weights and zero biases').choices(WEIGHT_INITS).default('scaled'))
      .addOption(new Option('--activation <f>', 'hidden-layer activation').choices(ACTIVATIONS).default('sigmoid'))
      .addOption(new Option('--cost <c>', 'cost: quadratic (sigmoid outputs), cross-entropy (sigmoid outputs), log-likelihood (softmax outputs)').choices(COSTS).default('quadratic'))
      .addOption(new Option('--optimizer <o>', 'sgd, momentum or adam').choices(OPTIMIZERS).default('sgd'))
      .option('--momentum <mu>', 'momentum coefficient', unitInterval, 0.9)
      .option('--weight-decay <lambda>', 'L2 regularisation: cost + lambda / (2 n) sum w^2', nonNegative, 0)
      .addOption(new Option('--schedule <s>', 'learning rate per epoch: constant, step:EVERY:FACTOR or cosine[:MIN]').argParser(schedule).default({ kind: 'constant' }, 'constant'))
      .option('--threads <n>', `training threads (${THREADS_PAY})`, threadCount, 1)
      .option('--limit <n>', 'train on the first n training images only', positiveInt)
      .option('--out <file>', 'save the trained model to this file')
      .option('--plot <file.svg>', 'write cost and accuracy per epoch (training, validation, test) as SVG')
      .option('--checkpoint <file>', 'save the model after every epoch (atomically) to resume from')
      .option('--resume <file>', 'continue a run from its checkpoint (same options otherwise)')
      .option('--json', 'print one JSON object with the results as the last line of stdout')
      .option('--quiet', 'no progress on stderr')
      .addOption(kernels()),
    true,
  ).action(trainCommand);

  dataOptions(
    cli
      .command('test')
      .description('evaluate a saved model on a test set')
      .requiredOption('--model <file>', 'a model file written by train --out')
      .option('--json', 'print one JSON object')
      .option('--errors <file.png>', 'write the first 100 misclassified test images, labelled true > predicted, as a PNG grid')
      .addOption(kernels()),
    false,
  ).action(testCommand);
  const collect = <T>(parse: (v: string) => T) => (value: string, previous: T[]) => [...previous, parse(value)];
  dataOptions(
    cli
      .command('sweep')
      .description('train every combination of the given layers, etas and batch sizes (and seeds); print a ranked table')
      .option('--layers <sizes>', 'layer sizes (repeat for several)', collect(layers), [] as number[][])
      .option('--eta <x>', 'learning rate (repeat for several)', collect(positiveNumber), [] as number[])
      .option('--batch-size <n>', 'mini-batch size (repeat for several)', collect(positiveInt), [] as number[])
      .option('--seeds <n>', 'train each combination with seeds 1..n', positiveInt, 1)
      .option('--epochs <n>', 'passes over the training set', positiveInt, 30)
      .addOption(new Option('--init <kind>', 'initial parameters').choices(WEIGHT_INITS).default('scaled'))
      .addOption(new Option('--activation <f>', 'hidden-layer activation').choices(ACTIVATIONS).default('sigmoid'))
      .addOption(new Option('--cost <c>', 'cost').choices(COSTS).default('quadratic'))
      .addOption(new Option('--optimizer <o>', 'optimizer').choices(OPTIMIZERS).default('sgd'))
      .option('--limit <n>', 'train on the first n training images only', positiveInt)
      .option('--csv <file>', 'write one row per run as CSV')
      .option('--json-file <file>', 'write the ranking and every run, with its per-epoch history, as JSON')
      .option('--plot <file.svg>', 'write test accuracy per epoch of every configuration as SVG')
      .option('--json', 'print one JSON object (ranking and runs) as the last line of stdout')
      .option('--quiet', 'no progress on stderr')
      .addOption(kernels()),
    true,
  ).action(sweepCommand);

  cli
    .command('export')
    .description('write a model in another format: ONNX (Gemm + activation nodes, opset 13)')
    .requiredOption('--model <file>', 'a model file written by train --out')
    .addOption(new Option('--format <format>', 'output format').choices(['onnx']).default('onnx'))
    .requiredOption('--out <file>', 'where to write it')
    .action(async (o: { model: string; out: string }) => {
      const model = await readModelFile(o.model);
      const bytes = exportOnnx(model);
      await writeFileAtomic(o.out, bytes);
      process.stdout.write(`${o.out}: ONNX, ${bytes.length} bytes, [${model.sizes.join(', ')}]\n`);
    });

  cli
    .command('predict')
    .description('read digits from PNG files (any size, grey or colour; cropped, scaled and centred like MNIST)')
    .argument('<images...>', 'PNG files')
    .requiredOption('--model <file>', 'a model file written by train --out')
    .option('--json', 'print one JSON object')
    .addOption(kernels())
    .action(predictCommand);
  return cli;
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
    if (e instanceof WasmMlpError) {
      process.stderr.write(`wasm-mlp: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));

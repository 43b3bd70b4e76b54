// `wasm-mlp train`: trains a network on IDX files (MNIST by default) with a progress bar or a line
// per epoch, checkpoints and resume, and prints or writes the results. Not for: the training
// loop itself (train/train.ts).
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { DEFAULT_ETA, inputsOf, Network, sliceData, THREADS_PAY, train, WasmMlpError, type AugmentOptions, type EpochMetrics, type ModelData, type Optimizer, type Schedule, type TrainingData } from '../index.js';
import { readCheckpointFile, readModelFile, saveCheckpointFile, saveModelFile, writeFileAtomic, type LoadedData } from '../node.js';
import { lineChartsSvg, type Panel } from '../node/plot.js';
import { checkFits, defaultLayers, loadSources, loadSourcesFor, sourcesOf } from './data.js';
import { epochLine, percent } from './format.js';
import { augmentText, dataOptions, kernelsName, kernelsOf, kernelsOption, layers, networkChoices, nonNegative, positiveInt, positiveNumber, regularizeOptions, runOptions, schedule, seedValue, threadCount, unitInterval, type DataOptions, type NetworkChoices, type TrainingKernels } from './options.js';

export function registerTrain(cli: Command): void {
  const cmd = cli
    .command('train')
    .description('train a network by mini-batch gradient descent and report test accuracy')
    .option('--layers <sizes>', 'layer sizes, comma-separated (default: pixels per image, 30, classes of the data)', layers)
    .option('--classes <n>', 'number of classes (default: 1 + the largest training label)', positiveInt)
    .option('--validation <n>', 'hold out the last n training images as a validation set', positiveInt)
    .option('--patience <n>', 'early stopping: epochs without a better validation accuracy', positiveInt)
    .option('--epochs <n>', 'passes over the training set', positiveInt, 30)
    .option('--batch-size <n>', 'examples per mini-batch', positiveInt, 10)
    .option('--eta <x>', 'learning rate', positiveNumber, DEFAULT_ETA)
    .option('--seed <n>', 'seed of initial weights and shuffling', seedValue, 1);
  networkChoices(cmd)
    .option('--momentum <mu>', 'momentum coefficient', unitInterval, 0.9)
    .option('--weight-decay <lambda>', 'L2 regularisation: cost + lambda / (2 n) sum w^2', nonNegative, 0)
    .addOption(new Option('--schedule <s>', 'learning rate per epoch: constant, step:EVERY:FACTOR or cosine[:MIN]').argParser(schedule).default({ kind: 'constant' }, 'constant'))
    .option('--threads <n>', `training threads (${THREADS_PAY})`, threadCount, 1);
  regularizeOptions(cmd, false)
    .option('--out <file>', 'save the trained model to this file')
    .option('--plot <file.svg>', 'write cost and accuracy per epoch (training, validation, test) as SVG')
    .option('--checkpoint <file>', 'save the model after every epoch (atomically) to resume from')
    .option('--resume <file>', 'continue a run from its checkpoint (same options otherwise)')
    .option('--from <model>', 'train further from a model file or an ONNX model (fine-tuning): its layers, activations, cost, output function, standardisation and parameters');
  runOptions(cmd, 'print one JSON object with the results as the last line of stdout').addOption(kernelsOption(true));
  dataOptions(cmd, true).action(trainCommand);
}

interface TrainCommandOptions extends DataOptions, NetworkChoices {
  layers?: number[];
  classes?: number;
  validation?: number;
  patience?: number;
  epochs: number;
  batchSize: number;
  eta: number;
  seed: number;
  threads: number;
  momentum: number;
  weightDecay: number;
  schedule: Schedule;
  limit?: number;
  out?: string;
  plot?: string;
  checkpoint?: string;
  resume?: string;
  from?: string;
  json?: boolean;
  quiet?: boolean;
  dropout?: number[];
  maxNorm?: number;
  augment?: AugmentOptions;
}

async function trainCommand(o: TrainCommandOptions, cmd: Command): Promise<void> {
  if (o.augment && o.channels === 3) throw new WasmMlpError('--augment distorts grey images; colour images (--channels 3) cannot be augmented');
  const sources = sourcesOf(o, o.seed, o.classes);
  const start = o.from ? await startingModel(o, cmd) : undefined;
  const create = (sizes: number[]) => Network.create({ sizes, seed: o.seed, init: o.init, kernels: kernelsOf<TrainingKernels>(o), threads: o.threads, activation: o.activation, cost: o.cost, output: start?.output });
  let net: Network;
  let data: LoadedData;
  if (start) {
    o.layers = start.sizes;
    net = await create(o.layers);
    net.setParameters(start.parameters);
    data = await loadSourcesFor(sources, start, net);
  } else if (sources.idx) {
    // The network first, so IDX files are read straight into its memory: one copy of the data.
    o.layers ??= await defaultLayers(sources.trainImages!, sources.trainLabels!, o.classes);
    net = await create(o.layers);
    data = await loadSources({ ...sources, into: net });
  } else {
    data = await loadSources(sources);
    o.layers ??= [inputsOf(data.train), 30, data.train.classes];
    net = await create(o.layers);
  }
  const test = data.test;
  let trainSet: TrainingData = o.limit && o.limit < data.train.count ? sliceData(data.train, 0, o.limit) : data.train;
  let validation: TrainingData | undefined;
  if (o.validation) {
    if (o.validation >= trainSet.count) throw new WasmMlpError(`--validation ${o.validation} leaves no training images of the ${trainSet.count}`);
    validation = sliceData(trainSet, trainSet.count - o.validation);
    trainSet = sliceData(trainSet, 0, trainSet.count - o.validation);
  }
  if (o.patience !== undefined && !validation) throw new WasmMlpError('--patience (early stopping) needs --validation N');
  checkFits(o.layers, trainSet, 'training set');
  checkFits(o.layers, test, 'test set');
  const hyperparameters = { eta: o.eta, batchSize: o.batchSize, seed: o.seed };
  const initialEpoch = o.resume ? await resumeFrom(o.resume, net, o.layers, hyperparameters, o.epochs, o.optimizer) : 0;
  const log = (line: string) => {
    if (!o.quiet) process.stderr.write(`${line}\n`);
  };
  const extras = [String(o.activation) !== 'sigmoid' && `${o.activation} hidden layers`, o.cost !== 'quadratic' && `${o.cost} cost`, o.optimizer !== 'sgd' && o.optimizer, o.weightDecay > 0 && `L2 ${o.weightDecay}`, o.schedule.kind !== 'constant' && `${o.schedule.kind} schedule`, o.dropout && `dropout ${o.dropout.join(',')}`, o.maxNorm && `max-norm ${o.maxNorm}`, o.augment && `augment ${augmentText(o.augment)}`].filter(Boolean);
  log(`training [${o.layers.join(', ')}] (${net.parameterCount.toLocaleString('en-US')} parameters) on ${trainSet.count.toLocaleString('en-US')} examples of ${data.source}: ` + `${o.epochs} epochs, batch size ${o.batchSize}, eta ${o.eta}, seed ${o.seed}, ${o.from ? `from ${o.from}` : `${o.init} init`}, ${kernelsName(net)} kernels, ${net.threads} thread${net.threads > 1 ? 's' : ''}${extras.length ? `, ${extras.join(', ')}` : ''}`);
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
    dropout: o.dropout,
    maxNorm: o.maxNorm,
    augment: o.augment,
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
      if (o.checkpoint) await saveCheckpointFile(o.checkpoint, net, { ...hyperparameters, epochs: m.epoch }, data.extras);
    },
  });
  bar?.stop();
  if (o.out) await saveModelFile(o.out, net, { ...hyperparameters, epochs: o.epochs }, data.extras);
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
    init: o.from ? null : o.init,
    activation: o.activation,
    cost: o.cost,
    optimizer: o.optimizer,
    weightDecay: o.weightDecay,
    schedule: o.schedule,
    dropout: o.dropout ?? null,
    maxNorm: o.maxNorm ?? null,
    augment: o.augment ?? null,
    kernels: kernelsName(net),
    threads: net.threads,
    data: data.source,
    classNames: data.extras.classNames ?? null,
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
    from: o.from ?? null,
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


/**
 * The model `train --from` starts from; its layers, activations and cost become the run's (the
 * flags for them may be left out, and if given must agree).
 */
async function startingModel(o: TrainCommandOptions, cmd: Command): Promise<ModelData> {
  const model = await readModelFile(o.from!);
  if (o.layers && o.layers.join() !== model.sizes.join()) throw new WasmMlpError(`${o.from} has layers ${model.sizes}, --layers says ${o.layers}`);
  if (cmd.getOptionValueSource('standardize') === 'cli') throw new WasmMlpError(`--standardize fits a standardisation; --from ${o.from} keeps its own`);
  for (const [flag, key, theirs] of [['--activation', 'activation', model.activations], ['--cost', 'cost', model.cost], ['--init', 'init', undefined]] as const) {
    if (cmd.getOptionValueSource(key) !== 'cli') continue;
    if (theirs === undefined) throw new WasmMlpError(`--init draws initial parameters; --from ${o.from} starts from its own`);
    const ours = [o[key]].flat();
    const same = [theirs].flat().every((a, i) => a === ours[Math.min(i, ours.length - 1)]);
    if (!same) throw new WasmMlpError(`${o.from} has ${key} ${theirs}, ${flag} says ${o[key]}`);
  }
  o.activation = model.activations;
  o.cost = model.cost;
  return model;
}

/** Loads a checkpoint into `net` after checking it belongs to this run; returns its completed epochs. */
async function resumeFrom(file: string, net: Network, sizes: number[], hp: { eta: number; batchSize: number; seed: number }, epochs: number, optimizer: Optimizer): Promise<number> {
  const { model, state } = await readCheckpointFile(file);
  if ((state?.kind ?? 'sgd') !== optimizer) throw new WasmMlpError(`${file}: checkpoint was trained with optimizer ${state?.kind ?? 'sgd'}, this run has ${optimizer}; resume with the same options`);
  if (model.sizes.join() !== sizes.join()) throw new WasmMlpError(`${file}: checkpoint has layers ${model.sizes}, this run --layers ${sizes}`);
  if (`${model.activations} ${model.cost}` !== `${net.activations} ${net.cost}`) throw new WasmMlpError(`${file}: checkpoint has activations ${model.activations} and cost ${model.cost}, this run ${net.activations} and ${net.cost}; resume with the same options`);
  for (const [key, value] of Object.entries(hp)) {
    const saved = model.hyperparameters[key as keyof typeof hp];
    if (saved !== value) throw new WasmMlpError(`${file}: checkpoint was trained with ${key} ${saved}, this run has ${value}; resume with the same options`);
  }
  const done = model.hyperparameters.epochs;
  if (done >= epochs) throw new WasmMlpError(`${file}: checkpoint already has ${done} epochs, --epochs is ${epochs}: nothing to resume`);
  net.setParameters(model.parameters);
  if (state) await net.setOptimizerState(state);
  return done;
}

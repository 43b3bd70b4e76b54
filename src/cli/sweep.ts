// `wasm-mlp sweep`: trains every combination of layers, etas and batch sizes with several seeds,
// ranks the configurations and writes CSV, JSON and an SVG of the curves. Not for: training logic.
import { appendFile } from 'node:fs/promises';
import { InvalidArgumentError as UsageError, type Command } from 'commander';
import { DEFAULT_ETA, Network, sliceData, train, WasmMlpError, type AugmentOptions, type EpochMetrics } from '../index.js';
import { readBytes, writeFileAtomic } from '../node.js';
import { lineChartsSvg } from '../node/plot.js';
import { checkFits, loadSources, sourcesOf } from './data.js';
import { formatTable, percent } from './format.js';
import { augmentText, dataOptions, kernelsOf, kernelsOption, layers, networkChoices, positiveInt, positiveNumber, regularizeOptions, runOptions, type DataOptions, type NetworkChoices, type TrainingKernels } from './options.js';

const collect = <T>(parse: (v: string) => T) => (value: string, previous: T[]) => [...previous, parse(value)];

export function registerSweep(cli: Command): void {
  const cmd = cli
    .command('sweep')
    .description('train every combination of the given layers, etas, batch sizes, dropout, max-norm and augmentation (and seeds); print a ranked table')
    .option('--layers <sizes>', 'layer sizes (repeat for several)', collect(layers), [] as number[][])
    .option('--eta <x>', 'learning rate (repeat for several)', collect(positiveNumber), [] as number[])
    .option('--batch-size <n>', 'mini-batch size (repeat for several)', collect(positiveInt), [] as number[])
    .option('--seeds <n>', 'train each combination with seeds 1..n', positiveInt, 1)
    .option('--epochs <n>', 'passes over the training set', positiveInt, 30);
  networkChoices(cmd);
  regularizeOptions(cmd, true)
    .option('--csv <file>', 'write one row per run as CSV')
    .option('--json-file <file>', 'write the ranking and every run, with its per-epoch history, as JSON')
    .option('--plot <file.svg>', 'write test accuracy per epoch of every configuration as SVG')
    .option('--shard <I/N>', 'run only shard I of N of the runs (I, I + N, ...): one machine\'s part of a sweep', shardSpec)
    .option('--runs-out <file.jsonl>', 'append every finished run to this file as a JSON line (for --merge)')
    .option('--merge <files...>', 'train nothing: rank the runs in these --runs-out files (the shards of one sweep) and write the reports');
  runOptions(cmd, 'print one JSON object (ranking and runs) as the last line of stdout').addOption(kernelsOption(true));
  dataOptions(cmd, true).action(sweepCommand);
}

interface SweepOptions extends DataOptions, NetworkChoices {
  layers: number[][];
  dropout: number[][];
  maxNorm: number[];
  augment: (AugmentOptions | null)[];
  eta: number[];
  batchSize: number[];
  seeds: number;
  epochs: number;
  limit?: number;
  csv?: string;
  jsonFile?: string;
  plot?: string;
  json?: boolean;
  quiet?: boolean;
  shard?: { index: number; count: number };
  runsOut?: string;
  merge?: string[];
}

/** One configuration of the grid: a value of every axis. */
interface SweepConfig {
  label: string;
  sizes: number[];
  eta: number;
  batchSize: number;
  dropout: number[] | null;
  maxNorm: number | null;
  augment: AugmentOptions | null;
}

/** Every combination of the axes' values, in a fixed order (layers, eta, batch size, dropout, max-norm, augment). */
function grid(o: SweepOptions): SweepConfig[] {
  const axis = <T>(values: T[], fallback: T) => (values.length ? values : [fallback]);
  const configs: SweepConfig[] = [];
  for (const sizes of axis(o.layers, [784, 30, 10]))
    for (const eta of axis(o.eta, DEFAULT_ETA))
      for (const batchSize of axis(o.batchSize, 10))
        for (const dropout of axis<number[] | null>(o.dropout, null))
          for (const maxNorm of axis<number | null>(o.maxNorm, null))
            for (const augment of axis<AugmentOptions | null>(o.augment, null)) {
              const label = [
                `[${sizes.join(',')}] eta ${eta} batch ${batchSize}`,
                o.dropout.length ? `dropout ${dropout?.join(',') ?? 'none'}` : '',
                o.maxNorm.length ? `max-norm ${maxNorm ?? 'none'}` : '',
                o.augment.length ? `augment ${augmentText(augment)}` : '',
              ].filter(Boolean).join(' ');
              configs.push({ label, sizes, eta, batchSize, dropout, maxNorm, augment });
            }
  return configs;
}

/** One finished run of a sweep: its configuration (and its place in the grid), seed and results; a line of --runs-out. */
interface SweepRun {
  index: number;
  config: string;
  layers: number[];
  eta: number;
  batchSize: number;
  dropout: number[] | null;
  maxNorm: number | null;
  augment: string;
  seed: number;
  testAccuracy: number;
  bestTestAccuracy: number;
  trainSeconds: number;
  history: EpochMetrics[];
}

/** "I/N": shard I (0-based) of N. */
export function shardSpec(value: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(count >= 1 && index >= 0 && index < count)) throw new UsageError(`expected a shard I/N with 0 <= I < N, like 0/4, got "${value}"`);
  return { index, count };
}

/**
 * Trains the sweep's runs (every configuration of the grid with seeds 1..N; with --shard I/N only
 * runs I, I + N, I + 2N, ... of that list), or with --merge reads runs written by --runs-out; then
 * ranks configurations by mean final test accuracy and writes the reports.
 */
async function sweepCommand(o: SweepOptions): Promise<void> {
  const runs = o.merge ? await readRuns(o.merge) : await trainRuns(o);
  runs.sort((a, b) => a.index - b.index || a.seed - b.seed);
  await report(runs, o);
}

async function trainRuns(o: SweepOptions): Promise<SweepRun[]> {
  const { train: full, test } = await loadSources(sourcesOf(o, 1));
  const trainSet = o.limit && o.limit < full.count ? sliceData(full, 0, o.limit) : full;
  const points = grid(o);
  for (const c of points) checkFits(c.sizes, trainSet, 'training set');
  const plan = points.flatMap((c, index) => Array.from({ length: o.seeds }, (_, s) => ({ c, index, seed: s + 1 })));
  const mine = o.shard ? plan.filter((_, r) => r % o.shard!.count === o.shard!.index) : plan;
  const runs: SweepRun[] = [];
  for (const { c, index, seed } of mine) {
    const net = await Network.create({ sizes: c.sizes, seed, init: o.init, activation: o.activation, cost: o.cost, kernels: kernelsOf<TrainingKernels>(o) });
    const { history } = await train(net, trainSet, { epochs: o.epochs, batchSize: c.batchSize, eta: c.eta, seed, test, optimizer: o.optimizer, dropout: c.dropout ?? undefined, maxNorm: c.maxNorm ?? undefined, augment: c.augment ?? undefined });
    net.dispose();
    const last = history[history.length - 1];
    const run = { index, config: c.label, layers: c.sizes, eta: c.eta, batchSize: c.batchSize, dropout: c.dropout, maxNorm: c.maxNorm, augment: augmentText(c.augment), seed, testAccuracy: last.testAccuracy, bestTestAccuracy: Math.max(...history.map((h) => h.testAccuracy)), trainSeconds: history.reduce((t, h) => t + h.trainSeconds, 0), history };
    runs.push(run);
    if (o.runsOut) await appendFile(o.runsOut, `${JSON.stringify(run)}\n`);
    if (!o.quiet) process.stderr.write(`run ${runs.length}/${mine.length}${o.shard ? ` (shard ${o.shard.index}/${o.shard.count} of ${plan.length})` : ''}: ${c.label} seed ${seed}: test ${percent(run.testAccuracy)} (best ${percent(run.bestTestAccuracy)}), ${run.trainSeconds.toFixed(1)} s\n`);
  }
  return runs;
}

/** The runs in JSON-lines files written by --runs-out; a run in two files is an error. */
async function readRuns(files: string[]): Promise<SweepRun[]> {
  const runs: SweepRun[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const text = new TextDecoder().decode(await readBytes(file, 'runs file'));
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      let run: SweepRun;
      try {
        run = JSON.parse(line);
      } catch {
        throw new WasmMlpError(`${file}:${i + 1}: not a JSON line`);
      }
      if (typeof run?.config !== 'string' || !Number.isInteger(run.index) || !Number.isInteger(run.seed) || typeof run.testAccuracy !== 'number' || !Array.isArray(run.history)) {
        throw new WasmMlpError(`${file}:${i + 1}: not a sweep run (written by sweep --runs-out)`);
      }
      const key = `${run.index}/${run.seed}`;
      if (seen.has(key)) throw new WasmMlpError(`${file}:${i + 1}: run ${run.config} seed ${run.seed} appears twice`);
      seen.add(key);
      runs.push(run);
    });
  }
  if (!runs.length) throw new WasmMlpError(`no runs in ${files.join(', ')}`);
  return runs;
}

async function report(runs: SweepRun[], o: SweepOptions): Promise<void> {
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const configs = [...new Set(runs.map((r) => r.config))].map((config) => {
    const rs = runs.filter((r) => r.config === config);
    return { config, runs: rs.length, testAccuracy: mean(rs.map((r) => r.testAccuracy)), bestTestAccuracy: mean(rs.map((r) => r.bestTestAccuracy)), worstTestAccuracy: Math.min(...rs.map((r) => r.testAccuracy)), trainSeconds: mean(rs.map((r) => r.trainSeconds)), rs };
  });
  configs.sort((a, b) => b.testAccuracy - a.testAccuracy);
  const rows = [['rank', 'configuration', 'seeds', 'final test', 'worst seed', 'best epoch test', 'seconds'], ...configs.map((c, i) => [i + 1, c.config, c.runs, percent(c.testAccuracy), percent(c.worstTestAccuracy), percent(c.bestTestAccuracy), c.trainSeconds.toFixed(1)])];
  const table = formatTable(rows, [1]);
  if (o.csv) {
    const csv = ['layers,eta,batch_size,dropout,max_norm,augment,seed,final_test_accuracy,best_test_accuracy,train_seconds', ...runs.map((r) => `"${r.layers.join(',')}",${r.eta},${r.batchSize},"${r.dropout?.join(',') ?? ''}",${r.maxNorm ?? ''},"${r.augment}",${r.seed},${r.testAccuracy},${r.bestTestAccuracy},${r.trainSeconds.toFixed(3)}`)].join('\n');
    await writeFileAtomic(o.csv, new TextEncoder().encode(`${csv}\n`));
  }
  if (o.plot) {
    const series = configs.map((c) => ({ label: c.config, points: c.rs[0].history.map((h, e) => [h.epoch, 100 * mean(c.rs.map((r) => r.history[e].testAccuracy))] as [number, number]) }));
    await writeFileAtomic(o.plot, new TextEncoder().encode(lineChartsSvg([{ title: `Test accuracy per epoch (mean of ${seeds} seed${seeds > 1 ? 's' : ''})`, xLabel: 'epoch', yLabel: 'accuracy (%)', series }], 'wasm-mlp sweep')));
  }
  const results = { ranking: configs.map(({ rs, ...c }) => c), runs: runs.map(({ history, index, ...r }) => r) };
  if (o.jsonFile) await writeFileAtomic(o.jsonFile, new TextEncoder().encode(`${JSON.stringify({ ...results, runs })}\n`));
  if (o.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else process.stdout.write(`${table}\n`);
}

// `wasm-mlp test`: a saved model on a test set: accuracy, cost, per-class accuracy, the confusion
// matrix and, on request, a PNG of the mistakes. Not for: training.
import type { Command } from 'commander';
import { classReport, isFeatures, WasmMlpError } from '../index.js';
import { loadModelFile, readModelFile, writeFileAtomic } from '../node.js';
import { errorGridPng } from '../node/plot.js';
import { checkFits, loadTestData } from './data.js';
import { formatTable, percent } from './format.js';
import { dataOptions, kernelsOf, kernelsOption, type DataOptions } from './options.js';

export function registerTest(cli: Command): void {
  const cmd = cli
    .command('test')
    .description('evaluate a saved model on a test set')
    .requiredOption('--model <file>', 'a model file (written by train --out or import), or an ONNX model')
    .option('--json', 'print one JSON object')
    .option('--errors <file.png>', 'write the first 100 misclassified test images, labelled true > predicted, as a PNG grid')
    .addOption(kernelsOption());
  dataOptions(cmd, false).action(testCommand);
}

async function testCommand(o: DataOptions & { model: string; json?: boolean; errors?: string; kernels: string }): Promise<void> {
  const model = await readModelFile(o.model);
  const net = await loadModelFile(o.model, { kernels: kernelsOf(o) });
  const test = await loadTestData(o, model, net);
  checkFits(model.sizes, test, 'test set');
  const className = (k: number) => model.classNames?.[k] ?? String(k);
  const r = classReport(net, test);
  if (o.errors) {
    const cells = [];
    if (isFeatures(test) || test.rows !== 28 || test.cols !== 28) throw new WasmMlpError(`--errors draws 28 x 28 images; the test set has ${isFeatures(test) ? `${test.width} features` : `${test.rows} x ${test.cols} images`}`);
    for (let i = 0; i < test.count && cells.length < 100; i++) {
      if (r.predicted[i] !== test.labels[i]) cells.push({ image: test.images.slice(i * test.pixels, (i + 1) * test.pixels), label: test.labels[i], predicted: r.predicted[i] });
    }
    await writeFileAtomic(o.errors, errorGridPng(cells));
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ model: o.model, sizes: model.sizes, parameters: net.parameterCount, classNames: model.classNames ?? null, testAccuracy: r.accuracy, testCost: r.cost, correct: r.correct, count: r.count, perClass: r.perClass.map((c) => ({ ...c, name: className(c.label) })), confusion: r.confusion })}\n`);
  } else {
    process.stdout.write(
      `${o.model} [${model.sizes.join(', ')}]: test accuracy ${percent(r.accuracy)} (${r.correct} of ${r.count}), cost ${r.cost.toFixed(4)}\n\n` +
        `${formatTable([['class', 'count', 'correct', 'accuracy'], ...r.perClass.map((c) => [className(c.label), c.count, c.correct, percent(c.accuracy)])])}\n\n` +
        `confusion matrix (rows: true class, columns: predicted)\n` +
        `${formatTable([['', ...r.confusion.map((_, p) => p)], ...r.confusion.map((row, t) => [t, ...row])])}\n`,
    );
  }
  net.dispose();
}

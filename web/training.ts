// The training panel's run: trains a network with the form's settings in a RemoteNetwork worker,
// with progress, charts and the reader refreshed at each epoch; stop and resume. Not for: the form.
import { RemoteNetwork, sliceDataset } from 'wasm-mlp';
import { updateCharts } from './charts.js';
import { loadData } from './data.js';
import { $ } from './dom.js';
import { readForm } from './form.js';
import { useModelBytes } from './model.js';
import { page } from './state.js';
import { fail, progress, setRunning, status } from './status.js';

async function startTraining(resume: boolean): Promise<void> {
  const form = readForm();
  const { train, test } = await loadData();
  if (!resume || !page.trainer) {
    page.trainer?.terminate();
    page.trainer = await RemoteNetwork.create({ sizes: form.sizes, seed: form.seed, init: form.init, threads: form.threads, kernels: form.kernels, activation: form.activation, cost: form.cost });
    await page.trainer.setData(sliceDataset(train, 0, Math.min(form.subset, train.count)), test);
    page.history = [];
    page.plannedEpochs = form.epochs;
  }
  const epochs = resume ? Math.max(1, page.plannedEpochs - page.history.length) : form.epochs;
  const abort = (page.abort = new AbortController());
  setRunning(true);
  const firstEpoch = page.history.length;
  const result = await page.trainer.train({
    epochs,
    batchSize: form.batchSize,
    eta: form.eta,
    optimizer: form.optimizer,
    dropout: form.dropout.some((p) => p > 0) ? form.dropout : undefined,
    augment: form.augment,
    seed: form.seed + firstEpoch, // a resumed run continues with fresh shuffles
    signal: abort.signal,
    onBatchEnd: (b) => {
      progress((page.history.length - firstEpoch + (b.batch + 1) / b.batches) / epochs);
      status(`Epoch ${firstEpoch + b.epoch}: batch ${b.batch + 1} of ${b.batches}, cost ${b.cost.toFixed(4)}`);
    },
    onEpochEnd: async (m) => {
      page.history.push({ ...m, epoch: page.history.length + 1 });
      updateCharts(page.history);
      status(`Epoch ${page.history.length}: test accuracy ${(100 * m.testAccuracy).toFixed(2)}%, ${Math.round(m.examplesPerSecond).toLocaleString('en-US')} examples/s`);
      await refreshReader();
    },
  });
  setRunning(false, result.aborted);
  await refreshReader();
  const last = page.history[page.history.length - 1];
  if (last) status(`${result.aborted ? 'Stopped' : 'Done'} after ${page.history.length} epochs: test accuracy ${(100 * last.testAccuracy).toFixed(2)}%.`);
}

/** Copies the worker's parameters into the drawing reader. */
async function refreshReader(): Promise<void> {
  if (!page.trainer) return;
  const bytes = await page.trainer.encodeModel();
  await useModelBytes(bytes, `Using the network you trained (${page.history.length} epochs).`);
}

/** The form's Train button, and Stop and Resume. */
export function setupTraining(): void {
  $('train-form').addEventListener('submit', (e) => {
    e.preventDefault();
    startTraining(false).catch(fail);
  });
  $('stop').addEventListener('click', () => page.abort?.abort());
  $('resume').addEventListener('click', () => startTraining(true).catch(fail));
}

// The demo page: trains on MNIST in a worker with live charts, shows what the first hidden layer
// learns, and reads digits drawn with mouse or touch. Not for: library code (it only uses the
// public API of 'wasm-mlp').
import './locale.js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import {
  decodeModel,
  fetchDataset,
  greyFromRgba,
  mnistify,
  augmentImages,
  Network,
  RemoteNetwork,
  sliceDataset,
  THREADS_PAY,
  type Activation,
  type AugmentOptions,
  type Cost,
  type Dataset,
  type EpochMetrics,
  type KernelVariant,
  type Optimizer,
} from 'wasm-mlp';
import { imagesInfo, setupImagesPanel } from './images.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const asset = (name: string) => new URL(`./generated/${name}`, document.baseURI).href;

// ---- state

/** The network that reads drawings, on the main thread (predicting one image takes microseconds). */
let reader: Network | null = null;
let trainer: RemoteNetwork | null = null;
let data: { train: Dataset; test: Dataset } | null = null;
let abort: AbortController | null = null;
let history: EpochMetrics[] = [];
let plannedEpochs = 0;

// ---- data and models

async function loadData(): Promise<{ train: Dataset; test: Dataset }> {
  if (data) return data;
  const loaded = new Map<string, number>();
  const onProgress = (p: { url: string; loaded: number }) => {
    loaded.set(p.url, p.loaded);
    const mb = [...loaded.values()].reduce((a, b) => a + b, 0) / 1e6;
    status(`Downloading MNIST (gzip): ${mb.toFixed(1)} of 11.5 MB`);
    $<HTMLProgressElement>('progress').value = Math.min(1, mb / 11.46);
  };
  const [train, test] = await Promise.all([
    fetchDataset(asset('train-images-idx3-ubyte.gz'), asset('train-labels-idx1-ubyte.gz'), { classes: 10, onProgress }),
    fetchDataset(asset('t10k-images-idx3-ubyte.gz'), asset('t10k-labels-idx1-ubyte.gz'), { classes: 10, onProgress }),
  ]);
  data = { train, test };
  status(`MNIST loaded: ${train.count.toLocaleString('en-US')} training and ${test.count.toLocaleString('en-US')} test images.`);
  return data;
}

async function useModelBytes(bytes: Uint8Array, note: string): Promise<void> {
  const model = decodeModel(bytes);
  if (model.sizes[0] !== 784 || model.sizes[model.sizes.length - 1] !== 10) {
    throw new Error(`this page reads 28 x 28 digits: the model's sizes are [${model.sizes}]`);
  }
  if (!reader || reader.sizes.join() !== model.sizes.join()) {
    reader?.dispose();
    reader = await Network.create({ sizes: model.sizes });
  }
  reader.setParameters(model.parameters);
  $('model-note').textContent = note;
  drawNeurons(reader);
  predictDrawing();
}

// ---- training

function readForm() {
  const hidden = $<HTMLInputElement>('hidden').value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (hidden.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('hidden layers: comma-separated positive integers, like 100,30');
  return {
    sizes: [784, ...hidden, 10],
    eta: Number($<HTMLInputElement>('eta').value),
    batchSize: Number($<HTMLInputElement>('batch').value),
    epochs: Number($<HTMLInputElement>('epochs').value),
    subset: Number($<HTMLInputElement>('subset').value),
    init: $<HTMLSelectElement>('init').value as 'normal' | 'scaled' | 'he',
    seed: Number($<HTMLInputElement>('seed').value),
    threads: Number($<HTMLSelectElement>('threads').value),
    activation: $<HTMLSelectElement>('activation').value as Activation,
    cost: $<HTMLSelectElement>('cost').value as Cost,
    optimizer: $<HTMLSelectElement>('optimizer').value as Optimizer,
    dropout: [Number($<HTMLInputElement>('dropout-in').value), Number($<HTMLInputElement>('dropout-hidden').value)],
    augment: AUGMENTS[$<HTMLSelectElement>('augment').value],
  };
}

/** The form's augmentation choices: moderate settings that help MNIST (README: the 99% recipe). */
const AFFINE = { rotation: 10, scale: 0.1, shear: 0.15, shift: 2 };
const ELASTIC = { alpha: 34, sigma: 4 };
const AUGMENTS: Record<string, AugmentOptions | undefined> = { none: undefined, affine: { affine: AFFINE }, elastic: { elastic: ELASTIC }, both: { affine: AFFINE, elastic: ELASTIC } };

async function startTraining(resume: boolean): Promise<void> {
  const form = readForm();
  const { train, test } = await loadData();
  if (!resume || !trainer) {
    trainer?.terminate();
    trainer = await RemoteNetwork.create({ sizes: form.sizes, seed: form.seed, init: form.init, threads: form.threads, activation: form.activation, cost: form.cost });
    await trainer.setData(sliceDataset(train, 0, Math.min(form.subset, train.count)), test);
    history = [];
    plannedEpochs = form.epochs;
  }
  const epochs = resume ? Math.max(1, plannedEpochs - history.length) : form.epochs;
  abort = new AbortController();
  setRunning(true);
  const firstEpoch = history.length;
  const result = await trainer.train({
    epochs,
    batchSize: form.batchSize,
    eta: form.eta,
    optimizer: form.optimizer,
    dropout: form.dropout.some((p) => p > 0) ? form.dropout : undefined,
    augment: form.augment,
    seed: form.seed + firstEpoch, // a resumed run continues with fresh shuffles
    signal: abort.signal,
    onBatchEnd: (b) => {
      $<HTMLProgressElement>('progress').value = (history.length - firstEpoch + (b.batch + 1) / b.batches) / epochs;
      status(`Epoch ${firstEpoch + b.epoch}: batch ${b.batch + 1} of ${b.batches}, cost ${b.cost.toFixed(4)}`);
    },
    onEpochEnd: async (m) => {
      history.push({ ...m, epoch: history.length + 1 });
      updateCharts();
      status(`Epoch ${history.length}: test accuracy ${(100 * m.testAccuracy).toFixed(2)}%, ${Math.round(m.examplesPerSecond).toLocaleString('en-US')} examples/s`);
      await refreshReader();
    },
  });
  setRunning(false, result.aborted);
  await refreshReader();
  const last = history[history.length - 1];
  if (last) status(`${result.aborted ? 'Stopped' : 'Done'} after ${history.length} epochs: test accuracy ${(100 * last.testAccuracy).toFixed(2)}%.`);
}

/** Copies the worker's parameters into the drawing reader. */
async function refreshReader(): Promise<void> {
  if (!trainer) return;
  const bytes = await trainer.encodeModel();
  await useModelBytes(bytes, `Using the network you trained (${history.length} epochs).`);
}

function setRunning(running: boolean, stopped = false): void {
  $<HTMLButtonElement>('train').disabled = running;
  $<HTMLButtonElement>('stop').disabled = !running;
  $<HTMLButtonElement>('resume').disabled = running || !stopped;
}

function status(text: string): void {
  $('status').textContent = text;
}

// ---- charts

let costChart: uPlot | null = null;
let accuracyChart: uPlot | null = null;

function chartWidth(): number {
  return Math.min(440, $('train-panel').clientWidth - 24);
}

function updateCharts(): void {
  const epochs = history.map((h) => h.epoch);
  const cost: uPlot.AlignedData = [epochs, history.map((h) => h.trainCost), history.map((h) => h.testCost)];
  const accuracy: uPlot.AlignedData = [epochs, history.map((h) => 100 * h.testAccuracy)];
  if (!costChart || !accuracyChart) {
    const axes = (label: string): uPlot.Axis[] => [{ label: 'epoch' }, { label }];
    costChart = new uPlot(
      { title: 'Cost per epoch', width: chartWidth(), height: 180, scales: { x: { time: false } }, axes: axes('mean cost'), series: [{}, { label: 'train', stroke: '#c0392b' }, { label: 'test', stroke: '#2c3e50' }] },
      cost,
      $('cost-chart'),
    );
    accuracyChart = new uPlot(
      { title: 'Test accuracy per epoch', width: chartWidth(), height: 180, scales: { x: { time: false } }, axes: axes('%'), series: [{}, { label: 'test accuracy %', stroke: '#27ae60' }] },
      accuracy,
      $('accuracy-chart'),
    );
  } else {
    costChart.setData(cost);
    accuracyChart.setData(accuracy);
  }
}

// ---- what the hidden layer sees

function drawNeurons(net: Network): void {
  const box = $('neurons');
  const W = net.weights(1);
  const rows = net.sizes[1];
  const shown = Math.min(rows, 100);
  while (box.children.length > shown) box.lastChild!.remove();
  while (box.children.length < shown) {
    const c = document.createElement('canvas');
    c.width = c.height = 28;
    box.appendChild(c);
  }
  for (let j = 0; j < shown; j++) {
    const row = W.subarray(j * 784, (j + 1) * 784);
    let max = 1e-9;
    for (const v of row) max = Math.max(max, Math.abs(v));
    const canvas = box.children[j] as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = row[i] / max;
      img.data[4 * i] = v > 0 ? 255 : Math.round(255 * (1 + v));
      img.data[4 * i + 1] = Math.round(255 * (1 - Math.abs(v)));
      img.data[4 * i + 2] = v < 0 ? 255 : Math.round(255 * (1 - v));
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    canvas.title = `hidden neuron ${j + 1}`;
  }
}

// ---- drawing

const pad = $<HTMLCanvasElement>('pad');
const padCtx = pad.getContext('2d', { willReadFrequently: true })!;
let drawing = false;
let last: { x: number; y: number } | null = null;
let pendingFrame = 0;

function clearPad(): void {
  padCtx.fillStyle = '#fff';
  padCtx.fillRect(0, 0, pad.width, pad.height);
  predictDrawing();
}

function point(e: PointerEvent): { x: number; y: number } {
  const r = pad.getBoundingClientRect();
  return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
}

function stroke(to: { x: number; y: number }): void {
  padCtx.strokeStyle = '#000';
  padCtx.lineWidth = 18;
  padCtx.lineCap = 'round';
  padCtx.lineJoin = 'round';
  padCtx.beginPath();
  const from = last ?? to;
  padCtx.moveTo(from.x, from.y);
  padCtx.lineTo(to.x + 0.01, to.y);
  padCtx.stroke();
  last = to;
  if (!pendingFrame) pendingFrame = requestAnimationFrame(() => ((pendingFrame = 0), predictDrawing()));
}

pad.addEventListener('pointerdown', (e) => {
  drawing = true;
  last = null;
  pad.setPointerCapture(e.pointerId);
  stroke(point(e));
});
pad.addEventListener('pointermove', (e) => drawing && stroke(point(e)));
for (const type of ['pointerup', 'pointercancel'] as const) {
  pad.addEventListener(type, () => {
    drawing = false;
    last = null;
    predictDrawing();
  });
}

/** Preprocesses the pad like MNIST, shows the 28x28 input, the 10 outputs and the prediction. */
function predictDrawing(): void {
  const { data: rgba } = padCtx.getImageData(0, 0, pad.width, pad.height);
  const x = mnistify(greyFromRgba(rgba, pad.width, pad.height));
  showInput(x);
  const empty = x.every((v) => v === 0);
  const outputs = reader && !empty ? reader.forward(x) : new Float32Array(10);
  showBars(outputs, empty);
  let best = 0;
  for (let j = 1; j < 10; j++) if (outputs[j] > outputs[best]) best = j;
  $('prediction').textContent = empty || !reader ? '?' : String(best);
  document.body.dataset.prediction = empty || !reader ? '' : String(best);
}

function showInput(x: Float32Array): void {
  const c = $<HTMLCanvasElement>('input28');
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(255 * (1 - x[i]));
    img.data.set([v, v, v, 255], 4 * i);
  }
  const tmp = document.createElement('canvas');
  tmp.width = tmp.height = 28;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, c.width, c.height);
}

function showBars(outputs: Float32Array, empty: boolean): void {
  const box = $('bars');
  if (box.children.length !== 10) {
    box.innerHTML = '';
    for (let j = 0; j < 10; j++) {
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.innerHTML = `<div class="fill"></div><span>${j}</span>`;
      box.appendChild(bar);
    }
  }
  let best = 0;
  for (let j = 1; j < 10; j++) if (outputs[j] > outputs[best]) best = j;
  for (let j = 0; j < 10; j++) {
    const bar = box.children[j] as HTMLElement;
    (bar.firstChild as HTMLElement).style.height = `${Math.round(100 * outputs[j])}%`;
    bar.classList.toggle('best', !empty && j === best);
    bar.title = `output ${j}: ${outputs[j].toFixed(3)}`;
  }
}

// ---- wiring

$('clear').addEventListener('click', clearPad);
$('reaugment').addEventListener('click', () => {
  if (augmentDraw > 0) augmentDigit = (augmentDigit + 97) % 10000;
  $('reaugment').textContent = 'Another digit';
  showAugmented().catch(fail);
});
$('augment').addEventListener('change', () => augmentDraw > 0 && showAugmented().catch(fail));
$('train-form').addEventListener('submit', (e) => {
  e.preventDefault();
  startTraining(false).catch(fail);
});
$('stop').addEventListener('click', () => abort?.abort());
$('resume').addEventListener('click', () => startTraining(true).catch(fail));
$('download').addEventListener('click', async () => {
  const bytes = trainer ? await trainer.encodeModel() : await (await fetch(asset('pretrained.wmlp'))).arrayBuffer();
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: 'wasm-mlp-model.wmlp' });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});
$<HTMLInputElement>('upload').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) await useModelBytes(new Uint8Array(await file.arrayBuffer()), `Using the uploaded model ${file.name}.`).catch(fail);
});

setupImagesPanel(readForm, (e) => console.warn(e));

function fail(e: unknown): void {
  setRunning(false);
  status(`Error: ${(e as Error)?.message ?? e}`);
}

// ---- augmented examples

let augmentDigit = 0;
let augmentDraw = 0;

/** Eight distortions of one test digit, as training draws them with the form's augmentation. */
async function showAugmented(): Promise<void> {
  const { test } = await loadData();
  const augment = AUGMENTS[$<HTMLSelectElement>('augment').value] ?? { affine: AFFINE, elastic: ELASTIC };
  const images = await augmentImages(test, new Array(8).fill(augmentDigit), augment, { seed: Number($<HTMLInputElement>('seed').value) || 1, row0: 8 * augmentDraw++ });
  const box = $('augmented');
  box.replaceChildren();
  for (let n = 0; n < 8; n++) {
    const c = document.createElement('canvas');
    c.width = c.height = 28;
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = 255 - Math.round(255 * images[n * 784 + i]);
      img.data.set([v, v, v, 255], 4 * i);
    }
    ctx.putImageData(img, 0, 0);
    c.title = `test digit ${augmentDigit} (a ${test.labels[augmentDigit]}), distortion ${n + 1}`;
    box.appendChild(c);
  }
  document.body.dataset.augmented = String(augmentDraw);
}

/** Hooks for the browser tests: the same API the page uses, reachable from Playwright. */
const testHooks = {
  loadData,
  ready: false,
  /** SHA-256 (hex) of the parameters after training `examples` images with the given options, in a worker. */
  async trainHash(options: { sizes: number[]; seed: number; examples: number; epochs: number; batchSize: number; eta: number; threads?: number; kernels?: KernelVariant; dropout?: number[]; maxNorm?: number; augment?: AugmentOptions }): Promise<string> {
    const { train } = await loadData();
    const remote = await RemoteNetwork.create({ sizes: options.sizes, seed: options.seed, threads: options.threads, kernels: options.kernels });
    if (remote.threads !== (options.threads ?? 1)) throw new Error(`asked for ${options.threads} threads, got ${remote.threads}`);
    await remote.setData(sliceDataset(train, 0, options.examples));
    await remote.train({ epochs: options.epochs, batchSize: options.batchSize, eta: options.eta, seed: options.seed, dropout: options.dropout, maxNorm: options.maxNorm, augment: options.augment });
    const p = await remote.getParameters();
    remote.terminate();
    return hex(await crypto.subtle.digest('SHA-256', p as Float32Array<ArrayBuffer>));
  },
  /** Outputs of the reader (the loaded model) for the first n test images, as a SHA-256 and the classes. */
  async predictTest(n: number): Promise<{ hash: string; classes: number[] }> {
    const { test } = await loadData();
    const x = Float32Array.from(test.images.subarray(0, n * 784), (v) => v / 255);
    const out = reader!.forward(x);
    const classes = Array.from(reader!.predict(x));
    return { hash: hex(await crypto.subtle.digest('SHA-256', out as Float32Array<ArrayBuffer>)), classes };
  },
  async useModelUrl(url: string): Promise<void> {
    await useModelBytes(new Uint8Array(await (await fetch(url)).arrayBuffer()), `Using ${url}.`);
  },
  history: () => history,
  showAugmented,
  imagesInfo,
};
(window as unknown as { wasmMlp: typeof testHooks }).wasmMlp = testHooks;

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

{
  // threads need cross-origin isolation (SharedArrayBuffer)
  const select = $<HTMLSelectElement>('threads');
  const cores = Math.min(8, navigator.hardwareConcurrency || 1);
  if (crossOriginIsolated && cores > 1) {
    select.add(new Option(`${cores} (data-parallel)`, String(cores)));
    select.title = THREADS_PAY[0].toUpperCase() + THREADS_PAY.slice(1) + '.';
  } else select.title = 'one thread: this page is not cross-origin isolated or has one core';
}
clearPad();
const pretrained = new Uint8Array(await (await fetch(asset('pretrained.wmlp'))).arrayBuffer());
await useModelBytes(pretrained, 'Using the pre-trained model (784-100-10, 10 epochs, about 97.5% on the test set).');
testHooks.ready = true;
document.body.dataset.ready = 'true';

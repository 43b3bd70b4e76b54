// The "Your own images" panel: a folder the user picks (one subfolder per class) becomes a dataset
// by the CLI's rule, a seeded part is held out, and a network trains on it in a worker with the
// form's settings; then it classifies an image and downloads as a model file that the CLI reads.
import {
  datasetFromImageFiles,
  decodeImageFile,
  imageToPixels,
  RemoteNetwork,
  splitData,
  type Activation,
  type Cost,
  type Dataset,
  type EpochMetrics,
  type ImageShape,
  type Optimizer,
  type WeightInit,
} from 'wasm-mlp';
import { $ } from './dom.js';

/** What the panel takes from the training form. */
export interface FormSettings {
  sizes: number[];
  eta: number;
  batchSize: number;
  epochs: number;
  init: WeightInit;
  seed: number;
  threads: number;
  /** 'webgpu' to train on the GPU. */
  kernels?: 'webgpu';
  activation: Activation;
  cost: Cost;
  optimizer: Optimizer;
  dropout: number[];
}

let picked: { data: Dataset; shape: ImageShape; invert: boolean; train: Dataset; test: Dataset } | null = null;
let remote: RemoteNetwork | null = null;
let modelUrl = '';
const history: EpochMetrics[] = [];

function status(text: string): void {
  $('image-status').textContent = text;
}

function readSize(): { rows: number; cols: number } {
  const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/i.exec($<HTMLInputElement>('image-size').value);
  if (!m || +m[1] < 1 || +m[2] < 1 || +m[1] * +m[2] > 256 * 256) throw new Error('size: WIDTHxHEIGHT, e.g. 28x28 (at most 256 x 256)');
  return { cols: +m[1], rows: +m[2] };
}

/** Reads the picked folder by the rule and splits it (seeded by the form's seed). */
async function pick(files: FileList, seed: number): Promise<void> {
  picked = null;
  $<HTMLButtonElement>('image-train').disabled = true;
  status(`Reading ${files.length.toLocaleString('en-US')} files ...`);
  const invert = $<HTMLInputElement>('image-invert').checked;
  const { data, shape } = await datasetFromImageFiles(files, { size: readSize(), channels: $<HTMLInputElement>('image-colour').checked ? 3 : 1, invert });
  const fraction = Number($<HTMLInputElement>('image-split').value);
  if (!(fraction > 0 && fraction < 1)) throw new Error('held out: a fraction between 0 and 1, e.g. 0.1');
  const { train, test } = splitData(data, fraction, seed);
  picked = { data, shape, invert, train, test };
  showExamples(data, shape);
  status(`${data.count.toLocaleString('en-US')} images of ${data.classNames!.length} classes (${data.classNames!.join(', ')}), ${shape.cols} x ${shape.rows} ${shape.channels === 3 ? 'colour' : 'grey'}: ${train.count} to train, ${test.count} held out.`);
  $<HTMLButtonElement>('image-train').disabled = false;
  document.body.dataset.imagesPicked = String(data.count);
}

/** The first image of each class, as the network sees it. */
function showExamples(data: Dataset, shape: ImageShape): void {
  const box = $('image-examples');
  box.replaceChildren();
  const plane = shape.rows * shape.cols;
  for (let label = 0; label < data.classNames!.length; label++) {
    let n = 0;
    while (n < data.count && data.labels[n] !== label) n++;
    if (n === data.count) continue;
    const c = document.createElement('canvas');
    c.width = shape.cols;
    c.height = shape.rows;
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(shape.cols, shape.rows);
    const px = data.images.subarray(n * data.pixels, (n + 1) * data.pixels);
    for (let i = 0; i < plane; i++) {
      const [r, g, b] = shape.channels === 3 ? [px[i], px[plane + i], px[2 * plane + i]] : [px[i], px[i], px[i]];
      img.data.set([r, g, b, 255], 4 * i);
    }
    ctx.putImageData(img, 0, 0);
    c.title = data.classNames![label];
    box.appendChild(c);
  }
}

async function trainOnImages(form: FormSettings): Promise<void> {
  if (!picked) return;
  const { data, shape, invert, train, test } = picked;
  $<HTMLButtonElement>('image-train').disabled = true;
  remote?.terminate();
  const sizes = [data.pixels, ...form.sizes.slice(1, -1), data.classNames!.length];
  remote = await RemoteNetwork.create({ sizes, seed: form.seed, init: form.init, threads: form.threads, kernels: form.kernels, activation: form.activation, cost: form.cost });
  await remote.setData(train, test);
  history.length = 0;
  status(`Training [${sizes.join(', ')}] on ${train.count} images ...`);
  try {
    await remote.train({
      epochs: form.epochs,
      batchSize: form.batchSize,
      eta: form.eta,
      optimizer: form.optimizer,
      dropout: form.dropout.some((p) => p > 0) ? form.dropout : undefined,
      seed: form.seed,
      onEpochEnd: (m) => {
        history.push(m);
        status(`Epoch ${m.epoch} of ${form.epochs}: held-out accuracy ${(100 * m.testAccuracy).toFixed(1)}% (${test.count} images)`);
      },
    });
  } finally {
    $<HTMLButtonElement>('image-train').disabled = false;
  }
  const bytes = await remote.encodeModel(
    { eta: form.eta, batchSize: form.batchSize, epochs: form.epochs, seed: form.seed },
    { classNames: data.classNames, image: { rows: shape.rows, cols: shape.cols, channels: shape.channels, invert } },
  );
  if (modelUrl) URL.revokeObjectURL(modelUrl);
  modelUrl = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const link = $<HTMLAnchorElement>('image-download');
  link.href = modelUrl;
  link.hidden = false;
  $<HTMLInputElement>('image-classify').disabled = false;
  document.body.dataset.imagesTrained = String(history.length);
}

async function classify(file: File): Promise<void> {
  if (!remote || !picked) return;
  const { shape, invert, data } = picked;
  const pixels = imageToPixels(await decodeImageFile(file), shape, invert);
  const out = await remote.forward(Float32Array.from(pixels, (v) => v / 255));
  let best = 0;
  for (let j = 1; j < out.length; j++) if (out[j] > out[best]) best = j;
  const sum = out.reduce((a, b) => a + b, 0);
  $('image-result').textContent = `${file.name}: ${data.classNames![best]} (${((100 * out[best]) / sum).toFixed(0)}% of the outputs)`;
  document.body.dataset.imageClass = data.classNames![best];
}

/** Wires the panel; `form()` reads the training form when a run starts. */
export function setupImagesPanel(form: () => FormSettings, fail: (e: unknown) => void): void {
  const report = (e: unknown) => {
    status(`Error: ${(e as Error)?.message ?? e}`);
    fail(e);
  };
  $<HTMLInputElement>('image-folder').addEventListener('change', (e) => {
    const files = (e.target as HTMLInputElement).files;
    if (files?.length) pick(files, form().seed).catch(report);
  });
  $('image-train').addEventListener('click', () => trainOnImages(form()).catch(report));
  $<HTMLInputElement>('image-classify').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) classify(file).catch(report);
  });
}

/** For the browser tests: the picked dataset's pixels and labels (to compare with Node's reader) and the run's history. */
export function imagesInfo(): { count: number; classNames: readonly string[]; pixels: number[]; labels: number[]; history: EpochMetrics[] } | null {
  if (!picked) return null;
  const { data } = picked;
  return { count: data.count, classNames: data.classNames!, pixels: Array.from(data.images), labels: Array.from(data.labels), history: [...history] };
}

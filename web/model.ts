// The model the page reads drawings with: model bytes (pre-trained, trained, uploaded, at a URL)
// become the reader network and redraw its views; the download and upload buttons. Not for: training.
import { decodeModel, Network } from 'wasm-mlp';
import { $, asset } from './dom.js';
import { drawNeurons } from './neurons.js';
import { predictDrawing } from './pad.js';
import { page } from './state.js';
import { fail } from './status.js';

const bytesAt = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());

/** Makes `bytes` (a model file of 784 inputs and 10 outputs) the reader; `note` says which it is. */
export async function useModelBytes(bytes: Uint8Array, note: string): Promise<void> {
  const model = decodeModel(bytes);
  if (model.sizes[0] !== 784 || model.sizes[model.sizes.length - 1] !== 10) {
    throw new Error(`this page reads 28 x 28 digits: the model's sizes are [${model.sizes}]`);
  }
  if (!page.reader || page.reader.sizes.join() !== model.sizes.join()) {
    page.reader?.dispose();
    page.reader = await Network.create({ sizes: model.sizes });
  }
  page.reader.setParameters(model.parameters);
  $('model-note').textContent = note;
  drawNeurons(page.reader);
  predictDrawing();
}

export async function useModelUrl(url: string, note: string): Promise<void> {
  await useModelBytes(await bytesAt(url), note);
}

/** The download button (the trained network, else the pre-trained one) and the upload field. */
export function setupModelIo(): void {
  $('download').addEventListener('click', async () => {
    const bytes = page.trainer ? await page.trainer.encodeModel() : await bytesAt(asset('pretrained.wmlp'));
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: 'wasm-mlp-model.wmlp' });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  $<HTMLInputElement>('upload').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) await useModelBytes(new Uint8Array(await file.arrayBuffer()), `Using the uploaded model ${file.name}.`).catch(fail);
  });
}

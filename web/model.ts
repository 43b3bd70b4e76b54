// The model the page reads drawings with: model bytes (pre-trained, trained, uploaded, at a URL; a
// wasm-mlp model file or an ONNX MLP exported by PyTorch and the like) become the reader network and
// redraw its views; the download and upload buttons. Not for: training.
import { decodeModel, importOnnx, MODEL_MAGIC, networkFromModel } from 'wasm-mlp';
import { $, asset } from './dom.js';
import { drawNeurons } from './neurons.js';
import { predictDrawing } from './pad.js';
import { page } from './state.js';
import { fail } from './status.js';

const bytesAt = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());

/** Makes `bytes` (a model of 784 inputs and 10 outputs: a model file or ONNX) the reader; `note` says which it is. */
export async function useModelBytes(bytes: Uint8Array, note: string, name = 'model'): Promise<void> {
  const model = String.fromCharCode(...bytes.subarray(0, 4)) === MODEL_MAGIC ? decodeModel(bytes, name) : importOnnx(bytes, name);
  if (model.sizes[0] !== 784 || model.sizes[model.sizes.length - 1] !== 10) {
    throw new Error(`this page reads 28 x 28 digits: the model's sizes are [${model.sizes}]`);
  }
  page.reader?.dispose();
  page.reader = await networkFromModel(model); // its own activations, cost and output function
  page.readerModel = model;
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
    if (file) await useModelBytes(new Uint8Array(await file.arrayBuffer()), `Using the uploaded model ${file.name}.`, file.name).catch(fail);
  });
}

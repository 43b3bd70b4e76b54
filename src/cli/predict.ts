// `wasm-mlp predict`: classes of new inputs with a saved model: image files (PNG or JPEG: for a
// model trained on image folders by its image rule, else as MNIST digits, cropped, scaled and
// centred), CSV rows and NumPy arrays (features standardised as the model was trained). Not for:
// preprocessing itself (data/preprocess.ts, node/images.ts).
import { extname } from 'node:path';
import type { Command } from 'commander';
import { standardize, WasmMlpError, type ModelData, type Network } from '../index.js';
import { decodeImage, imageToPixels, loadModelFile, parseNpy, pngToInput, readBytes, readCsvDataset, readModelFile } from '../node.js';
import { asNumbers } from '../data/npy.js';
import { MAX_ARRAY_FILE_BYTES } from '../node/sources.js';
import { kernelsOf, kernelsOption } from './options.js';

export function registerPredict(cli: Command): void {
  cli
    .command('predict')
    .description('classes of new inputs: image files (PNG, JPEG), CSV rows or NumPy .npy arrays')
    .argument('<inputs...>', 'image files, .csv files (features, as trained; a label column is skipped with --label-column) or .npy arrays')
    .requiredOption('--model <file>', 'a model file (written by train --out or import), or an ONNX model')
    .option('--label-column <name|index>', 'CSV: a column to skip (the label)')
    .option('--json', 'print one JSON object')
    .addOption(kernelsOption())
    .action(predictCommand);
}

/** The inputs in a file, as the model takes them: (count, inputs) f32, and a name for each. */
async function inputsOf(file: string, model: ModelData, labelColumn?: string): Promise<{ x: Float32Array; names: string[] }> {
  const n0 = model.sizes[0];
  const ext = extname(file).toLowerCase();
  const std = (x: Float32Array) => (model.standardize ? standardize(x, model.standardize) : x);
  const rows = (count: number) => (count === 1 ? [file] : Array.from({ length: count }, (_, i) => `${file}[${i}]`));
  if (ext === '.csv') {
    const data = await readCsvDataset(file, labelColumn === undefined ? { unlabelled: true } : { labelColumn });
    if (data.width !== n0) throw new WasmMlpError(`${file}: rows of ${data.width} features, the model takes ${n0}`);
    return { x: std(data.features), names: rows(data.count) };
  }
  if (ext === '.npy') {
    const a = parseNpy(await readBytes(file, '.npy file', MAX_ARRAY_FILE_BYTES), file);
    const values = asNumbers(a);
    const count = a.shape.length > 1 ? a.shape[0] : 1;
    if (values.length !== count * n0) throw new WasmMlpError(`${file}: shape (${a.shape}) is not rows of the model's ${n0} inputs`);
    // u8 arrays are images: scaled to [0, 1] as training gathers them (then standardised, for an imported model that does)
    const x = values instanceof Uint8Array ? Float32Array.from(values, (v) => v * (1 / 255)) : Float32Array.from(values);
    return { x: std(x), names: rows(count) };
  }
  const bytes = await readBytes(file, 'image');
  if (model.image) {
    const p = imageToPixels(decodeImage(bytes, file), model.image, model.image.invert);
    return { x: std(Float32Array.from(p, (v) => v * (1 / 255))), names: [file] };
  }
  if (n0 !== 784) throw new WasmMlpError(`${file}: this model has ${n0} inputs and no image rule: it reads CSV or .npy inputs, not images`);
  return { x: std(pngToInput(bytes, file)), names: [file] };
}

async function predictCommand(files: string[], o: { model: string; json?: boolean; labelColumn?: string; kernels: string }): Promise<void> {
  const model = await readModelFile(o.model);
  const net: Network = await loadModelFile(o.model, { kernels: kernelsOf(o) });
  const K = net.outputSize;
  const predictions: { file: string; class: number; name?: string; outputs: number[] }[] = [];
  for (const file of files) {
    const { x, names } = await inputsOf(file, model, o.labelColumn);
    const out = net.forward(x);
    names.forEach((name, n) => {
      const outputs = Array.from(out.subarray(n * K, (n + 1) * K));
      const best = outputs.indexOf(Math.max(...outputs));
      const label = model.classNames?.[best];
      predictions.push({ file: name, class: best, ...(label !== undefined ? { name: label } : {}), outputs });
      if (!o.json) process.stdout.write(`${name}: ${best}${label !== undefined ? ` (${label})` : ''}  (outputs ${outputs.map((v) => v.toFixed(3)).join(' ')})\n`);
    });
  }
  if (o.json) process.stdout.write(`${JSON.stringify({ model: o.model, predictions })}\n`);
  net.dispose();
}

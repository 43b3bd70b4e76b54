// `wasm-mlp predict`: reads digits from PNG files (cropped, scaled and centred like MNIST) with a
// saved model. Not for: preprocessing itself (data/preprocess.ts, node/png.ts).
import type { Command } from 'commander';
import { WasmMlpError } from '../index.js';
import { loadModelFile, pngToInput, readBytes } from '../node.js';
import { kernelsOption } from './options.js';

export function registerPredict(cli: Command): void {
  cli
    .command('predict')
    .description('read digits from PNG files (any size, grey or colour; cropped, scaled and centred like MNIST)')
    .argument('<images...>', 'PNG files')
    .requiredOption('--model <file>', 'a model file written by train --out')
    .option('--json', 'print one JSON object')
    .addOption(kernelsOption())
    .action(predictCommand);
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

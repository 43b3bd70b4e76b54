// `wasm-mlp info`: the layer table and parameter count of a network, as text or JSON. Not for:
// anything that needs the kernels.
import type { Command } from 'commander';
import { layerShapes, parameterCount } from '../index.js';
import { layerTable } from './format.js';
import { layers } from './options.js';

export function registerInfo(cli: Command): void {
  cli
    .command('info')
    .description('print the layer table and parameter count of a network')
    .option('--layers <sizes>', 'layer sizes, comma-separated', layers, [784, 30, 10])
    .option('--json', 'print one JSON object')
    .action((o: { layers: number[]; json?: boolean }) => {
      if (o.json) process.stdout.write(`${JSON.stringify({ sizes: o.layers, parameters: parameterCount(o.layers), layers: layerShapes(o.layers).map((s) => ({ inputs: s.cols, outputs: s.rows, weights: s.rows * s.cols, biases: s.rows })) })}\n`);
      else process.stdout.write(`network [${o.layers.join(', ')}]\n${layerTable(o.layers)}\n`);
    });
}

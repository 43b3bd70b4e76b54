// `wasm-mlp export`: a saved model in another format (ONNX). Not for: the format itself (io/onnx.ts).
import { Option, type Command } from 'commander';
import { exportOnnx, readModelFile, writeFileAtomic } from '../node.js';

export function registerExport(cli: Command): void {
  cli
    .command('export')
    .description('write a model in another format: ONNX (Gemm + activation nodes, opset 13)')
    .requiredOption('--model <file>', 'a model file (written by train --out or import), or an ONNX model')
    .addOption(new Option('--format <format>', 'output format').choices(['onnx']).default('onnx'))
    .requiredOption('--out <file>', 'where to write it')
    .action(async (o: { model: string; out: string }) => {
      const model = await readModelFile(o.model);
      const bytes = exportOnnx(model);
      await writeFileAtomic(o.out, bytes);
      process.stdout.write(`${o.out}: ONNX, ${bytes.length} bytes, [${model.sizes.join(', ')}]\n`);
    });
}

// `wasm-mlp import`: a model from another framework as a wasm-mlp model file: an ONNX MLP, or a
// PyTorch state dict of linear layers saved as safetensors (with its activations named). Not for:
// the formats themselves (io/onnx-import.ts, io/safetensors.ts).
import { Option, type Command } from 'commander';
import { OUTPUTS, WasmMlpError, encodeModel, readSafetensors, type Activation, type ModelData, type Output } from '../index.js';
import { readBytes, readModelFile, writeFileAtomic } from '../node.js';
import { activations } from './options.js';

interface ImportOptions {
  fromSafetensors?: string;
  activation?: Activation | Activation[];
  output?: Output;
  out: string;
  json?: boolean;
}

export function registerImport(cli: Command): void {
  cli
    .command('import')
    .description('convert a model from another framework to a wasm-mlp model file: an ONNX MLP, or a PyTorch state dict (safetensors)')
    .argument('[model.onnx]', 'an ONNX model: Gemm or MatMul + Add layers, Relu/Sigmoid/Tanh, an optional Softmax or LogSoftmax')
    .option('--from-safetensors <file>', 'a PyTorch state dict of an nn.Sequential of Linear layers, saved as safetensors')
    .option('--activation <f>', 'with --from-safetensors: the hidden layers\' activation, or one per hidden layer (relu,tanh)', activations)
    .addOption(new Option('--output <f>', 'with --from-safetensors: what the last layer returns (default identity: logits)').choices(OUTPUTS))
    .requiredOption('--out <file>', 'where to write the model file')
    .option('--json', 'print one JSON object')
    .action(importCommand);
}

async function importCommand(file: string | undefined, o: ImportOptions): Promise<void> {
  if (!file === !o.fromSafetensors) throw new WasmMlpError('import takes an ONNX file or --from-safetensors <file>, one of them');
  if (file && (o.activation || o.output)) throw new WasmMlpError('--activation and --output are for --from-safetensors: an ONNX graph names its own');
  let model: ModelData;
  if (o.fromSafetensors) {
    if (!o.activation) throw new WasmMlpError('--from-safetensors needs --activation (relu, tanh or sigmoid; or one per hidden layer, relu,tanh): a state dict holds no activations');
    model = readSafetensors(await readBytes(o.fromSafetensors, 'safetensors file'), { activation: o.activation, output: o.output, name: o.fromSafetensors });
  } else model = await readModelFile(file!);
  const bytes = encodeModel(model);
  await writeFileAtomic(o.out, bytes);
  const from = file ?? o.fromSafetensors!;
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ from, out: o.out, bytes: bytes.length, sizes: model.sizes, activations: model.activations, output: model.output, cost: model.cost, standardize: !!model.standardize })}\n`);
  } else {
    const hidden = model.activations.length ? `${model.activations.join(', ')} hidden layers` : 'no hidden layer';
    process.stdout.write(`${o.out}: [${model.sizes.join(', ')}], ${hidden}, ${model.output} output${model.standardize ? ', standardised inputs' : ''}, from ${from} (${bytes.length} bytes)\n`);
  }
}

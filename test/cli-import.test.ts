// The built CLI with models from other frameworks: `import` of ONNX and of a safetensors state dict,
// `test` and `predict` straight from an .onnx file (by extension or content) with the same results as
// the converted model file, a standardised import reading MNIST's images, and per-layer activations
// in `train`; `train --from` fine-tuning an imported model.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../src/io/model.js';
import { loadMnist } from '../src/node.js';
import { lastJson, run } from './support/cli.js';

const fixture = (name: string) => new URL(`./fixtures/onnx/${name}`, import.meta.url).pathname;

describe('CLI: models from other frameworks', () => {
  it('import of an ONNX model writes a model file that tests and predicts as the .onnx does, and an ONNX file by content', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wasm-mlp-import-'));
    const onnx = fixture('normalize-flatten-tanh-relu.onnx');
    const model = join(d, 'm.wmlp');
    const r = await run('import', onnx, '--out', model, '--json');
    expect(r.stderr).toBe('');
    expect(lastJson(r.stdout)).toMatchObject({ out: model, sizes: [784, 32, 16, 10], activations: ['tanh', 'relu'], output: 'identity', cost: 'log-likelihood', standardize: true });
    expect(decodeModel(new Uint8Array(readFileSync(model))).standardize?.mean[0]).toBe(Math.fround(0.1307));
    const renamed = join(d, 'exported-model.bin'); // ONNX by content
    copyFileSync(onnx, renamed);
    const tests = await Promise.all([onnx, model, renamed].map(async (m) => lastJson((await run('test', '--model', m, '--json')).stdout)));
    expect(tests.map((t) => t.testAccuracy)).toEqual([tests[0].testAccuracy, tests[0].testAccuracy, tests[0].testAccuracy]);
    expect(tests[0].testAccuracy).toBeGreaterThan(0.9); // MNIST's images, standardised as the graph's Sub and Div do
    const { test } = await loadMnist();
    const png = new PNG({ width: 28, height: 28 });
    test.images.subarray(0, 784).forEach((v, i) => png.data.set([v, v, v, 255], 4 * i));
    writeFileSync(join(d, 'seven.png'), PNG.sync.write(png));
    const [a, b] = await Promise.all([onnx, model].map(async (m) => lastJson((await run('predict', '--model', m, join(d, 'seven.png'), '--json')).stdout)));
    expect(a.predictions[0].class).toBe(test.labels[0]);
    expect(a.predictions[0].outputs).toEqual(b.predictions[0].outputs);
  }, 60_000);

  it('import --from-safetensors with the activation named: the model the same weights\' ONNX export gives, byte for byte', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wasm-mlp-import-'));
    const r = await run('import', '--from-safetensors', fixture('relu-logits.safetensors'), '--activation', 'relu', '--out', join(d, 'st.wmlp'));
    expect(r.stdout).toMatch(/st\.wmlp: \[784, 32, 16, 10\], relu, relu hidden layers, identity output, from .*relu-logits\.safetensors/);
    expect((await run('import', fixture('relu-logits-opset9.onnx'), '--out', join(d, 'onnx.wmlp'))).code).toBe(0);
    expect(readFileSync(join(d, 'st.wmlp')).equals(readFileSync(join(d, 'onnx.wmlp')))).toBe(true);
  });

  it('train --from fine-tunes an ONNX model: its layers, activations and standardisation kept, test accuracy up', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wasm-mlp-import-'));
    await Promise.all(['relu-logits-opset9.onnx', 'normalize-flatten-tanh-relu.onnx'].map(async (name, i) => {
      const out = join(d, `${i}.wmlp`);
      const before = lastJson((await run('test', '--model', fixture(name), '--json')).stdout).testAccuracy;
      const r = await run('train', '--from', fixture(name), '--epochs', '1', '--limit', '12000', '--batch-size', '32', '--eta', '0.001', '--optimizer', 'adam', '--out', out, '--json', '--quiet');
      const summary = lastJson(r.stdout);
      const model = decodeModel(new Uint8Array(readFileSync(out)));
      expect(summary).toMatchObject({ sizes: [784, 32, 16, 10], from: fixture(name), init: null, activation: i ? ['tanh', 'relu'] : ['relu', 'relu'] });
      expect(model.activations).toEqual(summary.activation);
      expect(model.standardize?.mean[0]).toBe(i ? Math.fround(0.1307) : undefined);
      expect(summary.testAccuracy).toBeGreaterThan(before + 0.005); // 0.911 to 0.92-0.93
      expect(lastJson((await run('test', '--model', out, '--json')).stdout).testAccuracy).toBe(summary.testAccuracy);
    }));
  }, 60_000);

  it.each([
    [['train', '--from', fixture('relu-logits-opset9.onnx'), '--layers', '784,30,10'], /relu-logits-opset9\.onnx has layers 784,32,16,10, --layers says 784,30,10/],
    [['train', '--from', fixture('relu-logits-opset9.onnx'), '--activation', 'tanh'], /has activation relu,relu, --activation says tanh/],
    [['train', '--from', fixture('relu-logits-opset9.onnx'), '--init', 'he'], /--init draws initial parameters; --from .* starts from its own/],
    [['train', '--from', fixture('relu-logits-opset9.onnx'), '--standardize', 'mean-std'], /--standardize fits a standardisation; --from .* keeps its own/],
    [['import', '--out', 'x.wmlp'], /import takes an ONNX file or --from-safetensors <file>, one of them/],
    [['import', 'a.onnx', '--from-safetensors', 'b.safetensors', '--out', 'x.wmlp'], /one of them/],
    [['import', '--from-safetensors', fixture('relu-logits.safetensors'), '--out', 'x.wmlp'], /--from-safetensors needs --activation/],
    [['import', '--from-safetensors', fixture('relu-logits.safetensors'), '--activation', 'relu,tanh,relu', '--out', 'x.wmlp'], /activation: 3 for 2 hidden layers \(its 3 linear layers: 0, 2, 4\)/],
    [['import', fixture('relu-logits-opset9.onnx'), '--activation', 'relu', '--out', 'x.wmlp'], /--activation and --output are for --from-safetensors/],
    [['test', '--model', fixture('relu-logits.safetensors')], /a safetensors state dict holds no activations: convert it first with wasm-mlp import --from-safetensors/],
    [['test', '--model', fixture('README.md')], /not a wasm-mlp model: magic is "Mode"/],
  ])('%j: exit 2 and a one-line message', async (args, message) => {
    const { code, stderr } = await run(...args);
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
  });

  it('an ONNX graph it does not run: exit 2 naming the node', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wasm-mlp-import-'));
    const bytes = readFileSync(fixture('relu-logits-opset9.onnx'));
    const at = bytes.indexOf(Buffer.from([0x22, 4, ...Buffer.from('Relu')])); // op_type (field 4, 4 bytes) of the first Relu
    bytes.write('Selu', at + 2);
    writeFileSync(join(d, 'selu.onnx'), bytes);
    const { code, stderr } = await run('import', join(d, 'selu.onnx'), '--out', join(d, 'x.wmlp'));
    expect(stderr).toMatch(/selu\.onnx: node 1 "\/1\/Relu" \(Selu\): an op wasm-mlp does not import/);
    expect(code).toBe(2);
  });

  it('train takes an activation per hidden layer (relu,tanh), keeps it in the model file, and test reads it', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wasm-mlp-import-'));
    const model = join(d, 'm.wmlp');
    const t = await run('train', '--layers', '784,32,16,10', '--activation', 'relu,tanh', '--cost', 'log-likelihood', '--init', 'he', '--eta', '0.1', '--epochs', '1', '--limit', '3000', '--out', model, '--json', '--quiet');
    expect(t.stderr).toBe('');
    expect(lastJson(t.stdout).activation).toEqual(['relu', 'tanh']);
    const m = decodeModel(new Uint8Array(readFileSync(model)));
    expect([m.activations, new DataView(readFileSync(model).buffer).getUint16(4, true)]).toEqual([['relu', 'tanh'], 3]);
    expect(lastJson((await run('test', '--model', model, '--json')).stdout).testAccuracy).toBe(lastJson(t.stdout).testAccuracy);
  }, 60_000);
});

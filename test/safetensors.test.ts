// PyTorch state dicts saved as safetensors: the same model as the same weights exported to ONNX,
// float16 converted, and untrusted bytes (header lengths, offsets, dtypes, shapes, names) refused
// with a SafetensorsFormatError naming the tensor; fuzzed bytes give a model or that error.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SafetensorsFormatError } from '../src/core/errors.js';
import { networkFromModel } from '../src/io/model.js';
import { importOnnx } from '../src/io/onnx-import.js';
import { readSafetensors } from '../src/io/safetensors.js';
import { loadMnist } from '../src/node.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/onnx/${name}`, import.meta.url)));

/** A safetensors file of float32 tensors (or `header` as given), data in order. */
function safetensors(tensors: Record<string, { shape: number[]; values: number[]; dtype?: string }>, header?: object): Uint8Array {
  let at = 0;
  const json: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (const [key, t] of Object.entries(tensors)) {
    json[key] = { dtype: t.dtype ?? 'F32', shape: t.shape, data_offsets: [at, at + 4 * t.values.length] };
    at += 4 * t.values.length;
  }
  const text = new TextEncoder().encode(JSON.stringify(header ?? json));
  const out = new Uint8Array(8 + text.length + at);
  new DataView(out.buffer).setUint32(0, text.length, true);
  out.set(text, 8);
  const view = new DataView(out.buffer, 8 + text.length);
  Object.values(tensors).flatMap((t) => t.values).forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

const LINEAR = {
  '0.weight': { shape: [3, 4], values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2] },
  '0.bias': { shape: [3], values: [1, 2, 3] },
  '2.weight': { shape: [2, 3], values: [-1, -2, -3, -4, -5, -6] },
};

describe('safetensors state dicts', () => {
  it('a PyTorch nn.Sequential\'s state dict is the model its ONNX export is, bit for bit', async () => {
    const fromDict = readSafetensors(fixture('relu-logits.safetensors'), { activation: 'relu' });
    const fromOnnx = importOnnx(fixture('relu-logits-opset9.onnx'));
    expect([fromDict.sizes, fromDict.activations, fromDict.output, fromDict.cost]).toEqual([[784, 32, 16, 10], ['relu', 'relu'], 'identity', 'log-likelihood']);
    expect(Buffer.from(fromDict.parameters.buffer).equals(Buffer.from(fromOnnx.parameters.buffer))).toBe(true);
  });

  it('float16 weights convert: the same classes as float32 on nearly all test images', async () => {
    const { test } = await loadMnist();
    const x = Float32Array.from(test.images, (v) => v / 255);
    const full = await networkFromModel(readSafetensors(fixture('relu-logits.safetensors'), { activation: 'relu' }));
    const half = await networkFromModel(readSafetensors(fixture('relu-logits-f16.safetensors'), { activation: ['relu', 'relu'] }));
    const [a, b] = [full.predict(x), half.predict(x)];
    expect(a.filter((c, i) => c === b[i]).length).toBeGreaterThan(0.995 * test.count);
  });

  it('reads a small dict: layer sizes from the shapes, a missing bias as zeros, the options\' activation and output', () => {
    const m = readSafetensors(safetensors(LINEAR), { activation: 'tanh', output: 'softmax', name: 'd.safetensors' });
    expect([m.sizes, m.activations, m.output, m.cost]).toEqual([[4, 3, 2], ['tanh'], 'softmax', 'log-likelihood']);
    expect([...m.parameters.subarray(12, 15), ...m.parameters.subarray(21)]).toEqual([1, 2, 3, 0, 0]);
    const prefixed = safetensors({ 'net.0.weight': LINEAR['0.weight'], 'net.10.weight': { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] }, 'net.2.weight': { shape: [3, 3], values: Array(9).fill(0.5) } });
    expect(readSafetensors(prefixed, { activation: ['relu', 'sigmoid'], output: 'sigmoid' })).toMatchObject({ sizes: [4, 3, 3, 2], activations: ['relu', 'sigmoid'], cost: 'cross-entropy' });
  });

  it.each([
    { what: 'a header longer than the file', bytes: () => Uint8Array.from([255, 255, 255, 255, 0, 0, 0, 0, 123]), message: /a header of 4294967295 bytes, the file has 1 after its length/ },
    { what: 'a header length past 2^53', bytes: () => Uint8Array.from([255, 255, 255, 255, 255, 255, 255, 255]), message: /a header of \d+ bytes, the file has 0/ },
    { what: 'too short', bytes: () => new Uint8Array(5), message: /5 bytes is too short/ },
    { what: 'not JSON', bytes: () => Uint8Array.from([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7b]), message: /its header is not UTF-8 JSON/ },
    { what: 'a JSON array', bytes: () => safetensors({}, [1, 2]), message: /not a JSON object/ },
    { what: 'an int64 tensor', bytes: () => safetensors({ '0.weight': { ...LINEAR['0.weight'], dtype: 'I64' } }), message: /tensor "0.weight" has dtype "I64"; expected F32, F64, F16 or BF16/ },
    { what: 'offsets past the data', bytes: () => safetensors({}, { '0.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }), message: /tensor "0.weight" spans bytes \[0, 16\) of data that has 0/ },
    { what: 'a shape the offsets do not hold', bytes: () => safetensors({ '0.weight': { shape: [3, 5], values: Array(12).fill(1) } }), message: /tensor "0.weight" of shape \[3,5\] and dtype F32 needs 60 bytes, its offsets give 48/ },
    { what: 'a 2 GB declared tensor', bytes: () => safetensors({ '0.weight': { shape: [2 ** 27, 4], values: [1, 2, 3, 4] } }), message: /needs 2147483648 bytes, its offsets give 16/ },
    { what: 'a negative dim', bytes: () => safetensors({}, { '0.weight': { dtype: 'F32', shape: [-1, 2], data_offsets: [0, 0] } }), message: /needs a shape and data_offsets/ },
    { what: 'a norm layer', bytes: () => safetensors({ ...LINEAR, '1.running_mean': { shape: [3], values: [0, 0, 0] } }), message: /tensor "1.running_mean" is not a linear layer's weight or bias/ },
    { what: 'layers that do not chain', bytes: () => safetensors({ ...LINEAR, '2.weight': { shape: [2, 5], values: Array(10).fill(1) } }), message: /layer "2" takes 5 inputs, but the layer before gives 3/ },
    { what: 'a bias of another size', bytes: () => safetensors({ ...LINEAR, '0.bias': { shape: [4], values: [1, 2, 3, 4] } }), message: /layer "0" has bias shape \[4\]; expected \[3\]/ },
    { what: 'a convolution\'s weight', bytes: () => safetensors({ '0.weight': { shape: [1, 2, 2, 3], values: Array(12).fill(1) } }), message: /layer "0" needs a 2-dimensional weight \(out, in\), has shape \[1,2,2,3\]/ },
    { what: 'a bias alone', bytes: () => safetensors({ ...LINEAR, '4.bias': { shape: [2], values: [0, 0] } }), message: /layer "4" needs a 2-dimensional weight/ },
    { what: 'two prefixes', bytes: () => safetensors({ 'a.0.weight': LINEAR['0.weight'], 'b.2.weight': LINEAR['2.weight'] }), message: /layers under different prefixes \(a\., b\.\)/ },
    { what: 'no tensors', bytes: () => safetensors({}), message: /no tensors/ },
    { what: 'a NaN', bytes: () => safetensors({ ...LINEAR, '0.bias': { shape: [3], values: [1, NaN, 3] } }), message: /parameter 13 is NaN/ },
  ])('$what: a SafetensorsFormatError', ({ bytes, message }) => {
    const b = bytes();
    expect(() => readSafetensors(b, { activation: 'relu', name: 'd.safetensors' })).toThrow(SafetensorsFormatError);
    expect(() => readSafetensors(b, { activation: 'relu', name: 'd.safetensors' })).toThrow(message);
  });

  it('an activation list that does not fit the layers is the caller\'s error, naming them', () => {
    expect(() => readSafetensors(safetensors(LINEAR), { activation: ['relu', 'tanh'], name: 'd.safetensors' })).toThrow(InvalidArgumentError);
    expect(() => readSafetensors(safetensors(LINEAR), { activation: ['relu', 'tanh'], name: 'd.safetensors' })).toThrow(/d\.safetensors: activation: 2 for 1 hidden layers \(its 2 linear layers: 0, 2\)/);
  });

  it('fuzzed (fast-check): random bytes, bytes changed, cut short: a model or a SafetensorsFormatError, quickly', () => {
    const good = safetensors(LINEAR);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
            const b = good.slice();
            for (const [at, v] of edits) b[at % b.length] = v;
            return b;
          }),
          fc.nat().map((n) => good.slice(0, n % good.length)),
        ),
        (bytes) => {
          const t0 = performance.now();
          try {
            const m = readSafetensors(bytes, { activation: 'relu' });
            expect(m.parameters.length * 2).toBeLessThanOrEqual(bytes.length);
          } catch (e) {
            expect(e).toBeInstanceOf(SafetensorsFormatError);
          }
          expect(performance.now() - t0).toBeLessThan(5000);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

// The ONNX reader takes untrusted files: graphs it does not run are an OnnxFormatError naming the
// node (its index, name and op), and fuzzed bytes (random, mutated, cut short, lengths and dims far
// past the data) give a model or that error, quickly, with memory bounded by the file's size.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelFormatError, OnnxFormatError } from '../src/core/errors.js';
import { importOnnx } from '../src/io/onnx-import.js';
import { ProtoWriter } from '../src/io/protobuf.js';
import { onnxBytes, tensor, type GraphSpec, type NodeSpec } from './support/onnx.js';

const W1 = tensor('W1', [3, 4], [0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8, -0.9, 1, 0.1, 0.2]);
const b1 = tensor('b1', [3], [0.1, -0.1, 0.2]);
const W2 = tensor('W2', [2, 3], [0.3, -0.2, 0.1, 0.5, 0.4, -0.6]);
const b2 = tensor('b2', [2], [0, 0.5]);
const NODES: NodeSpec[] = [['Gemm', ['x', 'W1', 'b1'], { transB: 1 }, 'z1'], ['Relu', ['$'], {}, 'a1'], ['Gemm', ['$', 'W2', 'b2'], { transB: 1 }, 'z2'], ['Softmax', ['$'], { axis: 1 }, 'y']];

/** The base graph (4 -> 3 relu -> 2 softmax), changed by `change`. */
function graph(change: (g: GraphSpec) => void = () => {}): Uint8Array {
  const g: GraphSpec = { input: [null, 4], nodes: NODES.map((n) => [...n] as NodeSpec), inits: [W1, b1, W2, b2] };
  change(g);
  return onnxBytes(g);
}

function thrown(bytes: Uint8Array): OnnxFormatError {
  try {
    importOnnx(bytes, 'm.onnx');
  } catch (e) {
    expect(e).toBeInstanceOf(OnnxFormatError);
    expect(e).toBeInstanceOf(ModelFormatError);
    return e as OnnxFormatError;
  }
  throw new Error('expected an OnnxFormatError');
}

describe('ONNX graphs wasm-mlp does not run', () => {
  it('the base graph reads', () => {
    expect(importOnnx(graph())).toMatchObject({ sizes: [4, 3, 2], activations: ['relu'], output: 'softmax' });
  });

  it.each([
    { what: 'another op', change: (g: GraphSpec) => (g.nodes[1][0] = 'Elu'), node: [1, 'Elu'], message: /node 1 "elu1" \(Elu\): an op wasm-mlp does not import; wasm-mlp imports MLPs: Gemm or MatMul/ },
    { what: 'transA', change: (g: GraphSpec) => (g.nodes[0][2] = { transA: 1, transB: 1 }), node: [0, 'Gemm'], message: /transA = 1/ },
    { what: 'a branch off the chain', change: (g: GraphSpec) => g.nodes.push(['Relu', ['z1'], {}, 'other']), node: [4, 'Relu'], message: /does not take "y", the value the chain has reached: the graph is not a chain/ },
    { what: 'two layers without an activation', change: (g: GraphSpec) => g.nodes.splice(1, 1), node: [1, 'Gemm'], message: /follows layer 1 \(node 0\) with no activation between them/ },
    { what: 'a ReLU output', change: (g: GraphSpec) => (g.nodes[3] = ['Relu', ['$'], {}, 'y']), node: [3, 'Relu'], message: /ends the graph; wasm-mlp's outputs are Sigmoid, Softmax, LogSoftmax or the logits/ },
    { what: 'a Softmax over the batch', change: (g: GraphSpec) => (g.nodes[3][2] = { axis: 0 }), node: [3, 'Softmax'], message: /axis 0; expected the classes' axis/ },
    { what: 'a Softmax between layers', change: (g: GraphSpec) => (g.nodes[1][0] = 'Softmax'), node: [2, 'Gemm'], message: /follows the output's Softmax \(node 1\)/ },
    { what: 'dims that disagree', change: (g: GraphSpec) => (g.inits[2] = tensor('W2', [2, 5], Array(10).fill(0.1))), node: [2, 'Gemm'], message: /weights "W2" \[2,5\] take 5 inputs, but the value before has 3/ },
    { what: 'an input dim that disagrees', change: (g: GraphSpec) => (g.input = [null, 6]), node: [0, 'Gemm'], message: /take 4 inputs, but the value before has 6/ },
    { what: 'the chain\'s value as MatMul\'s B', change: (g: GraphSpec) => (g.nodes[0] = ['MatMul', ['W1', 'x'], {}, 'z1']), node: [0, 'MatMul'], message: /takes the chain's value as input 1; expected input 0/ },
    { what: 'c - x', change: (g: GraphSpec) => g.nodes.unshift(['Sub', ['b1', 'x'], {}, 'xs']), node: [0, 'Sub'], message: /c - x is not a standardisation/ },
    { what: 'a standardisation between layers', change: (g: GraphSpec) => g.nodes.splice(2, 0, ['Mul', ['$', 'b1'], {}, 'scaled']), node: [2, 'Mul'], message: /between layers/ },
    { what: 'a negative scale', change: (g: GraphSpec) => (g.nodes.unshift(['Mul', ['x', 'minus'], {}, 'xs']), g.inits.push(tensor('minus', [], [-2])), (g.nodes[1][1] = ['$', 'W1', 'b1'])), node: [0, 'Mul'], message: /a standardisation divides by a positive, finite number/ },
    { what: 'an input that is neither', change: (g: GraphSpec) => (g.nodes[2][1] = ['$', 'W2', 'nowhere']), node: [2, 'Gemm'], message: /input 2 "nowhere" is neither the chain's value nor a constant/ },
    { what: 'a Reshape to (N, 2, 2)', change: (g: GraphSpec) => (g.nodes.unshift(['Reshape', ['x', 'shape'], {}, 'r']), g.inits.push(tensor('shape', [3], [-1, 2, 2], 'int64')), (g.nodes[1][1] = ['$', 'W1', 'b1'])), node: [0, 'Reshape'], message: /shape \[-1,2,2\]; expected \(N, features\)/ },
    { what: 'a node of another domain', change: (g: GraphSpec) => (g.nodes[1][4] = 'com.microsoft'), node: [1, 'Relu'], message: /domain "com.microsoft"/ },
    { what: 'a Flatten between layers', change: (g: GraphSpec) => g.nodes.splice(2, 0, ['Flatten', ['$'], {}, 'f']), node: [2, 'Flatten'], message: /between layers; expected it only at the input/ },
    { what: 'an image input straight into Gemm', change: (g: GraphSpec) => (g.input = [null, 2, 2]), node: [0, 'Gemm'], message: /takes a value of shape \(N, 2, 2\); flatten it to \(N, features\) first/ },
  ])('$what: names node $node', ({ change, node, message }) => {
    const e = thrown(graph(change));
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^m\.onnx: node \d+/);
    expect([e.node?.index, e.node?.op]).toEqual(node);
    expect(e.node?.name).toBe(`${String(node[1]).toLowerCase()}${node[0]}`);
  });

  it.each([
    { what: 'opset 8', change: (g: GraphSpec) => (g.opset = 8), message: /opset 8; wasm-mlp reads opsets 9 to 28/ },
    { what: 'opset 29', change: (g: GraphSpec) => (g.opset = 29), message: /opset 29; wasm-mlp reads opsets 9 to 28/ },
    { what: 'two inputs', change: (g: GraphSpec) => (g.extraInputs = ['mask']), message: /2 graph inputs \(x, mask\); an MLP takes one/ },
    { what: 'an int64 input', change: (g: GraphSpec) => (g.inputType = 7), message: /input "x" is int64; expected float32/ },
    { what: 'another graph output', change: (g: GraphSpec) => (g.output = 'z2'), message: /the chain ends at "y", but the graph's outputs are "z2"/ },
    { what: 'external data', change: (g: GraphSpec) => (g.inits[0] = { ...W1, rawData: undefined, external: true }), message: /W1" keeps its data in another file \(external data\)/ },
    { what: 'data shorter than its dims', change: (g: GraphSpec) => (g.inits[0] = tensor('W1', [3, 4], [1, 2, 3, 4, 5, 6, 7, 8])), message: /declares dims \[3,4\] \(12 elements\), but its data holds 8/ },
    { what: 'a 2 GB declared tensor', change: (g: GraphSpec) => (g.inits[0] = tensor('W1', [2 ** 27, 4], [1, 2, 3, 4])), message: /node 0 "gemm0" \(Gemm\): weights "W1" declares dims \[134217728,4\] \(536870912 elements\), but its data holds 4/ },
    { what: 'dims whose product overflows', change: (g: GraphSpec) => (g.inits[0] = tensor('W1', [2 ** 40, 2 ** 40], [1, 2, 3, 4])), message: /declares dims \[1099511627776,1099511627776\] \(more than 2\^53 elements\), but its data holds 4/ },
    { what: 'a negative dim', change: (g: GraphSpec) => (g.inits[0] = tensor('W1', [-3, -4], Array(12).fill(1))), message: /a dimension -3; expected integers >= 0/ },
    { what: 'a NaN weight', change: (g: GraphSpec) => (g.inits[3] = tensor('b2', [2], [0, NaN])), message: /parameter 22 is NaN; expected finite weights/ },
    { what: 'int64 weights', change: (g: GraphSpec) => (g.inits[0] = tensor('W1', [3, 4], Array(12).fill(1), 'int64')), message: /weights "W1" is int64; expected float32, float64, float16 or bfloat16/ },
    { what: 'metadata with an unknown cost', change: (g: GraphSpec) => (g.metadata = [{ key: 'wasm-mlp', value: '{"cost":"hinge"}' }]), message: /metadata "wasm-mlp": unknown cost "hinge"/ },
    { what: 'metadata with too many class names', change: (g: GraphSpec) => (g.metadata = [{ key: 'wasm-mlp', value: '{"classNames":["a","b","c"]}' }]), message: /metadata "wasm-mlp": class names must be at most 2 strings/ },
    { what: 'no layer', change: (g: GraphSpec) => (g.nodes = [['Flatten', ['x'], {}, 'y']]), message: /no Gemm or MatMul layer/ },
  ])('$what', ({ change, message }) => {
    expect(thrown(graph(change)).message).toMatch(message);
  });

  it('not a model: a graph-less ModelProto, text, an empty file', () => {
    expect(thrown(new ProtoWriter().int(1, 8).finish()).message).toMatch(/not an ONNX model with a graph/);
    expect(thrown(new TextEncoder().encode('{"not": "onnx"}')).message).toMatch(/m\.onnx: /);
    expect(thrown(new Uint8Array(0)).message).toMatch(/not an ONNX model with a graph/);
  });
});

describe('fuzzing the ONNX reader (fast-check)', () => {
  const small = graph();
  const real = new Uint8Array(readFileSync(new URL('./fixtures/onnx/flatten-relu-tanh-softmax.onnx', import.meta.url)));

  /** A model or an OnnxFormatError, within a bound only a hang reaches, with parameters no larger than the file. */
  const check = (bytes: Uint8Array) => {
    const t0 = performance.now();
    try {
      const m = importOnnx(bytes);
      expect(m.parameters.length * 2).toBeLessThanOrEqual(bytes.length + 64); // float16 is the densest: 2 bytes a value
      expect(m.parameters.every(Number.isFinite)).toBe(true);
    } catch (e) {
      expect(e).toBeInstanceOf(OnnxFormatError);
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  };

  it('random bytes, one byte changed, a few bytes changed, cut short: a model or an OnnxFormatError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.tuple(fc.nat(), fc.nat({ max: 255 })).map(([at, v]) => small.map((b, i) => (i === at % small.length ? v : b))),
          fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 6 }).map((edits) => {
            const b = small.slice();
            for (const [at, v] of edits) b[at % b.length] = v;
            return b;
          }),
          fc.nat().map((n) => small.slice(0, n % small.length)),
          fc.constantFrom(0x80, 0xff).map((v) => Uint8Array.from([...small.subarray(0, 40), v])), // a varint cut short
        ),
        check,
      ),
      { numRuns: 3000 },
    );
  });

  it('a PyTorch export with bytes changed or cut short: a model or an OnnxFormatError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.nat(), fc.nat({ max: 255 })).map(([at, v]) => {
            const b = real.slice();
            b[at % 4000] = v; // the graph's structure and the first tensor's header live in the first bytes
            return b;
          }),
          fc.nat().map((n) => real.slice(0, n % real.length)),
        ),
        check,
      ),
      { numRuns: 300 },
    );
  });

  it('lengths and dims far past the data allocate nothing like what they declare', () => {
    const before = process.memoryUsage().arrayBuffers;
    const huge = (dims: number[]) => new ProtoWriter().message(7, (g) => g.message(5, (t) => t.packedInts(1, dims).int(2, 1).string(8, 'W').bytes(9, new Uint8Array(16)))).finish();
    for (const dims of [[2 ** 29, 4], [2 ** 53 - 1, 2 ** 53 - 1], [65536, 65536, 65536]]) {
      const bytes = huge(dims);
      expect(() => importOnnx(bytes)).toThrow(OnnxFormatError);
    }
    // a length-delimited field declaring 2 GB in a 20-byte file
    const declared = Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0x07, 1, 2, 3]);
    expect(() => importOnnx(declared)).toThrow(/2147483647 bytes declared at byte 6, only 3 left/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });
});

// The GPU kernel table: every WGSL kernel a run dispatches, one row each, beside the kernels of
// the wasm table (assembly/kernels.mjs) whose definitions it computes (`wasm`), with its storage
// buffers (group 1, in binding order), its `args` uniform and its code for a network's settings.
// The tests iterate it (every row compiles, every wasm name exists, every row is held against the
// float64 reference). Not for: pipelines or dispatch (pipelines.ts, step.ts).
import type { Cost } from '../core/costs.js';
import { AUGMENT_KERNELS } from './augment.js';
import { backwardInputCode, forwardCode, updateCode } from './products.js';
import { activationCode, DROPOUT_CODE, type GpuKernel } from './wgsl.js';

export type { GpuKernel, KernelSettings } from './wgsl.js';

/** The output layer's activation and cost of example n's row of a (m, classes): softmax in place for log-likelihood. */
function costCode(cost: Cost): string {
  const softmax = /* wgsl */ `
  var top = a[row];
  for (var j = 1u; j < K; j++) { top = max(top, a[row + j]); }
  var sum = 0.0;
  for (var j = 0u; j < K; j++) { let e = expf32(a[row + j] - top); a[row + j] = e; sum += e; }
  let inv = 1.0 / sum;
  for (var j = 0u; j < K; j++) { a[row + j] = a[row + j] * inv; }`;
  const terms = {
    quadratic: 'for (var j = 0u; j < K; j++) { let e = a[row + j] - select(0.0, 1.0, j == label); c += e * e; }',
    'cross-entropy': 'for (var j = 0u; j < K; j++) { c -= log(max(select(1.0 - a[row + j], a[row + j], j == label), COST_FLOOR)); }',
    'log-likelihood': 'c = -log(max(a[row + label], COST_FLOOR));',
  }[cost];
  return `fn costOf(row: u32, K: u32, label: u32) -> f32 {${cost === 'log-likelihood' ? softmax : ''}
  for (var j = 0u; j < K; j++) { if (!isFinite(a[row + j])) { return a[row + j]; } } // not finite: the run diverged
  var c = 0.0;
  ${terms}
  return c;
}`;
}

/** One workgroup of 64 over the batch's examples, each summing its share in order, then thread 0 the 64 partial sums in order. */
function perExample(body: string, total: string): string {
  return /* wgsl */ `
var<workgroup> partial: array<vec2f, 64>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) t: u32) {
  let K = args.classes;
  var sum = vec2f(0.0);
  for (var n = t; n < step.m; n += 64u) {
    let row = n * K;
    let label = y[n];
    ${body}
  }
  partial[t] = sum;
  workgroupBarrier();
  if (t == 0u) {
    var s = vec2f(0.0);
    for (var i = 0u; i < 64u; i++) { s += partial[i]; }
    ${total}
  }
}`;
}

/** The gather of a dataset whose example `src`'s input k is `source`, from `values` (binding 2). */
function gather(name: string, wasm: string[], doc: string, values: string, source: string): GpuKernel {
  return {
    name,
    wasm: [...wasm, 'dropoutLists'],
    doc,
    buffers: ['x:rw', 'y:u32:rw', values, 'labels:u32', 'indices:u32', 'keys:u32'],
    args: ['cols', 'threshold', 'scale:f32'],
    workgroup: [64, 1],
    code: () => /* wgsl */ `${DROPOUT_CODE}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let n = g.y;
  let k = g.x;
  let C = args.cols;
  if (n >= step.m || k >= C) { return; }
  var src = step.row0 + n;
  if (step.training == 1u) { src = indices[src]; }
  x[n * C + k] = dropped(${source}, keys[1u], step.row0 + n, C, k, args.threshold, args.scale);
  if (k == 0u) { y[n] = labels[src]; }
}`,
  };
}

export const GPU_KERNELS: readonly GpuKernel[] = [
  gather(
    'gather',
    ['gatherRuns'],
    'x is (m, cols); y (m) u32; images (count, cols) u8, four to a u32; labels (count) u32; indices the epoch\'s shuffle; keys the epoch\'s. x[n] = image indices[row0 + n] (training) or row0 + n (evaluation) scaled to [0, 1], its inputs dropped as dropoutLists drops them; y[n] its label.',
    'images:u32',
    'f32((images[(src * C + k) / 4u] >> (((src * C + k) % 4u) * 8u)) & 255u) * PIXEL_SCALE',
  ),
  gather('gatherFeatures', ['gatherFeatures', 'gatherFeaturesSparse'], 'As gather, from (count, cols) f32 features taken as they are.', 'features', 'features[src * C + k]'),
  {
    name: 'forward',
    wasm: ['sparseForward', 'denseForward', 'sigmoid', 'tanhForward', 'reluForward', 'dropoutForward'],
    doc: 'x is (m, cols); W (rows, cols) at args.w and b at args.b in params; hs, a (m, rows). A hidden layer: h = f(W x + b) with its activation f (kept in hs when it drops units), a = its dropout.',
    buffers: ['x', 'params', 'hs:rw', 'a:rw', 'keys:u32'],
    args: ['rows', 'cols', 'w', 'b', 'layer', 'threshold', 'scale:f32'],
    workgroup: [16, 16],
    activated: true,
    code: (s) => activationCode(s.activation) + DROPOUT_CODE + forwardCode('hidden'),
  },
  {
    name: 'forwardOutput',
    wasm: ['denseForward', 'sigmoid'],
    doc: 'As forward, for the output layer: a = sigmoid(W x + b), or W x + b before the softmax of log-likelihood (outputDelta, score).',
    buffers: ['x', 'params', 'hs:rw', 'a:rw', 'keys:u32'],
    args: ['rows', 'cols', 'w', 'b', 'layer', 'threshold', 'scale:f32'],
    workgroup: [16, 16],
    code: (s) => forwardCode(s.cost === 'log-likelihood' ? 'softmax' : 'sigmoid'),
  },
  {
    name: 'outputDelta',
    wasm: ['softmaxRows', 'outputDeltaQuadratic', 'outputDeltaDifference', 'costQuadratic'],
    doc: 'a, delta are (m, classes); y (m) u32; costs (batches). The softmax in place (log-likelihood), delta^L = 2 (a - y) a (1 - a) (quadratic) or a - y, and costs[slot] = the batch\'s summed cost, in a fixed order.',
    buffers: ['a:rw', 'delta:rw', 'y:u32', 'costs:rw'],
    args: ['classes'],
    workgroup: [64, 1],
    code: (s) =>
      costCode(s.cost) +
      perExample(
        `sum.x += costOf(row, K, label);
    for (var j = 0u; j < K; j++) {
      let v = a[row + j];
      let yj = select(0.0, 1.0, j == label);
      delta[row + j] = ${s.cost === 'quadratic' ? 'flushed(2.0 * (v - yj) * (v * (1.0 - v)))' : 'v - yj'};
    }`,
        'costs[step.slot] = s.x;',
      ),
  },
  {
    name: 'backwardInput',
    wasm: ['denseBackwardInput', 'dropoutBackward', 'sigmoidPrimeMul', 'tanhPrimeMul', 'reluPrimeMul'],
    doc: 'delta is (m, rows); W (rows, cols) at args.w in params; below, h (m, cols). below = (delta W) masked as layer args.layer dropped its units, times f\'(z) from h = f(z).',
    buffers: ['delta', 'params', 'below:rw', 'h', 'keys:u32'],
    args: ['rows', 'cols', 'w', 'layer', 'threshold', 'scale:f32'],
    workgroup: [16, 16],
    activated: true,
    code: (s) => activationCode(s.activation) + DROPOUT_CODE + backwardInputCode(),
  },
  {
    name: 'update',
    wasm: ['denseSgdStep', 'sparseOuter', 'denseGradient', 'sparseGradientColumns', 'scaleInPlace', 'addScaled', 'sgdUpdate', 'momentumUpdate', 'adamUpdate', 'sparseAdamColumns'],
    doc: 'delta is (m, rows); x (m, cols); W (rows, cols) at args.w and b at args.b in params; m1, m2 the optimizer\'s state in the parameters\' layout. Each weight\'s and bias\'s gradient summed over the batch in order, then its update (SGD, momentum or Adam, with L2).',
    buffers: ['delta', 'x', 'params:rw', 'm1:rw', 'm2:rw'],
    args: ['rows', 'cols', 'w', 'b'],
    workgroup: [16, 16],
    code: (s) => updateCode(s.optimizer),
  },
  {
    name: 'maxNorm',
    wasm: ['maxNormRows', 'maxNormColumns'],
    doc: 'W is (rows, cols) at args.w in params. Each row whose squared norm (summed in order) exceeds c^2 is scaled by c / sqrt(that).',
    buffers: ['params:rw'],
    args: ['rows', 'cols', 'w', 'c:f32'],
    workgroup: [64, 1],
    code: () => /* wgsl */ `
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  if (j >= args.rows) { return; }
  let row = args.w + j * args.cols;
  var s = 0.0;
  for (var i = 0u; i < args.cols; i++) { s += params[row + i] * params[row + i]; }
  if (s > args.c * args.c) {
    let f = args.c / sqrt(s);
    for (var i = 0u; i < args.cols; i++) { params[row + i] = params[row + i] * f; }
  }
}`,
  },
  {
    name: 'score',
    wasm: ['softmaxRows', 'costQuadratic', 'argmaxRows'],
    doc: 'a is (m, classes); y (m) u32; scores (2 chunks). The softmax in place (log-likelihood); scores[2 slot] = the examples whose largest output (the first on ties) is their label, scores[2 slot + 1] = their summed cost, in a fixed order.',
    buffers: ['a:rw', 'y:u32', 'scores:rw'],
    args: ['classes'],
    workgroup: [64, 1],
    code: (s) =>
      costCode(s.cost) +
      perExample(
        `sum.y += costOf(row, K, label);
    var best = 0u;
    for (var j = 1u; j < K; j++) { if (a[row + j] > a[row + best]) { best = j; } }
    sum.x += select(0.0, 1.0, best == label);`,
        'scores[2u * step.slot] = s.x;\n    scores[2u * step.slot + 1u] = s.y;',
      ),
  },
  ...AUGMENT_KERNELS,
];

export function gpuKernel(name: string): GpuKernel {
  const k = GPU_KERNELS.find((r) => r.name === name);
  if (!k) throw new Error(`no GPU kernel ${name}`);
  return k;
}

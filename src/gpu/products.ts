// The tiled matrix product the dense layers run on the GPU, C (M, N) = sum over k < K of A(i, k)
// B(k, j), in workgroup memory, for any M, N, K (tiles past the edges read zeros), and its three
// uses with their epilogues: the forward pass (bias and activation), the backward pass to the
// layer below (its dropout mask and f'), and each layer's gradient fused with its update. Each
// output sums k in order in one invocation: the same bits on a device for the same inputs. Not
// for: the elementwise kernels (kernels.ts), binding or dispatch (pipelines.ts).
import type { Optimizer } from '../core/optimizer.js';

/** A tile is TILE x TILE outputs (16 x 16 invocations, 2 x 2 outputs each), K taken DEPTH at a time. */
export const TILE = 32;
const DEPTH = 16;

interface Product {
  /** M, N, K as WGSL expressions. */
  M: string;
  N: string;
  K: string;
  /** A(i, k) and B(k, j) for indices within the bounds; `contiguous` says which index runs along memory. */
  a: { value: string; contiguous: 'i' | 'k' };
  b: { value: string; contiguous: 'j' | 'k' };
  /** The epilogue: statements storing `c`, the output (i, j). */
  store: string;
}

/** A tile's loads: consecutive invocations read consecutive addresses. */
function load(tile: string, value: string, outer: string, contiguous: boolean, n: number): string {
  const [o, k] = contiguous ? [`e / ${DEPTH}u`, `e % ${DEPTH}u`] : [`e % ${n}u`, `e / ${n}u`];
  return `for (var e = t; e < ${n * DEPTH}u; e += 256u) {
      let ${outer} = ${outer}0 + ${o};
      let k = k0 + ${k};
      var v = 0.0;
      if (${outer} < ${outer === 'i' ? 'M' : 'N'} && k < K) { v = ${value}; }
      ${tile}[(${k}) * ${n}u + ${o}] = v;
    }`;
}

/** The product's `main`, with 2 x 2 outputs per invocation: rows ly and ly + 16, columns lx and lx + 16 of the tile. */
export function product(p: Product): string {
  return /* wgsl */ `
var<workgroup> tileA: array<f32, ${TILE * DEPTH}>;
var<workgroup> tileB: array<f32, ${TILE * DEPTH}>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) t: u32) {
  let M = ${p.M};
  let N = ${p.N};
  let K = ${p.K};
  let i0 = wg.y * ${TILE}u;
  let j0 = wg.x * ${TILE}u;
  var acc = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  for (var k0 = 0u; k0 < K; k0 += ${DEPTH}u) {
    ${load('tileA', p.a.value, 'i', p.a.contiguous === 'k', TILE)}
    ${load('tileB', p.b.value, 'j', p.b.contiguous === 'k', TILE)}
    workgroupBarrier();
    for (var kk = 0u; kk < ${DEPTH}u; kk++) {
      let a0 = tileA[kk * ${TILE}u + lid.y];
      let a1 = tileA[kk * ${TILE}u + lid.y + 16u];
      let b0 = tileB[kk * ${TILE}u + lid.x];
      let b1 = tileB[kk * ${TILE}u + lid.x + 16u];
      acc[0] += a0 * b0;
      acc[1] += a0 * b1;
      acc[2] += a1 * b0;
      acc[3] += a1 * b1;
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let i = i0 + lid.y + 16u * (r / 2u);
    let j = j0 + lid.x + 16u * (r % 2u);
    if (i < M && j < N) {
      let c = acc[r];
      ${p.store}
    }
  }
}
`;
}

/**
 * z^l = W^l a^(l-1) + b^l for the batch (x is (m, cols), W (rows, cols) at args.w in params), then
 * a = f(z) (hidden: the activation, with h = f(z) kept and a its dropout; the output layer: sigmoid,
 * or z itself before the softmax).
 */
export function forwardCode(output: 'hidden' | 'sigmoid' | 'softmax'): string {
  const store = {
    hidden: `let h = activate(c + params[args.b + j]);
      if (args.threshold != 0u) { hs[i * N + j] = h; }
      a[i * N + j] = dropped(h, keys[1u + args.layer], step.row0 + i, N, j, args.threshold, args.scale);`,
    sigmoid: 'a[i * N + j] = sigmoid(c + params[args.b + j]);',
    softmax: 'a[i * N + j] = c + params[args.b + j];',
  }[output];
  return product({ M: 'step.m', N: 'args.rows', K: 'args.cols', a: { value: 'x[i * K + k]', contiguous: 'k' }, b: { value: 'params[args.w + j * K + k]', contiguous: 'k' }, store });
}

/**
 * delta^(l-1) = (delta^l W^l) times the dropout mask of layer l-1 and f'(z^(l-1)) from its f(z) in
 * `h` (delta is (m, rows), W (rows, cols), below (m, cols)): denseBackwardInput, dropoutBackward,
 * the activation's primeMul.
 */
export function backwardInputCode(): string {
  return product({
    M: 'step.m',
    N: 'args.cols',
    K: 'args.rows',
    a: { value: 'delta[i * K + k]', contiguous: 'k' },
    b: { value: 'params[args.w + k * N + j]', contiguous: 'j' },
    store: `below[i * N + j] = primeMul(dropped(c, keys[1u + args.layer], step.row0 + i, N, j, args.threshold, args.scale), h[i * N + j]);`,
  });
}

/**
 * The update of layer l from its summed gradient, made and used in one invocation: g = sum_n
 * delta[n, j] x[n, c] for c < cols (W[j, c]), and sum_n delta[n, j] for c = cols (b[j]); then the
 * optimizer's rule (updateCode) on the parameter, with L2 on the weights.
 */
export function updateCode(optimizer: Optimizer): string {
  return product({
    M: 'args.rows',
    N: 'args.cols + 1u',
    K: 'step.m',
    a: { value: 'delta[k * M + i]', contiguous: 'i' },
    b: { value: 'input(k, j)', contiguous: 'j' },
    store: `let weight = j < args.cols;
      update(select(args.b + i, args.w + i * args.cols + j, weight), c, weight);`,
  }) + INPUT + UPDATES[optimizer];
}

/** x[n, c], and 1 for the bias column c = cols. */
const INPUT = /* wgsl */ `
fn input(n: u32, c: u32) -> f32 {
  if (c < args.cols) { return x[n * args.cols + c]; }
  return 1.0;
}`;

/**
 * One parameter's update from its summed gradient g, as core/optimizer-state.ts updateRange and
 * the wasm kernels (sgdUpdate, momentumUpdate, adamUpdate): L2 as the one-thread step makes it
 * (SGD: the weight times 1 - eta lambda / N first; momentum and Adam: g += m lambda / N w).
 */
const UPDATES: Record<Optimizer, string> = {
  sgd: /* wgsl */ `
fn update(p: u32, g: f32, weight: bool) {
  let w = params[p];
  params[p] = select(w, w * step.shrink, weight) - step.scale * g;
}`,
  momentum: /* wgsl */ `
fn update(p: u32, g: f32, weight: bool) {
  let w = params[p];
  let gd = select(g, g + step.decay * w, weight && step.decay > 0.0);
  var v = step.momentum * m1[p] - step.scale * gd;
  if (abs(v) < TINY) { v = 0.0; }
  m1[p] = v;
  params[p] = w + v;
}`,
  adam: /* wgsl */ `
fn update(p: u32, g: f32, weight: bool) {
  let w = params[p];
  let gs = step.gradScale * select(g, g + step.decay * w, weight && step.decay > 0.0);
  var mi = step.beta1 * m1[p] + (1.0 - step.beta1) * gs;
  var vi = step.beta2 * m2[p] + (1.0 - step.beta2) * (gs * gs);
  if (abs(mi) < TINY) { mi = 0.0; }
  if (vi < TINY) { vi = 0.0; }
  m1[p] = mi;
  m2[p] = vi;
  params[p] = w - step.rate * mi / (sqrt(vi) + step.epsilon);
}`,
};

// The jax-js peer of the peers bench (bench/peers.mjs): one epoch of one of the three configs
// (configs.mjs) with npm @jax-js/jax on its wasm backend (one thread in Node: its worker pool needs
// a global Worker), the whole training step jitted (the gradient of the loss by `grad`, then a
// hand-written SGD or Adam update: @jax-js/optax is not on the registry). Each batch is gathered in
// JS from the u8 images (/ 255, shuffled order) and handed over as a new array. Prints {seconds,
// testAccuracy, ...} as JSON; a worker of worker.mjs's protocol; run alone:
//   node bench/peers/jaxjs.mjs --config B
// Exits with code 3 and a one-line note when @jax-js/jax is not installed. Not for: anything but
// the bench.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadMnist } from '../../dist/node.js';
import { ADAM, CONFIGS, WARMUP_BATCHES } from './configs.mjs';
import { serveOrRun } from './worker.mjs';

let jax;
try {
  jax = await import('@jax-js/jax');
} catch {
  process.stderr.write('jax-js: @jax-js/jax is not installed (a devDependency: npm install)\n');
  process.exit(3);
}
const { numpy: np, nn, jit, grad, tree, init, defaultDevice, blockUntilReady } = jax;
await init('wasm');
defaultDevice('wasm');
/** The installed version (its package.json is not among the package's exports: read beside its entry). */
const VERSION = (() => {
  const entry = createRequire(import.meta.url).resolve('@jax-js/jax');
  return JSON.parse(readFileSync(join(entry.slice(0, entry.lastIndexOf('/dist/')), 'package.json'), 'utf8')).version;
})();

const { train: mnist, test } = await loadMnist();

/** Seeded N(0, 1) draws (xorshift32 + Box-Muller): the initial parameters, not wasm-mlp's exact ones. */
function normals(n, seed) {
  let s = seed >>> 0 || 1;
  const u32 = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>>= 0));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log((u32() + 1) / 4294967297)) * Math.cos((2 * Math.PI * u32()) / 4294967296);
  return out;
}

/** {W, b} as wasm-mlp's init option: 'normal' N(0, 1) weights and biases, 'he' N(0, 2/n_in) weights and zero biases. */
function initialParams(c, seed) {
  const W = [];
  const b = [];
  for (let l = 1; l < c.sizes.length; l++) {
    const [nIn, nOut] = [c.sizes[l - 1], c.sizes[l]];
    const scale = c.init === 'he' ? Math.sqrt(2 / nIn) : 1;
    W.push(np.array(normals(nIn * nOut, seed + l).map((v) => v * scale)).reshape([nIn, nOut]));
    b.push(c.init === 'he' ? np.zeros([nOut]) : np.array(normals(nOut, seed + 100 + l)));
  }
  return { W, b };
}

/** Output-layer values before the cost: sigmoid activations (config A) or logits (softmax in the loss). */
function forward(c, p, x) {
  let a = x;
  const L = p.W.length;
  for (let l = 0; l < L; l++) {
    const z = np.matmul(a, p.W[l]).add(p.b[l]);
    a = c.activation === 'sigmoid' ? nn.sigmoid(z) : l < L - 1 ? nn.relu(z) : z;
  }
  return a;
}

/** Mean over the batch of sum_j (a_j - y_j)^2 (quadratic) or -sum_j y_j log softmax_j (log-likelihood); y one-hot. */
function loss(c, p, x, y) {
  const m = x.shape[0];
  const out = forward(c, p, x);
  if (c.cost === 'quadratic') return np.sum(np.square(out.sub(y))).div(m);
  return np.sum(y.mul(nn.logSoftmax(out, -1))).div(-m);
}

function stepFor(c) {
  const g = (p, x, y) => grad((q, xx, yy) => loss(c, q, xx, yy))(p, x, y);
  if (c.optimizer === 'sgd') {
    const sgd = jit((p, x, y) => tree.map((w, dw) => w.sub(dw.mul(c.eta)), p, g(tree.ref(p), x, y)));
    return { state: () => null, step: (p, x, y) => sgd(p, x, y), dispose: () => sgd.dispose() };
  }
  const { beta1, beta2, epsilon } = ADAM;
  // c1 = 1 / (1 - beta1^t), c2 = 1 / (1 - beta2^t): Adam's bias corrections, as scalars (no recompiles)
  const adam = jit((p, m, v, x, y, c1, c2) => {
    const dp = g(tree.ref(p), x, y);
    const m2 = tree.map((mi, d) => mi.mul(beta1).add(d.mul(1 - beta1)), m, tree.ref(dp));
    const v2 = tree.map((vi, d) => vi.mul(beta2).add(np.square(d).mul(1 - beta2)), v, dp);
    const p2 = tree.map((w, mi, vi) => w.sub(mi.mul(c1.ref).mul(c.eta).div(np.sqrt(vi.mul(c2.ref)).add(epsilon))), p, tree.ref(m2), tree.ref(v2));
    c1.dispose();
    c2.dispose();
    return [p2, m2, v2];
  });
  return {
    state: (p) => ({ t: 0, m: tree.map((w) => np.zeros(w.shape), p), v: tree.map((w) => np.zeros(w.shape), p) }),
    step: (p, x, y, s) => {
      s.t++;
      const [p2, m2, v2] = adam(p, s.m, s.v, x, y, np.array(1 / (1 - beta1 ** s.t)), np.array(1 / (1 - beta2 ** s.t)));
      s.m = m2;
      s.v = v2;
      return p2;
    },
    dispose: () => adam.dispose(),
  };
}

/** The batch of `order[start .. start + m)`: images / 255 and one-hot labels, as new jax arrays. */
function batch(data, order, start, m) {
  const x = new Float32Array(m * 784);
  const y = new Float32Array(m * 10);
  for (let i = 0; i < m; i++) {
    const k = order[start + i];
    const img = data.images.subarray(k * 784, k * 784 + 784);
    for (let j = 0; j < 784; j++) x[i * 784 + j] = img[j] / 255;
    y[i * 10 + data.labels[k]] = 1;
  }
  return [np.array(x).reshape([m, 784]), np.array(y).reshape([m, 10])];
}

function shuffled(n, seed) {
  const order = new Uint32Array(n).map((_, i) => i);
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

async function measure({ config, threads = 1, examples = 60000, seed = 1 }) {
  const c = CONFIGS[config];
  if (!c) throw new Error(`no config ${config}`);
  if (threads !== 1) throw new Error('jax-js runs on one thread in Node');
  const { step, state, dispose } = stepFor(c);
  let p = initialParams(c, Number(seed));
  const s = state(p);
  const bs = c.batchSize;
  // waiting for every step's result keeps jax-js's queue short: without it, steps here slowed
  // 10-50x within a few hundred (its README: call blockUntilReady regularly in a loop)
  const run = async (order, n) => {
    for (let start = 0; start < n; start += bs) {
      const [x, y] = batch(mnist, order, start, Math.min(bs, n - start));
      p = step(p, x, y, s);
      await blockUntilReady(p);
    }
  };
  // warm-up: full batches, then one of the epoch's last (shorter) size, so no shape compiles in the timed epoch
  const warm = shuffled(examples, 99);
  await run(warm, WARMUP_BATCHES * bs);
  if (examples % bs) await run(warm.subarray(0, examples % bs), examples % bs);

  const t0 = performance.now();
  await run(shuffled(examples, Number(seed)), examples);
  const seconds = (performance.now() - t0) / 1000;

  const x = np.array(Float32Array.from(test.images, (v) => v / 255)).reshape([test.count, 784]);
  const predicted = await np.argmax(forward(c, tree.ref(p), x), 1).data();
  let correct = 0;
  for (let i = 0; i < test.count; i++) correct += predicted[i] === test.labels[i] ? 1 : 0;
  tree.dispose(p);
  if (s) tree.dispose([s.m, s.v]);
  dispose?.();
  return { impl: `jax-js ${VERSION}`, node: process.version, config, threads: 1, examples, seconds, testAccuracy: correct / test.count };
}

await serveOrRun(measure, { seed: { type: 'string', default: '1' } }, { impl: `jax-js ${VERSION}` });

// How 'scale' divides features, measured (issue 20): each feature by its own RMS (before), one
// global RMS, its own RMS floored at the global one (now), and / 255, on MNIST as floats (x / 255,
// 20,000 / 5,000 rows, 784-30-10, 2 epochs), MNIST's u8 values as features, and bag-of-words counts
// made here (seeded; 2,000 words, 10 topics, 8,000 / 2,000 documents, 2000-30-10, 5 epochs); two
// training setups, seeds 1-3. Prints a Markdown table. Usage: npm run build && node bench/standardize.mjs.
// Not a test: it asserts nothing; not part of npm run bench.
import { createFeatureDataset, Network, Rng, sliceDataset, standardizeDataset, train } from '../dist/index.js';
import { loadMnist } from '../dist/node.js';

const { train: mnistTrain, test: mnistTest } = await loadMnist();
const mnist = (d, n, f) => {
  const s = sliceDataset(d, 0, n);
  return createFeatureDataset({ features: Float32Array.from(s.images, f), labels: s.labels.slice(), width: 784, classes: 10 });
};

/** Documents of `length` 20..120 words: 85% from a Zipf(1.1) background over V words, 15% from the class's 40 topic words. */
function bagOfWords(count, rng, topics, cdf) {
  const V = cdf.length;
  const features = new Float32Array(count * V);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const k = rng.below(topics.length);
    labels[n] = k;
    const length = 20 + rng.below(101);
    for (let w = 0; w < length; w++) {
      let word;
      if (rng.float() < 0.15) word = topics[k][rng.below(topics[k].length)];
      else {
        const u = rng.float();
        let lo = 0;
        let hi = V - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid] < u) lo = mid + 1;
          else hi = mid;
        }
        word = lo;
      }
      features[n * V + word]++;
    }
  }
  return createFeatureDataset({ features, labels, width: V, classes: topics.length });
}
const rng = new Rng(20);
const V = 2000;
const weights = Array.from({ length: V }, (_, i) => 1 / (i + 1) ** 1.1);
const total = weights.reduce((a, b) => a + b);
let acc = 0;
const cdf = weights.map((w) => (acc += w / total));
const topics = Array.from({ length: 10 }, () => Array.from({ length: 40 }, () => rng.below(V)));

const sets = [
  ['MNIST as floats (x / 255)', mnist(mnistTrain, 20000, (v) => Math.fround(v / 255)), mnist(mnistTest, 5000, (v) => Math.fround(v / 255)), [784, 30, 10], 2],
  ['MNIST u8 values as features', mnist(mnistTrain, 20000, (v) => v), mnist(mnistTest, 5000, (v) => v), [784, 30, 10], 2],
  ['bag of words (counts)', bagOfWords(8000, rng, topics, cdf), bagOfWords(2000, rng, topics, cdf), [2000, 30, 10], 5],
];

function rms(d) {
  const { width: W, count: N, features: x } = d;
  const sq = new Float64Array(W);
  for (let i = 0; i < x.length; i++) sq[i % W] += x[i] * x[i];
  const all = Math.sqrt(sq.reduce((a, b) => a + b) / (N * W));
  return { each: Array.from(sq, (s) => Math.sqrt(s / N)), all };
}
const divisors = {
  'own RMS (before)': (r) => r.each.map((v) => (v > 1e-12 ? v : 1)),
  'global RMS': (r) => r.each.map(() => r.all),
  'own RMS, floor = global RMS (now)': (r) => r.each.map((v) => Math.max(v, r.all)),
  'own RMS, floor = global RMS / 4': (r) => r.each.map((v) => Math.max(v, r.all / 4)),
  '/ 255': (r) => r.each.map(() => 255),
};
const setups = [
  ['defaults (sigmoid, quadratic, SGD 1.5, batch 10)', {}, { eta: 1.5, batchSize: 10 }],
  ['ReLU, softmax, Adam 0.001, batch 32', { activation: 'relu', cost: 'log-likelihood', init: 'he' }, { eta: 0.001, batchSize: 32, optimizer: 'adam' }],
];

console.log('| data | divisor | setup | seeds 1, 2, 3 | mean |\n|---|---|---|---|---:|');
for (const [name, trainSet, testSet, sizes, epochs] of sets) {
  const r = rms(trainSet);
  for (const [divisor, f] of Object.entries(divisors)) {
    if (divisor === '/ 255' && name.startsWith('MNIST as floats')) continue;
    const s = { mean: new Float32Array(trainSet.width), std: Float32Array.from(f(r)) };
    const a = standardizeDataset(trainSet, s);
    const b = standardizeDataset(testSet, s);
    for (const [setup, netOptions, trainOptions] of setups) {
      const accuracies = [];
      for (const seed of [1, 2, 3]) {
        const net = await Network.create({ sizes, seed, ...netOptions });
        const { history } = await train(net, a, { epochs, seed, test: b, yieldEveryMs: 1e9, ...trainOptions });
        accuracies.push(100 * history[history.length - 1].testAccuracy);
        net.dispose();
      }
      console.log(`| ${name} | ${divisor} | ${setup} | ${accuracies.map((v) => v.toFixed(2)).join(', ')} | ${(accuracies.reduce((p, q) => p + q) / 3).toFixed(2)} |`);
    }
  }
}

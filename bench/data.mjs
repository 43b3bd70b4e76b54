// `npm run bench` (after run.mjs): people's own data. MNIST written as a CSV of 60,000 rows x 784
// columns and as a 10-class folder of 1,000 PNGs (in a temp folder), read back, and epochs of
// the seed config trained on the CSV's features (sparse and dense gathers) against the same data
// as IDX images, in the same run. Prints a table (or --json). Not a test: it asserts nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { Network, standardizeDataset, fitStandardization, sliceData, sliceDataset, train } from '../dist/index.js';
import { loadMnist, readCsvDataset, readImageFolder } from '../dist/node.js';

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false }, quick: { type: 'boolean', default: false } } });
const log = (...a) => (args.json ? process.stderr.write(`${a.join(' ')}\n`) : console.log(...a));
const { train: mnist } = await loadMnist();
const N = args.quick ? 10000 : 60000;
const images = sliceDataset(mnist, 0, N);
const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-bench-data-'));
const rows = [];
try {
  // ---- CSV: write, read (csv-parse, streamed), train
  log('writing the CSV ...');
  const csv = join(dir, 'mnist.csv');
  const lines = [`${Array.from({ length: 784 }, (_, i) => `p${i}`).join(',')},label`];
  for (let n = 0; n < N; n++) lines.push(`${images.images.subarray(n * 784, (n + 1) * 784).join(',')},${images.labels[n]}`);
  writeFileSync(csv, lines.join('\n'));
  let t0 = performance.now();
  const features = await readCsvDataset(csv, { labelColumn: 'label' });
  rows.push({ what: `read a CSV of ${N.toLocaleString('en-US')} rows x 784 columns (csv-parse)`, seconds: (performance.now() - t0) / 1000 });

  const epoch = async (data) => {
    const net = await Network.create({ sizes: [784, 30, 10], seed: 1 });
    await train(net, sliceData(data, 0, 2000), { epochs: 1, batchSize: 10 }); // warm-up
    const { history } = await train(net, data, { epochs: 3, batchSize: 10, yieldEveryMs: 1e9 });
    net.dispose();
    return Math.min(...history.map((h) => h.trainSeconds)) * (60000 / data.count); // the fastest of 3 epochs: the machine only adds time
  };
  const idx = await epoch(images);
  const sparse = standardizeDataset(features, fitStandardization(features, 'scale')); // scaled only, zeros kept ('auto' takes the image path: MNIST is pixel data)
  const dense = standardizeDataset(features, fitStandardization(features, 'mean-std')); // centred: every value nonzero
  const scaled = { ...features, features: features.features.map((v) => v / 255) };
  for (const [what, data] of [['IDX images (u8, run tables)', images], ['CSV features / 255 (f32, sparse gather)', scaled], ['CSV features, --standardize scale (f32, sparse gather)', sparse], ['CSV features, --standardize mean-std (f32, dense gather)', dense]]) {
    const s = what.startsWith('IDX') ? idx : await epoch(data);
    rows.push({ what: `784-30-10 b10, 1 thread, an epoch (fastest of 3): ${what}`, seconds: s, ratio: idx / s });
  }

  // ---- an image folder of 1,000 PNGs
  log('writing 1,000 PNGs ...');
  const folder = join(dir, 'digits');
  for (let n = 0; n < 1000; n++) {
    const c = join(folder, `class${images.labels[n]}`);
    mkdirSync(c, { recursive: true });
    const p = new PNG({ width: 28, height: 28, colorType: 0 });
    for (let i = 0; i < 784; i++) p.data.set([images.images[n * 784 + i], images.images[n * 784 + i], images.images[n * 784 + i], 255], 4 * i);
    writeFileSync(join(c, `${n}.png`), PNG.sync.write(p));
  }
  await readImageFolder(folder); // warm-up (module compilation, file cache)
  t0 = performance.now();
  const read = await readImageFolder(folder);
  rows.push({ what: `read a 10-class folder of ${read.data.count.toLocaleString('en-US')} PNGs (28 x 28)`, seconds: (performance.now() - t0) / 1000 });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (args.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
else {
  console.log(`\nwasm-mlp bench: people's own data (${N.toLocaleString('en-US')} MNIST images)`);
  console.table(rows.map((r) => ({ what: r.what, seconds: r.seconds.toFixed(3), 'x IDX speed': r.ratio === undefined ? '' : r.ratio.toFixed(2) })));
}

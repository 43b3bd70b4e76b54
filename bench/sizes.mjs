// Sizes of what a web page downloads: the library's JS for Network + train + RemoteNetwork as a
// bundler tree-shakes it (minified), the plain-script build, its workers and each .wasm, raw and
// gzipped. `node bench/sizes.mjs` prints the table; `--docs` rewrites the table of docs/browser.md
// between its markers; `--json` prints one JSON object. Run after `npm run build`. Not for: speed.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The page whose table `--docs` rewrites, from the repository root. */
export const SIZES_PAGE = 'docs/browser.md';

/** Bytes and gzipped bytes (level 9, as servers commonly send) of a file. */
function measure(path) {
  const bytes = readFileSync(path);
  return { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/**
 * Minified JS of an entry that imports `names` from the library's module `from`, bundled the way a
 * Vite app is: the entry chunk and every chunk it imports statically (what a page loads before the
 * library runs; chunks imported dynamically, such as the threads' pool, load only when used), and,
 * with `lazy` (a chunk's name), that dynamically imported chunk and its own static imports besides.
 */
async function treeShaken(names, from = 'dist/index.js', lazy = null) {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-sizes-'));
  try {
    const entry = join(dir, 'entry.js');
    writeFileSync(entry, `export { ${names.join(', ')} } from ${JSON.stringify(join(root, from))};\n`);
    const [output] = [await build({
      configFile: false,
      logLevel: 'silent',
      base: './',
      publicDir: false,
      build: {
        outDir: join(dir, 'out'),
        target: 'es2022',
        minify: true,
        assetsInlineLimit: 0,
        modulePreload: false,
        rollupOptions: { input: { entry }, preserveEntrySignatures: 'allow-extension', output: { entryFileNames: '[name].js', chunkFileNames: '[name].js', assetFileNames: '[name][extname]' } },
      },
      worker: { format: 'es' },
    })].flat();
    const chunks = new Map(output.output.filter((c) => c.type === 'chunk').map((c) => [c.fileName, c]));
    const measure = (loaded) => ({
      bytes: [...loaded].reduce((t, name) => t + Buffer.byteLength(chunks.get(name).code), 0),
      gzip: [...loaded].reduce((t, name) => t + gzipSync(chunks.get(name).code, { level: 9 }).length, 0),
    });
    const visit = (loaded, name) => {
      if (loaded.has(name)) return loaded;
      loaded.add(name);
      for (const dep of chunks.get(name).imports) visit(loaded, dep);
      return loaded;
    };
    const loaded = visit(new Set(), 'entry.js');
    if (!lazy) return measure(loaded);
    const more = [...visit(new Set(), `${lazy}.js`)].filter((name) => !loaded.has(name));
    return [measure(loaded), measure(more)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function sizes() {
  const [infer, onnx] = await treeShaken(['loadPredictor'], 'dist/infer.js', 'onnx-import');
  const rows = [
    { what: '`Network`, `train`, `RemoteNetwork` (as a bundler tree-shakes them)', ...(await treeShaken(['Network', 'train', 'RemoteNetwork'])) },
    { what: '`loadPredictor` from `wasm-mlp/infer` (inference only, plain JavaScript)', ...infer },
    { what: 'onnx-import.js (its ONNX reader, loaded when the bytes are an ONNX file)', ...onnx },
  ];
  const browser = join(root, 'dist/browser');
  const label = {
    'wasm-mlp.js': 'dist/browser/wasm-mlp.js (the whole library, plain-script build)',
    'pool.js': 'pool.js (the threads\' pool, loaded when a network trains on threads)',
    'run.js': 'run.js (training on the GPU: loaded when a network made with kernels \'webgpu\' trains)',
    'worker.js': 'worker.js (a training thread)',
    'train-worker.js': 'train-worker.js (RemoteNetwork\'s worker)',
    'wasm-mlp.relaxed.wasm': 'wasm-mlp.relaxed.wasm (relaxed SIMD, fused multiply-adds: the default where the engine has it)',
    'wasm-mlp.wasm': 'wasm-mlp.wasm (SIMD: the same bits on every machine; the default on engines without relaxed SIMD)',
    'wasm-mlp.scalar.wasm': 'wasm-mlp.scalar.wasm (engines without SIMD)',
    'wasm-mlp.relaxed-threads.wasm': 'wasm-mlp.relaxed-threads.wasm (relaxed, threads: shared memory)',
    'wasm-mlp.threads.wasm': 'wasm-mlp.threads.wasm (SIMD, threads: shared memory)',
  };
  for (const file of readdirSync(browser).sort((a, b) => Object.keys(label).indexOf(a) - Object.keys(label).indexOf(b))) {
    rows.push({ what: label[file] ?? file, ...measure(join(browser, file)) });
  }
  return rows;
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

export function table(rows) {
  return ['| file | minified | gzipped |', '|---|---:|---:|', ...rows.map((r) => `| ${r.what} | ${kb(r.bytes)} | ${kb(r.gzip)} |`)].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await sizes();
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
  } else if (process.argv.includes('--docs')) {
    const path = join(root, SIZES_PAGE);
    const page = readFileSync(path, 'utf8');
    const start = '<!-- sizes:start (bench/sizes.mjs --docs) -->';
    const end = '<!-- sizes:end -->';
    const [before, rest] = page.split(start);
    if (rest === undefined || !rest.includes(end)) throw new Error(`${SIZES_PAGE} has no ${start} ... ${end} markers`);
    writeFileSync(path, `${before}${start}\n${table(rows)}\n${end}${rest.slice(rest.indexOf(end) + end.length)}`);
    process.stdout.write(`${table(rows)}\n`);
  } else {
    process.stdout.write(`${table(rows)}\n`);
  }
}

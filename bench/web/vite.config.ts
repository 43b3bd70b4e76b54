// The benchmark page (bench/web/): built by `npm run bench:web` into dist-bench/ and served
// cross-origin isolated (threads need SharedArrayBuffer), with the demo page's MNIST files
// (web/public/generated, made by web/prepare.mjs). It imports the library's built dist/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: fileURLToPath(new URL('../../web/public', import.meta.url)),
  resolve: { alias: { 'wasm-mlp': fileURLToPath(new URL('../../dist/index.js', import.meta.url)) } },
  build: { outDir: fileURLToPath(new URL('../../dist-bench', import.meta.url)), emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
});

// The demo page (web/): served by `npm run dev`, built by `npm run build:web` into dist-web/.
// It imports the library as a Vite app would ('wasm-mlp', here the built dist/ of this package).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { alias: { 'wasm-mlp': fileURLToPath(new URL('../dist/index.js', import.meta.url)) } },
  build: { outDir: fileURLToPath(new URL('../dist-web', import.meta.url)), emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
});

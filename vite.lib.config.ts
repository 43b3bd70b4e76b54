// The browser ESM build of the library: dist/browser/wasm-mlp.js, one module with the wasm
// inlined and the workers beside it, importable from a plain <script type="module"> (no bundler).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    lib: { entry: fileURLToPath(new URL('dist/index.js', import.meta.url)), formats: ['es'], fileName: () => 'wasm-mlp.js' },
    outDir: fileURLToPath(new URL('dist/browser', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
  },
  worker: { format: 'es' },
  logLevel: 'warn',
});

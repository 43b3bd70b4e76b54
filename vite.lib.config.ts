// The browser build of the library for pages without a bundler: dist/browser/wasm-mlp.js, one
// minified ES module importable from <script type="module">, with its two workers and the three
// .wasm builds beside it as files (the debug build is never shipped). Not for: bundler users, who
// import 'wasm-mlp' (dist/index.js) and let their bundler emit the same files.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const names = { entryFileNames: '[name].js', chunkFileNames: '[name].js', assetFileNames: '[name][extname]' };

export default defineConfig({
  base: './',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('dist/browser', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    assetsInlineLimit: 0,
    modulePreload: false,
    rollupOptions: {
      input: { 'wasm-mlp': fileURLToPath(new URL('dist/index.js', import.meta.url)) },
      preserveEntrySignatures: 'allow-extension',
      output: names,
    },
  },
  worker: { format: 'es', rollupOptions: { output: names } },
  logLevel: 'warn',
});

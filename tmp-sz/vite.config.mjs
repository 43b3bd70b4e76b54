import { defineConfig } from 'vite';
export default defineConfig({
  root: '/work/main/tmp-sz', base: './', logLevel: 'silent', publicDir: false,
  build: { outDir: '/work/main/tmp-sz/out', emptyOutDir: true, target: 'es2022', minify: process.env.MIN === '1', assetsInlineLimit: 0, modulePreload: false,
    rollupOptions: { input: { main: '/work/main/tmp-sz/entry.js' }, preserveEntrySignatures: 'allow-extension', output: { entryFileNames: '[name].js', chunkFileNames: '[name].js', assetFileNames: '[name][extname]' } } },
  worker: { format: 'es' },
});

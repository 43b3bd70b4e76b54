import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Three projects: `node` (kernels, training, files, CLI: run on every Node line CI tests),
// `relaxed` (the relaxed SIMD builds, on an engine that has them) and `browser` (the built page and
// bundles in headless Chromium, driven from Node by playwright-core). Node 20 has relaxed SIMD
// behind a flag only: `relaxed` and `browser` (whose Node side is compared with Chromium, which has
// it) turn it on there; Node 22+ has it on.
const relaxedFlag = process.versions.node.startsWith('20.') ? ['--experimental-wasm-relaxed-simd'] : [];
// Two test files at a time even on 2 cores (Vitest's default there is one): most of a file's time is
// spent waiting on Chromium, a child process or a worker, so the suites take 224 s instead of 310
// (measured on 2 shared cores, every test passing both ways; the build before them ~30 s).
const maxWorkers = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers,
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], exclude: ['test/browser/**', 'test/relaxed.test.ts'], globalSetup: ['test/setup/build.ts'] } },
      { extends: true, test: { name: 'relaxed', include: ['test/relaxed.test.ts'], globalSetup: ['test/setup/build.ts'], execArgv: relaxedFlag } },
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], globalSetup: ['test/setup/chromium.ts'], execArgv: relaxedFlag } },
    ],
  },
});

import { defineConfig } from 'vitest/config';

// Two projects: `node` (kernels, training, files, CLI: run on every Node line CI tests) and
// `browser` (the built page and bundles in headless Chromium, driven from Node by playwright-core).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], exclude: ['test/browser/**'], globalSetup: ['test/setup/build.ts'] } },
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], globalSetup: ['test/setup/chromium.ts'] } },
    ],
  },
});

// Once per test run, before any suite: the Chromium the browser suites launch (resolved here so
// that parallel suites never unpack it at the same time). Not for: anything a suite can do itself.
import type { TestProject } from 'vitest/node';
import { resolveChromium, type ChromiumInstall } from '../browser/chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: ChromiumInstall;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  if (project.name !== 'browser') return;
  project.provide('chromium', await resolveChromium());
}

// README.md's Node snippets run as written: each as an ES module file in a temp folder where
// 'wasm-mlp' is this package (a link in node_modules, as `npm install` would make), with plain Node.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readmeSnippets } from './support/readme.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-readme-'));
mkdirSync(join(dir, 'node_modules'));
symlinkSync(root, join(dir, 'node_modules', 'wasm-mlp'), 'dir');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const snippets = readmeSnippets();

describe('README.md snippets', () => {
  it('every js block of the README is marked with where it runs, and there are some', () => {
    expect(snippets.filter((s) => s.where === 'node').length).toBeGreaterThan(0);
    expect(snippets.filter((s) => s.where === 'browser').length).toBeGreaterThan(0);
  });

  it.each(snippets.filter((s) => s.where === 'node').map((s) => [s.line, s] as const))('README.md:%i runs in Node as written', async (line, s) => {
    const file = join(dir, `snippet-${line}.mjs`);
    writeFileSync(file, s.code);
    const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: dir, maxBuffer: 1 << 24 });
    expect(stdout.length).toBeGreaterThan(0);
  }, 120_000);
});

// The documentation as a reader meets it: the Node snippets of README.md and docs/*.md run as
// written, each as an ES module file in a temp folder where 'wasm-mlp' is this package (a link in
// node_modules, as `npm install` would make), with plain Node; and every relative link of those
// pages leads to a file that exists and, with a #fragment, to a heading of that page.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { docPages, docSnippets } from './support/snippets.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-readme-'));
mkdirSync(join(dir, 'node_modules'));
symlinkSync(root, join(dir, 'node_modules', 'wasm-mlp'), 'dir');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const snippets = docSnippets();

describe('documentation snippets', () => {
  it('there are Node and browser snippets, and the README has the Node one', () => {
    expect(snippets.filter((s) => s.where === 'node' && s.file === 'README.md').length).toBeGreaterThan(0);
    expect(snippets.filter((s) => s.where === 'browser').length).toBeGreaterThan(0);
  });

  it.each(snippets.filter((s) => s.where === 'node').map((s) => [`${s.file}:${s.line}`, s] as const))('%s runs in Node as written', async (_where, s) => {
    const file = join(dir, `snippet-${s.file.replace(/\W/g, '-')}-${s.line}.mjs`);
    writeFileSync(file, s.code);
    const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: dir, maxBuffer: 1 << 24 });
    expect(stdout.length).toBeGreaterThan(0);
  }, 120_000);
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

/** The Markdown text of a page outside its fenced code blocks. */
function prose(file: string): string {
  return readFileSync(join(root, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

describe('documentation links', () => {
  it.each(docPages())('every relative link of %s leads somewhere', (page) => {
    const broken: string[] = [];
    for (const [, target] of prose(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, fragment] = target.split('#');
      const file = path ? normalize(join(dirname(page), path)) : page;
      if (!existsSync(join(root, file))) broken.push(`${target}: no ${file}`);
      else if (fragment && file.endsWith('.md')) {
        const anchors = [...prose(file).matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1]));
        if (!anchors.includes(fragment)) broken.push(`${target}: no heading #${fragment} in ${file}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

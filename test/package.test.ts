// What the npm package ships, from `npm pack --dry-run --json`: every file package.json points
// users at (main, exports, bin, browser, the release .wasm builds), and nothing only we use (the
// debug build, assembly/, tests, benchmarks, the demo page). Not for: whether it runs (bundler.test.ts).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let files: string[];

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, maxBuffer: 1 << 24 });
  files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
}, 60_000);

/** Every path a package.json field names, as a relative file path. */
function named(value: unknown): string[] {
  if (typeof value === 'string') return [value.replace(/^\.\//, '')];
  if (value && typeof value === 'object') return Object.values(value).flatMap(named);
  return [];
}

describe('the npm package', () => {
  it('ships every file package.json names: main, types, exports, bin, browser', () => {
    const paths = [pkg.main, pkg.types, ...named(pkg.exports), ...named(pkg.bin), ...named(pkg.browser), ...Object.keys(pkg.browser).map((p) => p.replace(/^\.\//, ''))];
    for (const path of paths) expect(files, path).toContain(path);
  });

  it('ships the five release .wasm builds, README.md and LICENSE', () => {
    expect(files.filter((f) => f.endsWith('.wasm') && f.startsWith('build/')).sort()).toEqual(['build/wasm-mlp.relaxed-threads.wasm', 'build/wasm-mlp.relaxed.wasm', 'build/wasm-mlp.scalar.wasm', 'build/wasm-mlp.threads.wasm', 'build/wasm-mlp.wasm']);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
  });

  it('ships no debug build, no kernel sources (assembly/), no tests, benchmarks or demo page', () => {
    expect(files.filter((f) => f.includes('debug'))).toEqual([]);
    expect(files.filter((f) => /^(assembly|src|test|bench|web|docs|tmp-[^/]*)\//.test(f))).toEqual([]);
    expect(files.filter((f) => /\.test\.[jt]s$/.test(f))).toEqual([]);
    expect(files.filter((f) => !/^(dist\/|build\/[\w.-]+\.wasm$|README\.md$|LICENSE$|package\.json$)/.test(f))).toEqual([]);
  });
});

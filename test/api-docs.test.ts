// docs/api/, the API reference TypeDoc writes from the TSDoc comments of 'wasm-mlp' and
// 'wasm-mlp/node' (`npm run docs`), says what the sources say now: written again into a temp
// folder, it must match the committed files one for one.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const committed = join(root, 'docs/api');
const fresh = mkdtempSync(join(tmpdir(), 'wasm-mlp-api-'));
afterAll(() => rmSync(fresh, { recursive: true, force: true }));

const files = (dir: string) => (readdirSync(dir, { recursive: true, withFileTypes: true }) as { name: string; parentPath: string; isFile(): boolean }[])
  .filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();

it('docs/api/ is what `npm run docs` writes from the sources now', async () => {
  await promisify(execFile)(process.execPath, ['--import', './scripts/typescript-6.mjs', 'node_modules/typedoc/bin/typedoc', '--out', fresh], { cwd: root, maxBuffer: 1 << 24 });
  expect(files(committed), 'the files of docs/api/: run npm run docs').toEqual(files(fresh));
  for (const file of files(fresh)) {
    expect(readFileSync(join(committed, file), 'utf8'), `docs/api/${file} is stale: run npm run docs`).toBe(readFileSync(join(fresh, file), 'utf8'));
  }
}, 120_000);

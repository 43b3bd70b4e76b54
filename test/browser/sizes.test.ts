// What a web page downloads stays small, and the size table of docs/browser.md says what it is: the
// table is written by bench/sizes.mjs --docs (npm run sizes), and this holds it to a fresh measurement.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
// @ts-expect-error a plain JS script of the repository, without types
import { sizes, SIZES_PAGE } from '../../bench/sizes.mjs';

type Row = { what: string; bytes: number; gzip: number };

it('Network + train + RemoteNetwork minify to <= 12 KB gzipped, wasm-mlp/infer to <= 5 KB; the wasm is separate files; docs/browser.md matches', async () => {
  const rows = (await sizes()) as Row[];
  expect(rows[0].what).toMatch(/Network.*train.*RemoteNetwork/);
  expect(rows[0].gzip).toBeLessThanOrEqual(12 * 1024);
  expect(rows[1].what).toMatch(/loadPredictor.*infer/);
  expect(rows[1].gzip).toBeLessThanOrEqual(5 * 1024);
  expect(rows.map((r) => r.what.split(' ')[0])).toEqual(expect.arrayContaining(['wasm-mlp.relaxed.wasm', 'wasm-mlp.wasm', 'wasm-mlp.scalar.wasm', 'wasm-mlp.relaxed-threads.wasm', 'wasm-mlp.threads.wasm']));
  expect(rows.some((r) => r.what.includes('debug'))).toBe(false);
  const page = readFileSync(new URL(`../../${SIZES_PAGE}`, import.meta.url), 'utf8');
  for (const row of rows) {
    const line = page.split('\n').find((l) => l.startsWith(`| ${row.what} |`));
    expect(line, `${SIZES_PAGE} has no size row for ${row.what}: run npm run sizes`).toBeDefined();
    const [minified, gzipped] = line!.split('|').slice(2, 4).map((c) => parseFloat(c) * 1024);
    // the table's rounding (0.05 KB), and 2%: gzip output differs a little between zlib versions (Node lines)
    const near = (said: number, is: number) => Math.abs(said - is) <= 0.05 * 1024 + 0.02 * is;
    expect(near(minified, row.bytes), `${row.what}: ${SIZES_PAGE} says ${line}; run npm run sizes`).toBe(true);
    expect(near(gzipped, row.gzip), `${row.what}: ${SIZES_PAGE} says ${line}; run npm run sizes`).toBe(true);
  }
});

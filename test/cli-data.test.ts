// The built CLI on people's own data: an image folder, a CSV file and NumPy files each train (with
// the model keeping class names, standardisation, image rule), test, predict and export to ONNX
// (which ONNX Runtime runs on raw inputs); and a sweep split in two shards, run as separate
// processes and merged, ranks as the whole sweep does.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { npy } from './support/npy.js';

import { lastJson, run } from './support/cli.js';

/** 3 classes of 3 features around far-apart centres, deterministic noise. */
function tabular(count: number, seed: number) {
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: count }, (_, n) => ({ x: [10 + 5 * (n % 3) + r(), 200 - 30 * (n % 3) + 4 * r(), r() * 3], y: n % 3 }));
}

/** ONNX Runtime's outputs for raw inputs x (count, width). */
async function onnxOutputs(file: string, x: Float32Array, width: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(readFileSync(file));
  const { output } = await session.run({ input: new ort.Tensor('float32', x, [x.length / width, width]) });
  return output.data as Float32Array;
}

describe('CLI on people\'s own data', () => {
  it('an image folder: trains with a seeded split, keeps the classes and the image rule; test, predict (by the rule) and export', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wasm-mlp-dir-'));
    const classes = ['circle', 'cross', 'line'];
    for (const [k, c] of classes.entries()) {
      mkdirSync(join(d, 'data', c), { recursive: true });
      for (let i = 0; i < 40; i++) {
        const p = new PNG({ width: 16, height: 16 });
        for (let y = 0; y < 16; y++)
          for (let x = 0; x < 16; x++) {
            const ink = k === 0 ? Math.abs(Math.hypot(x - 7.5, y - 7.5) - 5 - (i % 3) * 0.5) < 1 : k === 1 ? Math.abs(x - y) < 1.5 || Math.abs(x + y - 15) < 1.5 : Math.abs(x - 4 - (i % 8)) < 1;
            const v = ink ? 20 : 235; // dark ink on white, as photographed: --invert
            p.data.set([v, v, v, 255], 4 * (y * 16 + x));
          }
        writeFileSync(join(d, 'data', c, `${i}.png`), PNG.sync.write(p));
      }
    }
    const model = join(d, 'm.wmlp');
    const t = await run('train', '--train-dir', join(d, 'data'), '--image-size', '12x12', '--invert', '--split', '0.25', '--epochs', '15', '--eta', '3', '--out', model, '--json', '--quiet');
    expect(t.stderr).toBe('');
    const r = lastJson(t.stdout);
    expect([r.sizes, r.classNames, r.trainExamples, r.testExamples]).toEqual([[144, 30, 3], classes, 90, 30]);
    expect(r.testAccuracy).toBeGreaterThan(0.9);
    const e = lastJson((await run('test', '--model', model, '--test-dir', join(d, 'data'), '--json')).stdout);
    expect(e.perClass.map((c: { name: string }) => c.name)).toEqual(classes);
    expect(e.testAccuracy).toBeGreaterThan(0.9);
    const p = lastJson((await run('predict', '--model', model, join(d, 'data', 'cross', '3.png'), join(d, 'data', 'line', '5.png'), '--json')).stdout);
    expect(p.predictions.map((q: { name: string }) => q.name)).toEqual(['cross', 'line']);
    expect((await run('export', '--model', model, '--out', join(d, 'm.onnx'))).code).toBe(0);
  }, 60_000);

  it('a CSV file: words as classes, standardised features; test, predict and an ONNX graph that takes raw features', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wasm-mlp-csv-'));
    const names = ['setosa', 'versicolor', 'virginica'];
    const csv = (rows: ReturnType<typeof tabular>) => ['length,width,noise,species', ...rows.map((q) => `${q.x.map((v) => v.toFixed(4)).join(',')},${names[q.y]}`)].join('\n');
    writeFileSync(join(d, 'train.csv'), csv(tabular(300, 1)));
    writeFileSync(join(d, 'test.csv'), csv(tabular(90, 2)));
    const model = join(d, 'm.wmlp');
    const t = await run('train', '--train-csv', join(d, 'train.csv'), '--test-csv', join(d, 'test.csv'), '--label-column', 'species', '--layers', '3,12,3', '--activation', 'relu', '--cost', 'log-likelihood', '--init', 'he', '--optimizer', 'adam', '--eta', '0.01', '--batch-size', '16', '--epochs', '30', '--out', model, '--json', '--quiet');
    expect(t.stderr).toBe('');
    expect(lastJson(t.stdout).testAccuracy).toBeGreaterThan(0.95);
    const e = lastJson((await run('test', '--model', model, '--test-csv', join(d, 'test.csv'), '--label-column', 'species', '--json')).stdout);
    expect(e.classNames).toEqual(names);
    const rows = tabular(3, 9);
    writeFileSync(join(d, 'new.csv'), rows.map((q) => q.x.join(',')).join('\n'));
    const p = lastJson((await run('predict', '--model', model, join(d, 'new.csv'), '--json')).stdout);
    expect(p.predictions.map((q: { name: string }) => q.name)).toEqual(rows.map((q) => names[q.y]));
    expect((await run('export', '--model', model, '--out', join(d, 'm.onnx'))).code).toBe(0);
    const theirs = await onnxOutputs(join(d, 'm.onnx'), Float32Array.from(rows.flatMap((q) => q.x)), 3);
    const ours = p.predictions.flatMap((q: { outputs: number[] }) => q.outputs);
    theirs.forEach((v, i) => expect(Math.abs(v - ours[i])).toBeLessThan(1e-5));
    const bad = await run('train', '--train-csv', join(d, 'train.csv'), '--label-column', 'nope', '--epochs', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no column named "nope" \(it has length, width, noise, species\)/);
  }, 60_000);

  it('NumPy: an .npz of u8 images trains as images (augmentation allowed), .npy features and labels as features; predict reads .npy', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wasm-mlp-npy-'));
    // images: 2 classes of 6 x 6, a bright left or right half
    const N = 240;
    const img = new Uint8Array(N * 36);
    const lab = new Uint8Array(N);
    for (let n = 0; n < N; n++) {
      lab[n] = n % 2;
      for (let p = 0; p < 36; p++) img[n * 36 + p] = (p % 6 < 3) === (n % 2 === 0) ? 200 + (n % 50) : 0;
    }
    const { zipSync } = await import('fflate');
    writeFileSync(join(d, 'imgs.npz'), zipSync({ 'x_train.npy': npy('|u1', [N, 6, 6], img), 'y_train.npy': npy('<i8', [N], BigInt64Array.from(lab, BigInt)), 'x_test.npy': npy('|u1', [N, 6, 6], img), 'y_test.npy': npy('|u1', [N], lab) }));
    const a = await run('train', '--train-npz', join(d, 'imgs.npz'), '--epochs', '5', '--augment', 'affine:5,0.05,0,0.5', '--json', '--quiet');
    expect(a.stderr).toBe('');
    expect([lastJson(a.stdout).sizes, lastJson(a.stdout).testAccuracy > 0.95]).toEqual([[36, 30, 2], true]);
    // features
    const rows = tabular(300, 3);
    writeFileSync(join(d, 'x.npy'), npy('<f8', [300, 3], Float64Array.from(rows.flatMap((q) => q.x))));
    writeFileSync(join(d, 'y.npy'), npy('|u1', [300], Uint8Array.from(rows, (q) => q.y)));
    const model = join(d, 'f.wmlp');
    const f = await run('train', '--train-npy', `${join(d, 'x.npy')},${join(d, 'y.npy')}`, '--split', '0.2', '--layers', '3,12,3', '--epochs', '30', '--eta', '1', '--out', model, '--json', '--quiet');
    expect(f.stderr).toBe('');
    expect(lastJson(f.stdout).testAccuracy).toBeGreaterThan(0.95);
    writeFileSync(join(d, 'new.npy'), npy('<f4', [2, 3], Float32Array.from(rows.slice(0, 2).flatMap((q) => q.x))));
    const p = lastJson((await run('predict', '--model', model, join(d, 'new.npy'), '--json')).stdout);
    expect(p.predictions.map((q: { class: number }) => q.class)).toEqual(rows.slice(0, 2).map((q) => q.y));
    const bad = await run('train', '--train-npy', `${join(d, 'x.npy')},${join(d, 'y.npy')}`, '--split', '0.2', '--augment', 'affine:5,0,0,0', '--epochs', '1');
    expect(bad.stderr).toMatch(/augmentation distorts images/);
  }, 60_000);

  it('a sweep in two shards, run as separate processes and merged, ranks as the whole sweep and has the same numbers per run', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wasm-mlp-shards-'));
    const grid = ['--layers', '784,16,10', '--layers', '784,24,10', '--eta', '1', '--eta', '3', '--seeds', '2', '--epochs', '2', '--limit', '1500', '--quiet'];
    const whole = run('sweep', ...grid, '--json');
    const shards = [0, 1].map((i) => run('sweep', ...grid, '--shard', `${i}/2`, '--runs-out', join(d, `shard${i}.jsonl`)));
    const [w, s0, s1] = await Promise.all([whole, ...shards]);
    expect([w.code, s0.code, s1.code]).toEqual([0, 0, 0]);
    const lines = [0, 1].map((i) => readFileSync(join(d, `shard${i}.jsonl`), 'utf8').trim().split('\n').length);
    expect(lines).toEqual([4, 4]);
    const merged = await run('sweep', '--merge', join(d, 'shard0.jsonl'), join(d, 'shard1.jsonl'), '--json');
    expect(merged.code).toBe(0);
    const strip = (r: { ranking: Record<string, unknown>[]; runs: Record<string, unknown>[] }) => ({
      ranking: r.ranking.map(({ trainSeconds, ...c }) => c),
      runs: r.runs.map(({ trainSeconds, ...q }) => q),
    });
    expect(strip(lastJson(merged.stdout))).toEqual(strip(lastJson(w.stdout)));
    const twice = await run('sweep', '--merge', join(d, 'shard0.jsonl'), join(d, 'shard0.jsonl'));
    expect(twice.stderr).toMatch(/appears twice/);
    expect((await run('sweep', '--shard', '2/2')).stderr).toMatch(/expected a shard I\/N with 0 <= I < N/);
  }, 120_000);
});

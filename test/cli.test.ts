// The built CLI as a user runs it: info, train --json, test on a saved model, and usage errors
// with exit code 2.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { CLI, lastJson, run } from './support/cli.js';

describe('wasm-mlp CLI', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = await run(flag);
      expect(code).toBe(0);
      expect(stdout.trim()).toBe(version);
    }
  });

  it('info prints the layer table and 3210 parameters for 784,4,4,10', async () => {
    const { code, stdout } = await run('info', '--layers', '784,4,4,10');
    expect(code).toBe(0);
    expect(stdout).toMatch(/1\s+784 -> 4\s+3136\s+4\s+3140/);
    expect(stdout).toMatch(/total\s+3192\s+18\s+3210/);
    expect(lastJson((await run('info', '--layers', '784,4,4,10', '--json')).stdout).parameters).toBe(3210);
  });

  it('train --json ends with one JSON object; test evaluates the saved model identically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-cli-'));
    const model = join(dir, 'm.wmlp');
    const t = await run('train', '--layers', '784,16,10', '--epochs', '2', '--limit', '2000', '--seed', '3', '--out', model, '--json');
    expect(t.code).toBe(0);
    expect(t.stderr).toMatch(/epoch 2\/2 .* ex\/s/);
    const r = lastJson(t.stdout);
    for (const key of ['parameters', 'epochs', 'testAccuracy', 'bestTestAccuracy', 'testCost', 'trainSeconds', 'examplesPerSecond']) expect(r).toHaveProperty(key);
    expect(r.parameters).toBe(784 * 16 + 16 + 16 * 10 + 10);
    expect(r.epochs).toBe(2);
    expect(r.testAccuracy).toBeGreaterThan(0.5);
    expect(r.testAccuracy).toBeLessThanOrEqual(r.bestTestAccuracy);
    const e = await run('test', '--model', model, '--json');
    expect(e.code).toBe(0);
    expect(lastJson(e.stdout).testAccuracy).toBe(r.testAccuracy);
  });

  it('train takes the choices beyond the lecture, and the model file keeps them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-cli-'));
    const model = join(dir, 'm.wmlp');
    const t = await run('train', '--layers', '784,32,10', '--activation', 'relu', '--cost', 'log-likelihood', '--init', 'he', '--optimizer', 'adam', '--eta', '0.002', '--batch-size', '32', '--epochs', '2', '--limit', '5000', '--weight-decay', '1', '--schedule', 'step:1:0.5', '--out', model, '--json');
    expect(t.code).toBe(0);
    const r = lastJson(t.stdout);
    expect([r.activation, r.cost, r.optimizer, r.weightDecay]).toEqual(['relu', 'log-likelihood', 'adam', 1]);
    expect(r.history.map((h: { eta: number }) => h.eta)).toEqual([0.002, 0.001]);
    expect(r.testAccuracy).toBeGreaterThan(0.85);
    expect(lastJson((await run('test', '--model', model, '--json')).stdout).testAccuracy).toBe(r.testAccuracy);
  });

  it.each([
    [['train', '--epochs', '0'], /--epochs.*positive integer/],
    [['train', '--eta', 'fast'], /--eta.*finite number > 0/],
    [['train', '--layers', '784,x,10'], /comma-separated positive integers/],
    [['train', '--batch-size', '-3'], /--batch-size/],
    [['train', '--bogus'], /unknown option '--bogus'/],
    [['train', '--layers', '100,10', '--limit', '10', '--epochs', '1'], /784 pixels per image, but --layers starts with 100 inputs/],
    [['train', '--train-images', '/nonexistent', '--epochs', '1'], /cannot read IDX file \/nonexistent: no such file/],
    [['test'], /required option '--model <file>'/],
    [['frobnicate'], /unknown command/],
    [['train', '--schedule', 'step:0:0.5'], /--schedule.*step:EVERY:FACTOR/],
    [['train', '--schedule', 'sometimes'], /--schedule/],
    [['train', '--activation', 'swish'], /--activation.*expected sigmoid, tanh, relu, or one per hidden layer joined by commas \(relu,tanh\), got "swish"/],
    [['train', '--layers', '784,30,10', '--activation', 'relu,tanh'], /activation: 2 for 1 hidden layers/],
    [['train', '--optimizer', 'rmsprop'], /--optimizer/],
    [['train', '--momentum', '1.5'], /--momentum.*\[0, 1\)/],
    [['train', '--weight-decay', '-1'], /--weight-decay.*>= 0/],
    [['train', '--threads', '100'], /at most 64 threads/],
    [['train', '--seed', '-1'], /--seed/],
    [['train', '--limit', '0'], /--limit/],
    [['train', '--train-images', '/tmp', '--epochs', '1'], /cannot read IDX file \/tmp: is a directory/],
    [['predict', '--model', '/nonexistent.wmlp', 'x.png'], /cannot read model file \/nonexistent.wmlp: no such file/],
  ])('rejects %j with a clear message and exit code 2', async (args, message) => {
    const { code, stderr } = await run(...args);
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
  });

  it('train --kernels webgpu without a GPU driver says what is missing, with exit code 2', async () => {
    const saved = process.env.VK_ICD_FILENAMES;
    process.env.VK_ICD_FILENAMES = '/nonexistent/no-driver.json'; // the child's Vulkan loader finds no driver
    try {
      const { code, stderr } = await run('train', '--kernels', 'webgpu', '--limit', '100', '--epochs', '1', '--quiet');
      // (Dawn prints its own warning about the driver before it)
      expect(stderr).toMatch(/^wasm-mlp: kernels 'webgpu': the package webgpu \(Dawn\) found no GPU adapter/m);
      expect(code).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = saved;
    }
  });

  it('test rejects a file that is not a model', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'wasm-mlp-cli-')), 'bad.wmlp');
    writeFileSync(bad, 'not a model at all');
    const { code, stderr } = await run('test', '--model', bad);
    expect(code).toBe(2);
    expect(stderr).toMatch(/not a wasm-mlp model/);
  });
});

describe('crash safety', () => {
  it('a run killed with SIGKILL mid-epoch resumes from its checkpoint to the same bits as a run never stopped', async () => {
    const { spawn } = await import('node:child_process');
    const { existsSync, readFileSync } = await import('node:fs');
    const { decodeModel } = await import('../src/io/model.js');
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-crash-'));
    const ck = join(dir, 'run.ckpt');
    const args = ['train', '--layers', '784,64,10', '--epochs', '4', '--seed', '9', '--quiet'];
    const child = spawn(process.execPath, [CLI, ...args, '--checkpoint', ck], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let epochsAtKill = 0;
    for (let i = 0; i < 3000 && epochsAtKill === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
      if (existsSync(ck)) epochsAtKill = decodeModel(new Uint8Array(readFileSync(ck))).hyperparameters.epochs;
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(epochsAtKill).toBeGreaterThanOrEqual(1);
    const checkpointed = decodeModel(new Uint8Array(readFileSync(ck))).hyperparameters.epochs;
    expect(checkpointed).toBeLessThan(4); // killed before the end: there is something to resume
    const resumed = await run(...args, '--resume', ck, '--out', join(dir, 'resumed.wmlp'));
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toBe('');
    const straight = await run(...args, '--out', join(dir, 'straight.wmlp'));
    expect(straight.code).toBe(0);
    expect(readFileSync(join(dir, 'resumed.wmlp')).equals(readFileSync(join(dir, 'straight.wmlp')))).toBe(true);
  }, 120_000);

  it('a run with dropout, max-norm and augmentation resumes to the same bits: the masks and distortions are drawn anew, the same', async () => {
    const { readFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-reg-resume-'));
    const ck = join(dir, 'reg.ckpt');
    const args = ['train', '--layers', '784,40,10', '--activation', 'relu', '--init', 'he', '--optimizer', 'momentum', '--eta', '0.05', '--batch-size', '20', '--limit', '3000', '--dropout', '0.2,0.5', '--max-norm', '2', '--augment', 'affine:10,0.1,0.15,2+elastic:34,4', '--quiet'];
    expect((await run(...args, '--epochs', '1', '--checkpoint', ck)).code).toBe(0);
    expect((await run(...args, '--epochs', '3', '--resume', ck, '--out', join(dir, 'resumed.wmlp'))).stderr).toBe('');
    expect((await run(...args, '--epochs', '3', '--out', join(dir, 'straight.wmlp'))).code).toBe(0);
    expect(readFileSync(join(dir, 'resumed.wmlp')).equals(readFileSync(join(dir, 'straight.wmlp')))).toBe(true);
  }, 60_000);

  it('a momentum or Adam run resumes with its optimizer state to the same bits, and its checkpoint reads as a model', async () => {
    const { readFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-adam-'));
    const ck = join(dir, 'adam.ckpt');
    const args = ['train', '--layers', '784,32,10', '--activation', 'relu', '--cost', 'log-likelihood', '--init', 'he', '--optimizer', 'adam', '--eta', '0.002', '--batch-size', '32', '--limit', '4000', '--quiet'];
    expect((await run(...args, '--epochs', '2', '--checkpoint', ck)).code).toBe(0);
    const resumed = await run(...args, '--epochs', '4', '--resume', ck, '--out', join(dir, 'resumed.wmlp'));
    expect(resumed.stderr).toBe('');
    expect((await run(...args, '--epochs', '4', '--out', join(dir, 'straight.wmlp'))).code).toBe(0);
    expect(readFileSync(join(dir, 'resumed.wmlp')).equals(readFileSync(join(dir, 'straight.wmlp')))).toBe(true);
    expect(lastJson((await run('test', '--model', ck, '--json')).stdout).testAccuracy).toBeGreaterThan(0.8);
    const other = await run(...args.filter((a) => a !== 'adam' && a !== '--optimizer'), '--epochs', '4', '--resume', ck);
    expect(other.stderr).toMatch(/checkpoint was trained with optimizer adam, this run has sgd/);
    const corrupt = readFileSync(ck);
    corrupt[corrupt.length - 10] ^= 1;
    writeFileSync(ck, corrupt);
    expect((await run(...args, '--epochs', '4', '--resume', ck)).stderr).toMatch(/optimizer state: checksum mismatch/);
  });

  it('refuses to resume with other options, naming the difference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-crash-'));
    const ck = join(dir, 'run.ckpt');
    expect((await run('train', '--layers', '784,8,10', '--epochs', '1', '--limit', '500', '--checkpoint', ck, '--quiet')).code).toBe(0);
    const other = await run('train', '--layers', '784,8,10', '--epochs', '3', '--limit', '500', '--eta', '2', '--resume', ck, '--quiet');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/checkpoint was trained with eta 1.5, this run has 2/);
    const done = await run('train', '--layers', '784,8,10', '--epochs', '1', '--limit', '500', '--resume', ck, '--quiet');
    expect(done.stderr).toMatch(/already has 1 epochs/);
  });
});

describe('test and predict commands', () => {
  it('test prints per-class accuracy and the confusion matrix (text and JSON)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-cli-'));
    const model = join(dir, 'm.wmlp');
    expect((await run('train', '--layers', '784,16,10', '--epochs', '1', '--limit', '3000', '--init', 'scaled', '--out', model, '--quiet')).code).toBe(0);
    const text = await run('test', '--model', model);
    expect(text.stdout).toMatch(/class\s+count\s+correct\s+accuracy/);
    expect(text.stdout).toMatch(/confusion matrix \(rows: true class, columns: predicted\)/);
    const r = lastJson((await run('test', '--model', model, '--json')).stdout);
    expect(r.confusion.length).toBe(10);
    expect(r.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(10000);
    expect(r.confusion.reduce((t: number, row: number[], i: number) => t + row[i], 0)).toBe(r.correct);
    expect(r.perClass.map((c: { count: number }) => c.count)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('predict reads PNG digits of any size, dark on light or light on dark, grey or colour', async () => {
    const { PNG } = await import('pngjs');
    const { loadMnist } = await import('../src/node.js');
    const { test } = await loadMnist();
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-png-'));
    const model = join(dir, 'm.wmlp');
    expect((await run('train', '--layers', '784,64,10', '--epochs', '3', '--init', 'scaled', '--out', model, '--quiet')).code).toBe(0);
    // test images 0..5 drawn 4x bigger, off-centre: even ones black on white RGB, odd ones white on black grey-alpha
    const files: string[] = [];
    for (let k = 0; k < 6; k++) {
      const png = new PNG({ width: 150, height: 130 });
      const bg = k % 2 === 0 ? 255 : 0;
      png.data.fill(bg);
      for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
      for (let y = 0; y < 112; y++) for (let x = 0; x < 112; x++) {
        const v = test.images[k * 784 + Math.floor(y / 4) * 28 + Math.floor(x / 4)];
        const at = 4 * ((y + 10) * 150 + x + 20 + 2 * k);
        const ink = k % 2 === 0 ? 255 - v : v;
        png.data[at] = ink;
        png.data[at + 1] = ink;
        png.data[at + 2] = k === 4 ? 0 : ink; // one colour image
      }
      files.push(join(dir, `d${k}.png`));
      writeFileSync(files[k], PNG.sync.write(png, { colorType: k % 2 === 0 ? 2 : 4 }));
    }
    const r = lastJson((await run('predict', '--model', model, ...files, '--json')).stdout);
    expect(r.predictions.map((p: { class: number }) => p.class)).toEqual(Array.from(test.labels.subarray(0, 6)));
    expect(r.predictions[0].outputs.length).toBe(10);
    const bad = join(dir, 'bad.png');
    writeFileSync(bad, 'not a png');
    const e = await run('predict', '--model', model, bad);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/bad.png: not a readable PNG/);
  });
});

describe('any IDX dataset, validation and early stopping', () => {
  /** An IDX file of u8 data with the given dimensions. */
  const idx = (dims: number[], data: Uint8Array) => {
    const b = Buffer.alloc(4 + 4 * dims.length + data.length);
    b[2] = 8;
    b[3] = dims.length;
    dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
    b.set(data, 4 + 4 * dims.length);
    return b;
  };
  /** 3 classes of 6 x 8 images: a bar in the top, middle or bottom third, with noise. */
  const bars = (count: number, seed: number) => {
    let s = seed;
    const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const images = new Uint8Array(count * 48);
    const labels = new Uint8Array(count);
    for (let n = 0; n < count; n++) {
      const k = n % 3;
      labels[n] = k;
      for (let i = 0; i < 48; i++) images[n * 48 + i] = Math.floor(i / 16) === k ? 200 + Math.floor(rand() * 55) : Math.floor(rand() * 60);
    }
    return { images, labels };
  };
  /** Training and test IDX files of `bars` (train seed, then test seed) in a fresh temp folder, as the CLI's four data flags; the test images gzipped when asked. */
  const barsFiles = async (prefix: string, [trainCount, trainSeed]: [number, number], [testCount, testSeed]: [number, number], gzipTest = false) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const [tr, te] = [bars(trainCount, trainSeed), bars(testCount, testSeed)];
    const files = { ti: join(dir, 'ti'), tl: join(dir, 'tl'), vi: join(dir, gzipTest ? 'vi.gz' : 'vi'), vl: join(dir, 'vl') };
    const testImages = idx([testCount, 6, 8], te.images);
    writeFileSync(files.ti, idx([trainCount, 6, 8], tr.images));
    writeFileSync(files.tl, idx([trainCount], tr.labels));
    writeFileSync(files.vi, gzipTest ? (await import('node:zlib')).gzipSync(testImages) : testImages);
    writeFileSync(files.vl, idx([testCount], te.labels));
    return ['--train-images', files.ti, '--train-labels', files.tl, '--test-images', files.vi, '--test-labels', files.vl];
  };

  it('trains [pixels, 30, classes] on any IDX data without --layers, and rejects a mismatch', async () => {
    const data = await barsFiles('wasm-mlp-idx-', [600, 1], [150, 2], true);
    const t = await run('train', ...data, '--epochs', '5', '--init', 'scaled', '--json', '--quiet');
    expect(t.code).toBe(0);
    const r = lastJson(t.stdout);
    expect(r.sizes).toEqual([48, 30, 3]);
    expect(r.testAccuracy).toBeGreaterThan(0.9);
    const bad = await run('train', ...data, '--layers', '784,30,10', '--epochs', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/6 x 8 = 48 pixels per image, but --layers starts with 784 inputs/);
    const few = await run('train', ...data, '--layers', '48,10,2', '--epochs', '1');
    expect(few.stderr).toMatch(/3 classes, but --layers ends with 2 outputs/);
  });

  it('the regularised recipe runs on other IDX data as on MNIST: image size from the data, validation-based early stopping', async () => {
    const data = await barsFiles('wasm-mlp-recipe-', [900, 3], [150, 4]);
    const t = await run('train', ...data,
      '--layers', '48,40,3', '--activation', 'relu', '--cost', 'log-likelihood', '--init', 'he', '--optimizer', 'adam', '--eta', '0.003', '--batch-size', '20',
      '--dropout', '0.1,0.3', '--max-norm', '3', '--augment', 'affine:8,0.1,0.1,1+elastic:2,1', '--validation', '150', '--patience', '3', '--epochs', '60', '--json', '--quiet');
    expect(t.code).toBe(0);
    const r = lastJson(t.stdout);
    expect([r.dropout, r.maxNorm, r.augment]).toEqual([[0.1, 0.3], 3, { affine: { rotation: 8, scale: 0.1, shear: 0.1, shift: 1 }, elastic: { alpha: 2, sigma: 1 } }]);
    expect(r.testAccuracy).toBeGreaterThan(0.9);
    expect(r.stoppedEarly).toBe(true);
    const bad = await run('train', '--augment', 'affine:90,0,0,0', '--epochs', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected affine:ROT,SCALE,SHEAR,SHIFT/);
    expect((await run('train', '--dropout', '0.2,1', '--epochs', '1')).stderr).toMatch(/expected dropout rates in \[0, 1\)/);
  });

  it('sweep takes dropout, max-norm and augmentation as axes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-sweep-axes-'));
    const csv = join(dir, 'runs.csv');
    const t = await run('sweep', '--layers', '784,16,10', '--epochs', '1', '--limit', '1000', '--dropout', '0,0', '--dropout', '0.2,0.5', '--augment', 'none', '--augment', 'affine:10,0.1,0.1,2', '--max-norm', '3', '--csv', csv, '--json', '--quiet');
    expect(t.code).toBe(0);
    const r = lastJson(t.stdout);
    expect(r.ranking.map((c: { config: string }) => c.config).sort()).toEqual([
      '[784,16,10] eta 1.5 batch 10 dropout 0,0 max-norm 3 augment affine:10,0.1,0.1,2',
      '[784,16,10] eta 1.5 batch 10 dropout 0,0 max-norm 3 augment none',
      '[784,16,10] eta 1.5 batch 10 dropout 0.2,0.5 max-norm 3 augment affine:10,0.1,0.1,2',
      '[784,16,10] eta 1.5 batch 10 dropout 0.2,0.5 max-norm 3 augment none',
    ]);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('layers,eta,batch_size,dropout,max_norm,augment,seed,final_test_accuracy,best_test_accuracy,train_seconds');
    expect(rows).toHaveLength(5);
  });

  it('--validation holds out the last images and --patience stops early', async () => {
    const t = await run('train', '--layers', '784,16,10', '--init', 'scaled', '--limit', '3000', '--validation', '1000', '--patience', '2', '--epochs', '40', '--eta', '3', '--json', '--quiet');
    expect(t.code).toBe(0);
    const r = lastJson(t.stdout);
    expect(r.trainExamples).toBe(2000);
    expect(r.validationExamples).toBe(1000);
    expect(r.stoppedEarly).toBe(true);
    expect(r.history.length).toBeLessThan(40);
    expect(r.history.every((h: { validationAccuracy: number }) => h.validationAccuracy > 0)).toBe(true);
    const last = r.history.length - 1;
    const best = Math.max(...r.history.map((h: { validationAccuracy: number }) => h.validationAccuracy));
    expect(r.history.slice(last - 1).every((h: { validationAccuracy: number }) => h.validationAccuracy <= best)).toBe(true);
    expect((await run('train', '--patience', '2', '--epochs', '1')).stderr).toMatch(/--patience \(early stopping\) needs --validation N/);
  });
});

describe('plots, sweeps and the progress bar', () => {
  it('train --plot writes an SVG of cost and accuracy; test --errors a PNG grid of the mistakes', async () => {
    const { readFileSync } = await import('node:fs');
    const { PNG } = await import('pngjs');
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-plot-'));
    const [svg, model, png] = [join(dir, 'train.svg'), join(dir, 'm.wmlp'), join(dir, 'errors.png')];
    expect((await run('train', '--layers', '784,16,10', '--init', 'scaled', '--epochs', '3', '--limit', '3000', '--validation', '500', '--plot', svg, '--out', model, '--quiet')).code).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text).toContain('Cost per epoch');
    expect(text).toContain('Accuracy per epoch');
    expect(text.match(/<polyline/g)!.length).toBe(5); // training, validation, test costs; validation, test accuracy
    const t = await run('test', '--model', model, '--errors', png, '--json');
    const errors = lastJson(t.stdout).count - lastJson(t.stdout).correct;
    const image = PNG.sync.read(readFileSync(png));
    expect(image.width).toBe(10 * (28 * 3 + 8)); // 10 per row
    expect(image.height).toBe(Math.ceil(Math.min(errors, 100) / 10) * (28 * 3 + 26));
  });

  it('sweep trains every combination, ranks them, and writes CSV, JSON and a plot', async () => {
    const { readFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-sweep-'));
    const [csv, svg, json] = [join(dir, 's.csv'), join(dir, 's.svg'), join(dir, 's.json')];
    const s = await run('sweep', '--layers', '784,10,10', '--layers', '784,20,10', '--eta', '0.5', '--eta', '2', '--seeds', '2', '--epochs', '2', '--limit', '2000', '--init', 'scaled', '--csv', csv, '--json-file', json, '--plot', svg, '--json', '--quiet');
    expect(s.code).toBe(0);
    const r = lastJson(s.stdout);
    expect(r.runs.length).toBe(8);
    expect(r.ranking.length).toBe(4);
    const finals = r.ranking.map((c: { testAccuracy: number }) => c.testAccuracy);
    expect(finals).toEqual([...finals].sort((a: number, b: number) => b - a));
    expect(readFileSync(csv, 'utf8').trim().split('\n').length).toBe(9);
    const saved = JSON.parse(readFileSync(json, 'utf8'));
    expect(saved.ranking).toEqual(r.ranking);
    expect(saved.runs[0].history.length).toBe(2);
    expect(readFileSync(svg, 'utf8').match(/<polyline/g)!.length).toBe(4);
    const text = await run('sweep', '--layers', '784,10,10', '--epochs', '1', '--limit', '500', '--quiet');
    expect(text.stdout).toMatch(/rank\s+configuration\s+seeds\s+final test/);
  });

  it('shows a progress bar with ETA and examples/s when stderr is a terminal, plain lines otherwise', async () => {
    const { execFileSync } = await import('node:child_process');
    const { existsSync } = await import('node:fs');
    const script = ['/usr/bin/script', '/bin/script'].find(existsSync);
    if (!script) throw new Error('util-linux script(1) is needed to give the CLI a terminal');
    const cmd = `${process.execPath} ${CLI} train --layers 784,16,10 --epochs 2 --limit 20000`;
    const tty = execFileSync(script, ['-qec', cmd, '/dev/null'], { encoding: 'utf8' });
    expect(tty).toMatch(/epoch 1\/2 \[[\u2588\u2591]+\] \d+% \| ETA \S+ \| [\d,]+ ex\/s \| cost \d\.\d{4}/);
    const plain = await run('train', '--layers', '784,16,10', '--epochs', '2', '--limit', '20000');
    expect(plain.stderr).not.toMatch(/ETA/);
    expect(plain.stderr).toMatch(/epoch 2\/2 /);
  });
});

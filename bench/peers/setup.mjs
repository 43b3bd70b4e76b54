// `npm run bench:setup`: makes the Python venv that bench/peers.mjs runs PyTorch from (CPU-only
// torch 2.13.0 and its small pure-Python deps), once, under a user cache folder shared by every
// checkout. Never run by `npm install` or `npm test`. Not for: anything the library needs.
// Usage: npm run bench:setup [-- --force]   (WASM_MLP_PEERS_VENV=<dir> picks another folder)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { TORCH, TORCH_DEPS, venvDir, venvPython, torchVersion } from './python.mjs';

const force = process.argv.includes('--force');
const dir = venvDir();
const python = venvPython(dir);
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status === 0;

const have = !force && existsSync(python) && torchVersion(python);
if (have) {
  console.log(`bench:setup: ${dir} already has torch ${have}; nothing to do (--force remakes it)`);
  process.exit(0);
}
if (force) rmSync(dir, { recursive: true, force: true });
mkdirSync(dirname(dir), { recursive: true });
console.log(`bench:setup: making a Python venv in ${dir} for the PyTorch peer rows (about 1 GB) ...`);
const python3 = process.env.PYTHON ?? 'python3';
if (!existsSync(python) && !run(python3, ['-m', 'venv', dir])) {
  console.error(`bench:setup: "${python3} -m venv ${dir}" failed: install Python 3 with its venv module (Debian: apt-get install python3-venv), or set PYTHON`);
  process.exit(1);
}
// The "+cpu" wheels live on PyTorch's own index; a machine whose pip config already finds them
// (a local wheel folder, a mirror) needs nothing more, so that is tried first.
const pip = (extra) => run(python, ['-m', 'pip', 'install', '--no-deps', ...extra, TORCH, ...TORCH_DEPS]);
if (!pip([])) {
  console.log('bench:setup: trying again with PyTorch\'s CPU wheel index (https://download.pytorch.org/whl/cpu) ...');
  if (!pip(['--extra-index-url', 'https://download.pytorch.org/whl/cpu'])) {
    console.error(`bench:setup: pip could not install ${TORCH}; the bench will skip the PyTorch rows`);
    process.exit(1);
  }
}
const version = torchVersion(python);
if (!version) {
  console.error(`bench:setup: torch installed in ${dir} but "import torch" fails; the bench will skip the PyTorch rows`);
  process.exit(1);
}
console.log(`bench:setup: torch ${version} ready in ${dir}`);

// Where the PyTorch peer's Python lives (the venv that `npm run bench:setup` makes) and whether it
// imports torch. Shared by bench/peers/setup.mjs and bench/peers.mjs. Not for: installing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

/** The CPU-only wheel (the default torch wheel fails on `import torch` without CUDA libraries). */
export const TORCH = 'torch==2.13.0+cpu';
/** torch's own dependencies, installed beside it (torch itself with --no-deps). */
export const TORCH_DEPS = ['filelock', 'typing-extensions', 'sympy', 'networkx', 'jinja2', 'fsspec', 'mpmath', 'markupsafe', 'numpy'];

/** $WASM_MLP_PEERS_VENV, else <$XDG_CACHE_HOME or ~/.cache>/wasm-mlp/peers-venv: outside node_modules, so `npm ci` keeps it. */
export function venvDir() {
  if (process.env.WASM_MLP_PEERS_VENV) return process.env.WASM_MLP_PEERS_VENV;
  const cache = process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache');
  return join(cache, 'wasm-mlp', 'peers-venv');
}

export const venvPython = (dir = venvDir()) => join(dir, 'bin', 'python');

/** torch's version as `python` imports it, or null when the import fails (or there is no python). */
export function torchVersion(python = venvPython()) {
  if (!existsSync(python)) return null;
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

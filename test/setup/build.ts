// Once per test run, before the node suites: rebuilds dist/ from src/ with tsc, because Node's
// worker_threads start from the built workers (dist/parallel/worker.js, dist/train/train-worker.js) even when
// the suites import the TypeScript sources, and those must never lag them.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}

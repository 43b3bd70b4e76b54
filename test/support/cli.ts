// The built CLI as a user runs it: a child process of this Node, its exit code and output. Each
// run has a time limit, and one that hits it is run once more: Node can deadlock in its platform's
// task drain with every thread idle (nodejs/node#54918, seen once here on Node 20 in a CLI child
// that had written nothing), and a synchronous child without a limit would hold CI until its own
// limit. A run of ours that really hangs still fails: twice.
import { execFile, execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { promisify } from 'node:util';

export const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

/** Long enough for any CLI run of the suites on a loaded 2-core machine; far below the suites' own limits. */
const LIMIT_MS = 120_000;

/** Whether a child was killed for running past LIMIT_MS. */
const timedOut = (e: unknown) => (e as { signal?: string }).signal === 'SIGTERM' || (e as { code?: string }).code === 'ETIMEDOUT';

export async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { maxBuffer: 1 << 26, timeout: LIMIT_MS });
      return { code: 0, stdout, stderr };
    } catch (e) {
      if (timedOut(e) && attempt === 0) continue;
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  }
}

/** `node [nodeFlags] dist/cli.js args` synchronously, with the time limit and one rerun of run(); its stdout. */
export function runSync(args: string[], options: ExecFileSyncOptions & { nodeFlags?: string[] } = {}): string | Buffer {
  const { nodeFlags = [], ...rest } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return execFileSync(process.execPath, [...nodeFlags, CLI, ...args], { timeout: LIMIT_MS, ...rest });
    } catch (e) {
      if (!(timedOut(e) && attempt === 0)) throw e;
    }
  }
}

/** The last line of stdout as JSON (what --json prints). */
export const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

// The built CLI as a user runs it: a child process of this Node, its exit code and output.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

export async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** The last line of stdout as JSON (what --json prints). */
export const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

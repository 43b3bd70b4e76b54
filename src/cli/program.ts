// The wasm-mlp command line: one command per module, put together here, and the exit codes: 0,
// or 2 with a one-line message for bad flags and bad input (every WasmMlpError). Not for: library
// logic; the commands parse, call and print.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { WasmMlpError } from '../index.js';
import { registerExport } from './export.js';
import { registerImport } from './import.js';
import { registerInfo } from './info.js';
import { registerPredict } from './predict.js';
import { registerSweep } from './sweep.js';
import { registerTest } from './test.js';
import { registerTrain } from './train.js';

const EXIT_USAGE = 2;

/** This package's version, from its package.json. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function program(): Command {
  const cli = new Command('wasm-mlp')
    .description('Train and run a multilayer perceptron on MNIST with a WebAssembly core.')
    .version(packageVersion(), '-V, --version', 'print the version of wasm-mlp')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  for (const register of [registerInfo, registerTrain, registerTest, registerSweep, registerExport, registerImport, registerPredict]) register(cli);
  return cli;
}

/** Runs the command line on `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
    if (e instanceof WasmMlpError) {
      process.stderr.write(`wasm-mlp: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

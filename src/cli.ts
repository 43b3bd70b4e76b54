#!/usr/bin/env node
// The wasm-mlp command (package.json "bin"): `info`, `train`, `test`, `sweep`, `export`,
// `predict`; each is a module of cli/. Not for: anything but starting the program.
import { main } from './cli/program.js';

process.exitCode = await main(process.argv.slice(2));

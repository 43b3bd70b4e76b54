// Entry of a training worker (worker_threads in Node, a module Web Worker in browsers): takes a
// ThreadSetup, instantiates the kernels on the shared memory and serves steps until told to exit.
// Not for: anything else; it holds no state beyond its setup.
import type { ThreadSetup } from './protocol.js';
import { serveThread } from './share.js';
import { instantiateKernels } from '../core/kernels.js';
import { isNode, nodeModule } from '../core/platform.js';

function start(setup: ThreadSetup, reply: (message: string) => void): void {
  const kernels = instantiateKernels(setup.module, setup.memory);
  reply('ready');
  serveThread(kernels, setup);
}

if (isNode) {
  const { parentPort } = nodeModule('node:worker_threads');
  parentPort!.once('message', (setup: ThreadSetup) => start(setup, (m) => parentPort!.postMessage(m)));
} else {
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<ThreadSetup>) => void) | null; postMessage(m: unknown): void };
  scope.onmessage = (e) => start(e.data, (m) => scope.postMessage(m));
}

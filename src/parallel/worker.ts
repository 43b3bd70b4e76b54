// Entry of a training thread (worker_threads in Node, a module Web Worker in browsers): takes a
// ThreadSetup, instantiates the kernels on the shared memory and serves steps until told to exit.
// Not for: anything else; it holds no state beyond its setup.
import type { ThreadSetup } from './protocol.js';
import { serveThread } from './share.js';
import { instantiateKernels } from '../core/kernels.js';
import { parentChannel } from '../core/workers.js';

const reply = parentChannel((data) => {
  const setup = data as ThreadSetup;
  const kernels = instantiateKernels(setup.module, setup.memory);
  reply('ready');
  serveThread(kernels, setup);
});

// Workers on either platform, written once: starting one (worker_threads in Node, a module Web
// Worker in browsers) and a worker's own end of the channel. Used by the training threads
// (parallel/) and RemoteNetwork (train/). Not for: what the workers say to each other.
import { isNode, nodeModule, nodeWorkerUrl } from './platform.js';
import { WasmMlpError } from './errors.js';

/** The parent's end of a worker. */
export interface WorkerPort {
  post(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  /** Node: the worker no longer keeps the process alive (call once it is running). */
  unref(): void;
}

export interface WorkerListeners {
  message(data: unknown): void;
  error(e: Error): void;
}

/**
 * Starts the built worker module `name` beside the module at `here` (its import.meta.url): in Node
 * through worker_threads, elsewhere by `web`,
 * which the caller writes as `new Worker(new URL('./name.js', import.meta.url), { type: 'module' })`
 * so that bundlers find and emit the worker.
 */
export function startWorker(here: string, name: string, web: () => Worker, on: WorkerListeners): WorkerPort {
  if (isNode && typeof Worker === 'undefined') {
    const w = new (nodeModule('node:worker_threads').Worker)(nodeWorkerUrl(here, name));
    w.on('message', on.message);
    w.on('error', on.error);
    return { post: (m, t) => w.postMessage(m, t as never), terminate: () => void w.terminate(), unref: () => w.unref() };
  }
  const w = web();
  w.onmessage = (e: MessageEvent) => on.message(e.data);
  w.onerror = (e) => on.error(new WasmMlpError(`the worker ${name}.js failed: ${e.message}`));
  return { post: (m, t) => w.postMessage(m, t ?? []), terminate: () => w.terminate(), unref: () => {} };
}

/** Inside a worker: calls `listen` with each message from the parent; returns how to reply. */
export function parentChannel(listen: (data: unknown) => void): (message: unknown, transfer?: Transferable[]) => void {
  if (isNode) {
    const port = nodeModule('node:worker_threads').parentPort!;
    port.on('message', listen);
    return (m, t) => port.postMessage(m, t as never);
  }
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown, t?: Transferable[]): void };
  scope.onmessage = (e) => listen(e.data);
  return (m, t) => scope.postMessage(m, t ?? []);
}

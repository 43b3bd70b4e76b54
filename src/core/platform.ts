// What differs between Node and browsers, in one place: whether this is Node, Node's built-in
// modules (through process.getBuiltinModule, so that no bundler sees an import of them) and the
// URL a Node worker starts from. Not for: anything both platforms do alike.

/** True in Node (and runtimes that say they are Node), false in browsers and their workers. */
export const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

interface NodeModules {
  'node:fs/promises': typeof import('node:fs/promises');
  'node:worker_threads': typeof import('node:worker_threads');
}

/** A Node built-in module, e.g. `nodeModule('node:fs/promises')`; only call it when `isNode`. */
export function nodeModule<ID extends keyof NodeModules>(id: ID): NodeModules[ID] {
  return process.getBuiltinModule(id) as NodeModules[ID];
}

/**
 * The built worker `name` (e.g. `worker`) beside the module at `here` (its import.meta.url), for
 * Node's worker_threads; when that module runs as TypeScript from src/ (under vitest), the built
 * copy in dist/, which the test setup rebuilds before every run so it never lags the sources.
 */
export function nodeWorkerUrl(here: string, name: string): URL {
  return new URL(`./${name}.js`, here.endsWith('.ts') ? here.replace(/\/src\/(?!.*\/src\/)/, '/dist/') : here);
}

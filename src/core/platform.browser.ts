// The browser side of platform.ts, which bundlers put in its place (package.json "browser"): not
// Node, so that they drop every Node-only branch. Not for: Node, which never loads this file.
import type * as Platform from './platform.js';

export const isNode = false;

export const nodeModule: typeof Platform.nodeModule = () => {
  throw new Error('Node built-in modules are not available in a browser');
};

export const nodeWorkerUrl: typeof Platform.nodeWorkerUrl = () => {
  throw new Error('Node workers are not available in a browser');
};

// A static file server on 127.0.0.1 for the browser suites: maps each request path to a file (or
// a page's text), with the MIME types a browser needs, and records what was asked for.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, normalize } from 'node:path';

export interface StaticServer {
  url: string;
  /** Paths requested so far, without the leading slash. */
  requested: string[];
  /** The MIME type sent for .wasm files (tests set other types to check the fallback). */
  wasmType: string;
  close(): Promise<void>;
}

/** Serves what `resolve` gives for each path ('' for /): a file path, or `{ text }` for a page. */
export async function serveStatic(resolve: (path: string) => string | { text: string }): Promise<StaticServer> {
  const state = { requested: [] as string[], wasmType: 'application/wasm' };
  const server: Server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(req.url!.split('?')[0])).replace(/^[/\\.]+/, '');
    state.requested.push(path);
    try {
      const target = resolve(path);
      const body = typeof target === 'string' ? await readFile(target) : target.text;
      const ext = typeof target === 'string' ? extname(target) : '.html';
      const type = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': state.wasmType }[ext] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  });
}

/**
 * A page's module that trains a tiny network on a synthetic two-class problem with the library
 * imported from `from`, on the page and in a RemoteNetwork worker, and puts `{ accuracy, same,
 * variant }` in document.body.dataset.result (same: the worker's parameters equal the page's).
 */
export function tinyTrainingModule(from: string): string {
  return `import { Network, RemoteNetwork, createDataset, train, evaluate } from '${from}';
const pixels = 16, count = 400;
const images = new Uint8Array(count * pixels), labels = new Uint8Array(count);
for (let n = 0; n < count; n++) { labels[n] = n % 2; for (let i = 0; i < pixels; i++) images[n * pixels + i] = (i < 8) === (n % 2 === 0) ? 255 : 0; }
const data = createDataset({ images, labels, rows: 4, cols: 4 });
const net = await Network.create({ sizes: [16, 4, 2], seed: 1 });
await train(net, data, { epochs: 3, eta: 3 });
const remote = await RemoteNetwork.create({ sizes: [16, 4, 2], seed: 1 });
await remote.setData(data);
await remote.train({ epochs: 3, eta: 3 });
const same = (await remote.getParameters()).every((v, i) => Object.is(v, net.getParameters()[i]));
document.body.dataset.result = JSON.stringify({ accuracy: evaluate(net, data).accuracy, same, variant: net.variant });
`;
}

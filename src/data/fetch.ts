// Datasets and models from URLs (fetch), for pages: IDX files plain or gzip, with a progress
// callback while downloading. Not for: Node files (node.ts reads them from disk).
import { concatBytes } from './bytes.js';
import { datasetFromIdx, decodeIdx, type IdxArray } from './idx.js';
import type { Dataset } from './dataset.js';
import { WasmMlpError } from '../core/errors.js';

export interface FetchProgress {
  url: string;
  loaded: number;
  /** From Content-Length; NaN when the server does not say. */
  total: number;
}

/** The bytes at `url`, reporting progress as they arrive. */
export async function fetchBytes(url: string | URL, onProgress?: (p: FetchProgress) => void): Promise<Uint8Array> {
  const href = String(url);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new WasmMlpError(`cannot fetch ${href}: ${(cause as Error).message}`, { cause });
  }
  if (!response.ok) throw new WasmMlpError(`cannot fetch ${href}: HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length') ?? NaN);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.({ url: href, loaded, total });
  }
  return concatBytes(chunks);
}

/** An IDX file (plain or gzip) from a URL. */
export async function fetchIdx(url: string | URL, onProgress?: (p: FetchProgress) => void): Promise<IdxArray> {
  return decodeIdx(await fetchBytes(url, onProgress), String(url));
}

/** A dataset from the URLs of an IDX images file and an IDX labels file. */
export async function fetchDataset(
  images: string | URL,
  labels: string | URL,
  options: { classes?: number; onProgress?: (p: FetchProgress) => void } = {},
): Promise<Dataset> {
  const [i, l] = await Promise.all([fetchIdx(images, options.onProgress), fetchIdx(labels, options.onProgress)]);
  return datasetFromIdx(i, l, { classes: options.classes, name: `${images} + ${labels}` });
}

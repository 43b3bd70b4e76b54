// MNIST for the demo page: downloads the four gzip files once, with progress on the status line,
// and keeps them in the page state. Not for: decoding (the library's fetchDataset does that).
import { fetchDataset, type Dataset } from 'wasm-mlp';
import { asset } from './dom.js';
import { page } from './state.js';
import { progress, status } from './status.js';

export async function loadData(): Promise<{ train: Dataset; test: Dataset }> {
  if (page.data) return page.data;
  const loaded = new Map<string, number>();
  const onProgress = (p: { url: string; loaded: number }) => {
    loaded.set(p.url, p.loaded);
    const mb = [...loaded.values()].reduce((a, b) => a + b, 0) / 1e6;
    status(`Downloading MNIST (gzip): ${mb.toFixed(1)} of 11.5 MB`);
    progress(Math.min(1, mb / 11.46));
  };
  const [train, test] = await Promise.all([
    fetchDataset(asset('train-images-idx3-ubyte.gz'), asset('train-labels-idx1-ubyte.gz'), { classes: 10, onProgress }),
    fetchDataset(asset('t10k-images-idx3-ubyte.gz'), asset('t10k-labels-idx1-ubyte.gz'), { classes: 10, onProgress }),
  ]);
  page.data = { train, test };
  status(`MNIST loaded: ${train.count.toLocaleString('en-US')} training and ${test.count.toLocaleString('en-US')} test images.`);
  return page.data;
}

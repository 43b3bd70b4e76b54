// Hooks for the browser tests (window.wasmMlp, and body[data-ready] once the pre-trained model is
// in): the same API the page uses, reachable from Playwright. Not for: the page's own use.
import { RemoteNetwork, sliceDataset, standardize, type AugmentOptions, type KernelVariant } from 'wasm-mlp';
import { showAugmented } from './augment.js';
import { loadData } from './data.js';
import { imagesInfo } from './images.js';
import { useModelUrl } from './model.js';
import { page } from './state.js';

const testHooks = {
  loadData,
  ready: false,
  /** SHA-256 (hex) of the parameters after training `examples` images with the given options, in a worker. */
  async trainHash(options: { sizes: number[]; seed: number; examples: number; epochs: number; batchSize: number; eta: number; threads?: number; kernels?: KernelVariant | 'webgpu'; dropout?: number[]; maxNorm?: number; augment?: AugmentOptions }): Promise<string> {
    const { train } = await loadData();
    const remote = await RemoteNetwork.create({ sizes: options.sizes, seed: options.seed, threads: options.threads, kernels: options.kernels });
    if (remote.threads !== (options.threads ?? 1)) throw new Error(`asked for ${options.threads} threads, got ${remote.threads}`);
    await remote.setData(sliceDataset(train, 0, options.examples));
    await remote.train({ epochs: options.epochs, batchSize: options.batchSize, eta: options.eta, seed: options.seed, dropout: options.dropout, maxNorm: options.maxNorm, augment: options.augment });
    const p = await remote.getParameters();
    remote.terminate();
    return hex(await crypto.subtle.digest('SHA-256', p as Float32Array<ArrayBuffer>));
  },
  /** Outputs of the reader (the loaded model) for the first n test images (`standardised`: as the model's standardisation says), as a SHA-256 and the classes. */
  async predictTest(n: number, standardised = false): Promise<{ hash: string; classes: number[] }> {
    const { test } = await loadData();
    const pixels = Float32Array.from(test.images.subarray(0, n * 784), (v) => v / 255);
    const s = page.readerModel?.standardize;
    const x = standardised && s ? standardize(pixels, s) : pixels;
    const out = page.reader!.forward(x);
    const classes = Array.from(page.reader!.predict(x));
    return { hash: hex(await crypto.subtle.digest('SHA-256', out as Float32Array<ArrayBuffer>)), classes };
  },
  async useModelUrl(url: string): Promise<void> {
    await useModelUrl(url, `Using ${url}.`);
  },
  history: () => page.history,
  showAugmented,
  imagesInfo,
};

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function installTestHooks(): void {
  (window as unknown as { wasmMlp: typeof testHooks }).wasmMlp = testHooks;
}

/** Tells the tests the page is ready: the pre-trained model reads drawings. */
export function pageReady(): void {
  testHooks.ready = true;
  document.body.dataset.ready = 'true';
}

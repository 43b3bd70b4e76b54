// The benchmark page: wasm on one thread, wasm on threads and WebGPU, each training the three
// networks of bench/peers/configs.mjs on MNIST in a RemoteNetwork worker, timed by the library's
// own epoch metrics; the figures go in a table and in body[data-results] (JSON) for the tests.
// `?run&examples=N` runs at once. Not for: correctness (the test suites) or Node (bench/run.mjs).
import { fetchDataset, RemoteNetwork, sliceDataset, type Dataset, type NetworkOptions } from 'wasm-mlp';
// @ts-expect-error a plain JS module of the benchmarks, without types
import { ADAM, CONFIGS } from '../peers/configs.mjs';

interface Config {
  name: string;
  sizes: number[];
  activation: NetworkOptions['activation'];
  cost: NetworkOptions['cost'];
  init: NetworkOptions['init'];
  optimizer: 'sgd' | 'adam';
  eta: number;
  batchSize: number;
}

/** One measured row: a network on one backend. */
export interface BenchFigure {
  config: string;
  backend: string;
  examples: number;
  examplesPerSecond: number;
  /** Seconds an epoch of the 60,000 training images takes at that rate. */
  secondsPerEpoch: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const EPOCH = 60000;

/** The backends this page can run: always wasm on one thread; threads when isolated; WebGPU when the browser has it. */
function backends(): { name: string; options: Pick<NetworkOptions, 'threads' | 'kernels'> }[] {
  const cores = Math.min(8, navigator.hardwareConcurrency || 1);
  return [
    { name: 'wasm, 1 thread', options: {} },
    ...(crossOriginIsolated && cores > 1 ? [{ name: `wasm, ${cores} threads`, options: { threads: cores } }] : []),
    ...('gpu' in navigator ? [{ name: 'WebGPU', options: { kernels: 'webgpu' as const } }] : []),
  ];
}

/** What WebGPU's adapter says of itself here (the one a network made with kernels 'webgpu' requests: high-performance preferred). */
async function adapterDescription(): Promise<string> {
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return 'none found';
  const i = adapter.info;
  return [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(', ') || '(the browser does not say)';
}

async function measure(config: Config, options: Pick<NetworkOptions, 'threads' | 'kernels'>, data: Dataset): Promise<number> {
  const remote = await RemoteNetwork.create({ sizes: config.sizes, seed: 1, init: config.init, activation: config.activation, cost: config.cost, ...options });
  try {
    await remote.setData(data);
    const { history } = await remote.train({ epochs: 2, batchSize: config.batchSize, eta: config.eta, optimizer: config.optimizer, ...ADAM, yieldEveryMs: 1e9 });
    return history[1].examplesPerSecond;
  } finally {
    remote.terminate();
  }
}

function show(figures: BenchFigure[], names: string[]): void {
  const table = $<HTMLTableElement>('results');
  const configs = [...new Set(figures.map((f) => f.config))];
  const cell = (config: string, backend: string) => {
    const f = figures.find((x) => x.config === config && x.backend === backend);
    const base = figures.find((x) => x.config === config && x.backend === names[0]);
    if (!f) return '<td></td>';
    const ratio = base ? ` (${(f.examplesPerSecond / base.examplesPerSecond).toFixed(1)}x)` : '';
    return `<td>${f.secondsPerEpoch.toFixed(1)} s${ratio}<br><small>${Math.round(f.examplesPerSecond).toLocaleString('en-US')} examples/s</small></td>`;
  };
  table.innerHTML = `<tr><th>network</th>${names.map((n) => `<th>${n}</th>`).join('')}</tr>` + configs.map((c) => `<tr><td>${c}</td>${names.map((n) => cell(c, n)).join('')}</tr>`).join('');
}

async function run(examples: number): Promise<void> {
  $<HTMLButtonElement>('run').disabled = true;
  const status = $('status');
  status.textContent = 'Loading MNIST ...';
  const all = await fetchDataset('generated/train-images-idx3-ubyte.gz', 'generated/train-labels-idx1-ubyte.gz', { classes: 10 });
  const data = sliceDataset(all, 0, Math.min(examples, all.count));
  const runs = backends();
  if ('gpu' in navigator) $('adapter').textContent = `WebGPU adapter: ${await adapterDescription()}`;
  const figures: BenchFigure[] = [];
  for (const config of Object.values(CONFIGS) as Config[]) {
    for (const backend of runs) {
      status.textContent = `Training ${config.name} on ${backend.name} (${data.count.toLocaleString('en-US')} images, twice) ...`;
      const examplesPerSecond = await measure(config, backend.options, data);
      figures.push({ config: config.name, backend: backend.name, examples: data.count, examplesPerSecond, secondsPerEpoch: EPOCH / examplesPerSecond });
      show(figures, runs.map((r) => r.name));
    }
  }
  status.textContent = `Done: ${figures.length} runs.`;
  document.body.dataset.results = JSON.stringify(figures);
  $<HTMLButtonElement>('run').disabled = false;
}

const params = new URLSearchParams(location.search);
const cores = navigator.hardwareConcurrency || 1;
$('machine').textContent = `${cores} logical cores; ${crossOriginIsolated ? 'cross-origin isolated (threads available)' : 'not cross-origin isolated (one thread)'}; WebGPU ${'gpu' in navigator ? 'offered' : 'not offered'} by this browser.`;
if (params.has('examples')) $<HTMLInputElement>('examples').value = params.get('examples')!;
$('run').addEventListener('click', () =>
  run(Number($<HTMLInputElement>('examples').value)).catch((e) => {
    $('status').textContent = `Error: ${(e as Error).message}`;
    document.body.dataset.error = (e as Error).message;
  }),
);
document.body.dataset.ready = 'true';
if (params.has('run')) $('run').click();

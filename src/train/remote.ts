// A network that lives and trains in a worker (a Web Worker in pages, worker_threads in Node), so
// the page stays responsive: datasets cross once, only progress and metrics come back; the same
// hooks, history and abort as `train`. Not for: kernels or math; it forwards calls.
import { isFeatures, type TrainingData } from '../core/datasets.js';
import type { ModelExtras, ModelHyperparameters } from '../io/model.js';
import type { NetworkOptions } from '../core/options.js';
import type { Activation, Cost, Output } from '../core/costs.js';
import type { BatchInfo, EpochMetrics, TrainOptions, TrainResult } from './train.js';
import { WasmMlpError } from '../core/errors.js';
import { startWorker, type WorkerPort } from '../core/workers.js';
import { memoryShares } from '../core/kernels.js';

/** A dataset as posted to the worker: copies of its bytes (u8 images or f32 features), transferred. */
export interface DatasetWire {
  images?: ArrayBuffer;
  features?: ArrayBuffer;
  labels: ArrayBuffer;
  rows: number;
  cols: number;
  classes: number;
  classNames?: readonly string[];
}

type WireTrainOptions = Omit<TrainOptions, 'test' | 'signal' | 'onBatchEnd' | 'onEpochEnd'>;

export type Request = { id: number } & (
  | { type: 'create'; options: NetworkOptions }
  | { type: 'load-model'; bytes: ArrayBuffer }
  | { type: 'set-data'; train?: DatasetWire; test?: DatasetWire }
  | { type: 'train'; options: WireTrainOptions; batchEveryMs: number; stop?: SharedArrayBuffer }
  | { type: 'abort' }
  | { type: 'parameters' }
  | { type: 'model'; hyperparameters?: Partial<ModelHyperparameters>; extras?: ModelExtras }
  | { type: 'predict'; x: ArrayBuffer }
);

/** A request without its id, one variant at a time. */
type RequestBody = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } }
  | { id: number; event: 'epoch'; data: EpochMetrics }
  | { id: number; event: 'batch'; data: BatchInfo };

export interface RemoteTrainOptions extends WireTrainOptions {
  onEpochEnd?(metrics: EpochMetrics): void;
  /** Called at most every `batchEveryMs` (default 100) and after each epoch's last batch. */
  onBatchEnd?(info: BatchInfo): void;
  batchEveryMs?: number;
  signal?: AbortSignal;
}

export class RemoteNetwork {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; onEvent?(r: Extract<Reply, { event: string }>): void }>();
  /** Filled by create / fromModel: as the network in the worker has them. */
  sizes!: readonly number[];
  parameterCount!: number;
  threads!: number;
  /** Each hidden layer's activation (layer l's at l - 1). */
  activations!: readonly Activation[];
  cost!: Cost;
  output!: Output;

  private constructor(private readonly port: WorkerPort) {}

  /** Starts a worker and makes a network in it. */
  static create(options: NetworkOptions): Promise<RemoteNetwork> {
    return RemoteNetwork.start({ type: 'create', options });
  }

  /** Starts a worker with the network of a model file. */
  static fromModel(bytes: Uint8Array): Promise<RemoteNetwork> {
    const copy = bytes.slice().buffer;
    return RemoteNetwork.start({ type: 'load-model', bytes: copy }, [copy]);
  }

  /** Starts a worker, sends it `req` (make or load a network) and takes its answer: sizes, parameterCount, threads, activations, cost, output. */
  private static async start(req: RequestBody, transfer?: Transferable[]): Promise<RemoteNetwork> {
    // the Web Worker written as one expression so that bundlers (Vite) find and emit it
    const remote: RemoteNetwork = new RemoteNetwork(
      startWorker(import.meta.url, 'train-worker', () => new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' }), {
        message: (r) => remote.receive(r as Reply),
        error: (e) => remote.failAll(e),
      }),
    );
    return Object.assign(remote, await remote.call(req, transfer));
  }

  /** Copies the datasets (training and optional test) into the worker, once. */
  async setData(train: TrainingData | null, test?: TrainingData): Promise<void> {
    const wire = (d: TrainingData): DatasetWire => ({
      ...(isFeatures(d) ? { features: d.features.slice().buffer, rows: d.count, cols: d.width } : { images: d.images.slice().buffer, rows: d.rows, cols: d.cols }),
      labels: d.labels.slice().buffer,
      classes: d.classes,
      classNames: d.classNames,
    });
    const t = train ? wire(train) : undefined;
    const s = test ? wire(test) : undefined;
    const transfer = [t, s].flatMap((w) => (w ? [(w.images ?? w.features)!, w.labels] : []));
    await this.call({ type: 'set-data', train: t, test: s }, transfer);
  }

  /**
   * Trains in the worker; hooks run here. An aborted signal stops it within one mini-batch where
   * SharedArrayBuffer exists (Node, cross-origin isolated pages), else within `yieldEveryMs`.
   */
  async train(options: RemoteTrainOptions = {}): Promise<TrainResult> {
    const { onEpochEnd, onBatchEnd, signal, batchEveryMs = 100, ...rest } = options;
    // Where memory can be shared, the worker sees an abort at its next mini-batch; otherwise the
    // message waits for the loop's next yield to the event loop (yieldEveryMs, 50 ms by default).
    const stop = memoryShares() ? new SharedArrayBuffer(4) : undefined;
    const onAbort = () => {
      if (stop) Atomics.store(new Int32Array(stop), 0, 1);
      this.port.post({ id: this.nextId++, type: 'abort' });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) return { history: [], aborted: true };
      // events only come with an event name: 'epoch' or 'batch'
      return (await this.call({ type: 'train', options: rest, batchEveryMs, stop }, [], (r) => (r.event === 'epoch' ? onEpochEnd : onBatchEnd)?.(r.data as never))) as TrainResult;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  getParameters(): Promise<Float32Array> {
    return this.call({ type: 'parameters' }) as Promise<Float32Array>;
  }

  /** The model file bytes of the network in the worker. */
  encodeModel(hyperparameters?: Partial<ModelHyperparameters>, extras?: ModelExtras): Promise<Uint8Array> {
    return this.call({ type: 'model', hyperparameters, extras }) as Promise<Uint8Array>;
  }

  forward(x: Float32Array): Promise<Float32Array> {
    const copy = x.slice().buffer;
    return this.call({ type: 'predict', x: copy }, [copy]) as Promise<Float32Array>;
  }

  /** Ends the worker; pending calls reject. */
  terminate(): void {
    this.port.terminate();
    this.failAll(new WasmMlpError('the training worker was terminated'));
  }

  private call(req: RequestBody, transfer: Transferable[] = [], onEvent?: (r: Extract<Reply, { event: string }>) => void): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.port.post({ ...req, id } as Request, transfer);
    });
  }

  private receive(r: Reply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    if ('event' in r) return p.onEvent?.(r);
    this.pending.delete(r.id);
    if (r.ok) p.resolve(r.result);
    else p.reject(Object.assign(new WasmMlpError(r.error.message), { name: r.error.name }));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

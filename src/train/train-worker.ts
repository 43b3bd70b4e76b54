// The training worker behind RemoteNetwork: owns one Network and its datasets, trains with the
// same loop as the main thread, and sends back only progress, metrics and results. Runs as a
// module Web Worker or a Node worker_threads worker. Not for: any logic of its own.
import { createDataset } from '../data/dataset.js';
import { createFeatureDataset, type TrainingData } from '../data/features.js';
import { WasmMlpError } from '../core/errors.js';
import { encodeModel, loadModel } from '../io/model.js';
import { Network } from '../core/network.js';
import { parentChannel } from '../core/workers.js';
import { train } from './train.js';
import type { DatasetWire, Reply, Request } from './remote.js';

let net: Network | null = null;
let trainSet: TrainingData | null = null;
let testSet: TrainingData | null = null;
let running: AbortController | null = null;

function need(): Network {
  if (!net) throw new WasmMlpError('no network: create one or load a model first');
  return net;
}

function fromWire(d: DatasetWire): TrainingData {
  const labels = new Uint8Array(d.labels);
  if (d.features) return createFeatureDataset({ features: new Float32Array(d.features), labels, width: d.cols, classes: d.classes, classNames: d.classNames });
  return createDataset({ images: new Uint8Array(d.images!), labels, rows: d.rows, cols: d.cols, classes: d.classes, classNames: d.classNames });
}

/** What RemoteNetwork learns of the network it made or loaded. */
function about(n: Network) {
  return { parameterCount: n.parameterCount, sizes: n.sizes, threads: n.threads, activations: n.activations, cost: n.cost, output: n.output };
}

async function handle(req: Request, send: (reply: Reply, transfer?: Transferable[]) => void): Promise<unknown> {
  switch (req.type) {
    case 'create':
      net?.dispose();
      net = await Network.create(req.options);
      return about(net);
    case 'load-model':
      net?.dispose();
      net = await loadModel(new Uint8Array(req.bytes));
      return about(net);
    case 'set-data':
      trainSet = req.train ? fromWire(req.train) : trainSet;
      testSet = req.test ? fromWire(req.test) : testSet;
      return { train: trainSet?.count ?? 0, test: testSet?.count ?? 0 };
    case 'train': {
      if (!trainSet) throw new WasmMlpError('no training data: call setData first');
      const controller = (running = new AbortController());
      const stop = req.stop ? new Int32Array(req.stop) : null;
      let lastBatch = 0;
      try {
        return await train(need(), trainSet, {
          ...req.options,
          test: testSet ?? undefined,
          signal: running.signal,
          onBatchEnd: (b) => {
            if (stop && Atomics.load(stop, 0) !== 0) controller.abort();
            const t = performance.now();
            if (t - lastBatch < req.batchEveryMs && b.batch !== b.batches - 1) return;
            lastBatch = t;
            send({ id: req.id, event: 'batch', data: b });
          },
          onEpochEnd: (m) => send({ id: req.id, event: 'epoch', data: m }),
        });
      } finally {
        running = null;
      }
    }
    case 'abort':
      running?.abort();
      return null;
    case 'parameters':
      return need().getParameters();
    case 'model':
      return encodeModel(need(), req.hyperparameters, req.extras);
    case 'predict':
      return need().forward(new Float32Array(req.x));
  }
}

const reply = parentChannel((data) => {
  const req = data as Request;
  const send = (r: Reply, transfer?: Transferable[]) => reply(r, transfer);
  handle(req, send).then(
    (result) => send({ id: req.id, ok: true, result }, ArrayBuffer.isView(result) ? [result.buffer as ArrayBuffer] : []),
    (e: Error) => send({ id: req.id, ok: false, error: { name: e?.name ?? 'Error', message: e?.message ?? String(e) } }),
  );
});

// The demo page's shared state: the network that reads drawings, the training worker, the loaded
// MNIST, the run in progress and its history. Not for: showing it or changing it (the panels do).
import type { Dataset, EpochMetrics, ModelData, Network, RemoteNetwork } from 'wasm-mlp';

export interface PageState {
  /** The network that reads drawings, on the main thread (predicting one image takes microseconds). */
  reader: Network | null;
  /** The reader's model: its standardisation and output function (an imported model's may differ from ours). */
  readerModel: ModelData | null;
  trainer: RemoteNetwork | null;
  data: { train: Dataset; test: Dataset } | null;
  abort: AbortController | null;
  history: EpochMetrics[];
  plannedEpochs: number;
}

export const page: PageState = { reader: null, readerModel: null, trainer: null, data: null, abort: null, history: [], plannedEpochs: 0 };

// wasm-mlp: a multilayer perceptron trained by backpropagation, with a WebAssembly core.
// The entry for Node and browsers alike; file helpers for Node live in 'wasm-mlp/node'.
export { Network, WEIGHT_INITS, OPTIMIZERS, type Optimizer, type OptimizerState, type StepSettings, type WeightInit, type NetworkOptions, type Gradients, type StagedDataset } from './core/network.js';
export { train, evaluate, classReport, scheduledEta, DEFAULT_ETA, type Schedule, type ClassReport, type TrainOptions, type TrainHooks, type TrainResult, type EpochMetrics, type BatchInfo, type Evaluation } from './train/train.js';
export { createDataset, sliceDataset, type Dataset, type DatasetInit } from './data/dataset.js';
export { parseIdx, decodeIdx, gunzip, isGzip, datasetFromIdx, type IdxArray } from './data/idx.js';
export { encodeModel, decodeModel, loadModel, networkFromModel, encodeCheckpoint, decodeCheckpoint, MODEL_MAGIC, MODEL_VERSION, type ModelData, type ModelHyperparameters } from './io/model.js';
export { parameterCount, countWeights, countBiases, layerShapes, validateSizes, type LayerShape } from './core/shapes.js';
export { Rng } from './core/random.js';
export { ACTIVATIONS, COSTS, type Activation, type Cost } from './core/costs.js';
export { mnistify, greyFromRgba, type GreyImage, type MnistifyOptions } from './data/preprocess.js';
export { simdSupported, type KernelVariant } from './core/kernels.js';
export { WasmMlpError, IdxFormatError, ModelFormatError, ImageFormatError, InvalidArgumentError, TrainingDivergedError } from './core/errors.js';
export { fetchBytes, fetchIdx, fetchDataset, type FetchProgress } from './data/fetch.js';
export { RemoteNetwork, type RemoteTrainOptions } from './parallel/remote.js';

// wasm-mlp: a multilayer perceptron trained by backpropagation, with a WebAssembly core.
// The entry for Node and browsers alike; file helpers for Node live in 'wasm-mlp/node'.
export { Network, type Gradients } from './core/network.js';
export { WEIGHT_INITS, MAX_THREADS, type WeightInit, type NetworkOptions } from './core/options.js';
export { OPTIMIZERS, type Optimizer, type OptimizerState, type StepSettings } from './core/optimizer.js';
export type { StagedDataset } from './core/staging.js';
export { THREADS_PAY } from './train/engine.js';
export { train, DEFAULT_ETA, type TrainOptions, type TrainHooks, type TrainResult, type EpochMetrics, type BatchInfo } from './train/train.js';
export { evaluate, classReport, type ClassReport, type Evaluation } from './train/evaluate.js';
export { scheduledEta, type Schedule } from './train/schedule.js';
export { augmentImages, type AugmentImagesOptions } from './core/augment.js';
export type { AugmentOptions, AffineAugment, ElasticAugment, RegularizeOptions } from './core/regularize.js';
export { createDataset, sliceDataset, type Dataset, type DatasetInit } from './data/dataset.js';
export { createFeatureDataset, sliceFeatures, sliceData, isFeatures, inputsOf, density, fitStandardization, standardize, standardizeDataset, STANDARDIZE_MODES, type FeatureDataset, type FeatureDatasetInit, type TrainingData, type Standardization, type StandardizeMode } from './data/features.js';
export { splitData, pick } from './data/split.js';
export { parseIdx, decodeIdx, gunzip, isGzip, datasetFromIdx, type IdxArray } from './data/idx.js';
export { encodeModel, decodeModel, loadModel, networkFromModel, MODEL_MAGIC, MODEL_VERSION, type ModelData, type ModelHyperparameters, type ModelExtras, type ImageRule } from './io/model.js';
export { encodeCheckpoint, decodeCheckpoint } from './io/checkpoint.js';
export { parameterCount, countWeights, countBiases, layerShapes, validateSizes, type LayerShape } from './core/shapes.js';
export { Rng } from './core/random.js';
export { ACTIVATIONS, COSTS, type Activation, type Cost } from './core/costs.js';
export { mnistify, greyFromRgba, type GreyImage, type MnistifyOptions } from './data/preprocess.js';
export { imageToPixels, planImageFolder, datasetFromPlan, IMAGE_EXTENSIONS, type DecodedImage, type FolderPlan, type ImageFolderOptions, type ImageShape } from './data/images.js';
export { datasetFromImageFiles, decodeImageFile } from './data/image-files.js';
export { relaxedSupported, simdSupported, type KernelVariant } from './core/kernels.js';
export { WasmMlpError, IdxFormatError, ModelFormatError, ImageFormatError, InvalidArgumentError, TrainingDivergedError, WebGpuUnavailableError } from './core/errors.js';
export type { Gpu, GpuAdapterInfo } from './core/webgpu.js';
export { fetchBytes, fetchIdx, fetchDataset, type FetchProgress } from './data/fetch.js';
export { RemoteNetwork, type RemoteTrainOptions } from './train/remote.js';

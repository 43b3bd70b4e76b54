// The step context: a small block of a network's wasm memory that every training thread's layer
// loop reads: whether a training step runs, the batch's first row in its epoch, and the dropout,
// max-norm and augmentation settings and keys regularize.ts writes there. Not for: checking or
// drawing those settings (regularize.ts, loaded only by runs that regularise).
import type { MemoryViews } from './memory.js';

// The step context, i32 / f32 slots: mode (1 while a training step runs), the batch's first row in
// its epoch, then augmentation (on, key, rows, cols, params pointer, scratch pointer, scratch bytes
// per thread), max-norm c, and per layer l = 0 .. L - 1 (0 the input) dropout's key, threshold and scale.
export const MODE = 0;
export const ROW0 = 1;
export const AUGMENT = 2;
export const AUGMENT_KEY = 3;
export const ROWS = 4;
export const COLS = 5;
export const PARAMS = 6;
export const SCRATCH = 7;
export const SCRATCH_BYTES = 8;
export const MAX_NORM = 9;
export const DROPOUT = 12;

export function contextBytes(layers: number): number {
  return 4 * (DROPOUT + 3 * layers);
}

/** The step context in a network's memory, read by the layer loop of every thread. */
export class StepContext {
  constructor(
    private readonly views: MemoryViews,
    private readonly at: number,
    readonly layers: number,
  ) {}

  get i32(): Int32Array {
    return this.views.i32.subarray(this.at >> 2, (this.at >> 2) + DROPOUT + 3 * this.layers);
  }

  get f32(): Float32Array {
    return this.views.f32.subarray(this.at >> 2, (this.at >> 2) + DROPOUT + 3 * this.layers);
  }

  /** No regularisation, not training: what inference and evaluation see. */
  clear(): void {
    this.i32.fill(0);
    this.f32[MAX_NORM] = 0;
    for (let l = 0; l < this.layers; l++) this.f32[DROPOUT + 3 * l + 2] = 1;
  }

  /** A training step of the batch whose first example is row `row0` of its epoch begins (or, with -1, it ended). */
  step(row0: number): void {
    const i = this.views.i32;
    const o = this.at >> 2;
    i[o + MODE] = row0 >= 0 ? 1 : 0;
    i[o + ROW0] = row0 >= 0 ? row0 : 0;
  }

}

/**
 * The context as the layer loop reads it: `read()` refreshes the fields from memory (once per
 * call of the loop, no allocation); outside a training step everything reads as off.
 */
export class ContextReader {
  // set by read(), the only way to the reader (LayerLoop.context())
  training!: boolean;
  row0!: number;
  augment!: boolean;
  augmentKey!: number;
  rows!: number;
  cols!: number;
  params!: number;
  scratch!: number;
  scratchBytes!: number;
  maxNorm!: number;

  constructor(
    private readonly views: MemoryViews,
    private readonly at: number,
  ) {}

  read(): this {
    const i = this.views.i32;
    const o = this.at >> 2;
    this.training = i[o + MODE] === 1;
    this.row0 = i[o + ROW0];
    this.augment = this.training && i[o + AUGMENT] === 1;
    this.augmentKey = i[o + AUGMENT_KEY];
    this.rows = i[o + ROWS];
    this.cols = i[o + COLS];
    this.params = i[o + PARAMS];
    this.scratch = i[o + SCRATCH];
    this.scratchBytes = i[o + SCRATCH_BYTES];
    this.maxNorm = this.training ? this.views.f32[o + MAX_NORM] : 0;
    return this;
  }

  /** Dropout of layer l (0 the input): its threshold as an i32 (0: none), key and scale. */
  dropoutThreshold(l: number): number {
    return this.training ? this.views.i32[(this.at >> 2) + DROPOUT + 3 * l + 1] : 0;
  }

  dropoutKey(l: number): number {
    return this.views.i32[(this.at >> 2) + DROPOUT + 3 * l];
  }

  dropoutScale(l: number): number {
    return this.views.f32[(this.at >> 2) + DROPOUT + 3 * l + 2];
  }
}

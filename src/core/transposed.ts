// W^1 kept transposed: the first layer works from each example's nonzero inputs, so it reads and
// updates W^1 by input column. WT is one (cols, stride) block per training thread (each thread's
// range of the rows), and it is the current copy while training; the row-major W^1 in the
// parameter region is refreshed from it before anyone reads the parameters. Not for: kernels.
import type { MemoryPlan } from './memory.js';
import type { LayerShape } from './shapes.js';

/**
 * A range of W^1's rows [row, row + rows) kept transposed as a (cols, stride) block, `offset`
 * floats from WT's start (the same offset in every buffer laid out as WT: gradients, optimizer
 * state); stride is rows rounded up to 16, the padding zero.
 */
export interface WtBlock {
  row: number;
  rows: number;
  offset: number;
  stride: number;
}

/** A block needs this many rows a thread, or WT stays one block (the kernels work 32 rows at a time). */
export const MIN_BLOCK_ROWS = 32;

/**
 * WT's blocks for T training threads: thread t's range of W^1's rows (rowRange, from multiples of
 * 16) in a block of its own, so that no cache line, and no run of lines a hardware prefetcher
 * streams through, holds two threads' weights. One block for one thread, and when a thread's
 * share would be under MIN_BLOCK_ROWS rows: narrower blocks cost the single-thread passes
 * (inference, small steps) more than they save (bench/RESULTS.md).
 */
export function transposedBlocks(rows: number, cols: number, T: number): { blocks: WtBlock[]; wtLength: number } {
  const B = rows >= MIN_BLOCK_ROWS * T ? T : 1;
  let offset = 0;
  const blocks = Array.from({ length: B }, (_, t) => {
    const [j0, j1] = rowRange(rows, t, B, 16);
    const block = { row: j0, rows: j1 - j0, offset, stride: Math.ceil((j1 - j0) / 16) * 16 };
    offset += cols * block.stride;
    return block;
  });
  return { blocks, wtLength: offset };
}

/** [start, end) of thread t's share of `rows` (or any n elements), cut at multiples of `unit` (the last share ends at rows). */
export function rowRange(rows: number, t: number, T: number, unit: number): [number, number] {
  const at = (u: number) => (u === T ? rows : Math.min(rows, Math.round((rows * u) / T / unit) * unit));
  return [at(t), at(t + 1)];
}

/** WT in a network's memory, and which copy of W^1 is current. */
export class TransposedW1 {
  /** Byte offset of WT, its blocks, and its length in floats (padding included). */
  readonly wt: number;
  readonly blocks: WtBlock[];
  readonly wtLength: number;
  private rowMajorCurrent = true;

  constructor(
    readonly plan: MemoryPlan,
    readonly first: LayerShape,
    threads: number,
  ) {
    ({ blocks: this.blocks, wtLength: this.wtLength } = transposedBlocks(first.rows, first.cols, threads));
    this.wt = plan.reserve(this.wtLength * 4, 'the transposed first-layer weights');
  }

  /** Training is about to change WT: the row-major W^1 at `params` goes stale. */
  willTrain(): void {
    this.rowMajorCurrent = false;
  }

  /** Copies WT into the row-major W^1 of the parameter region at `params`, if it is stale. */
  refreshRowMajor(params: number): void {
    if (this.rowMajorCurrent) return;
    const f = this.plan.f32;
    fromTransposed(f, (params >> 2) + this.first.wOffset, f, this.wt >> 2, this.blocks, this.first.cols);
    this.rowMajorCurrent = true;
  }

  /** The row-major W^1 at `params` was written: copies it into WT. */
  loadRowMajor(params: number): void {
    const f = this.plan.f32;
    toTransposed(f, this.wt >> 2, f, (params >> 2) + this.first.wOffset, this.blocks, this.first.cols, this.wtLength);
  }
}

/** W (rows, cols) row-major at index w of `dst`, from WT (its blocks) at index t of `src`. */
export function fromTransposed(dst: Float32Array, w: number, src: Float32Array, t: number, blocks: WtBlock[], cols: number): void {
  for (const { row, rows, offset, stride } of blocks) {
    for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) dst[w + (row + j) * cols + i] = src[t + offset + i * stride + j];
  }
}

/** WT (its blocks, `length` floats, padding zero) at index t of `dst`, from W (rows, cols) row-major at index w of `src`. */
export function toTransposed(dst: Float32Array, t: number, src: Float32Array, w: number, blocks: WtBlock[], cols: number, length: number): void {
  dst.fill(0, t, t + length);
  for (const { row, rows, offset, stride } of blocks) {
    for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) dst[t + offset + i * stride + j] = src[w + (row + j) * cols + i];
  }
}

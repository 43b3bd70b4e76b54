// The memory plan: lays buffers out once in one kernel instance's linear memory, before any
// training loop runs, and hands out typed views that survive memory growth (MemoryViews, also
// used alone by the layer loop). Not for: anything inside a training step (nothing here may run
// per mini-batch except the cached view getters).
import type { Kernels } from './kernels.js';
import { WasmMlpError } from './errors.js';

const PAGE = 65536;
/** wasm32 addresses 4 GiB; asconfig.json caps the memory there (65536 pages). */
export const MAX_MEMORY_BYTES = 65536 * PAGE;
const ALIGN = 64; // one cache line: SIMD loads never straddle lines at a buffer's start
/** Bytes past every buffer that kernels may read (never use): a SIMD block reading a row's padding. */
const SLACK = 128;

/** Typed views of a kernel instance's whole memory, rebuilt only when the memory grew. */
export class MemoryViews {
  // made by refresh() on the first use
  private buffer?: ArrayBufferLike;
  private f32View!: Float32Array;
  private u8View!: Uint8Array;
  private u32View!: Uint32Array;
  private i32View!: Int32Array;

  constructor(protected readonly kernels: Kernels) {}

  /** The whole memory as f32 (index = byte offset / 4). */
  get f32(): Float32Array {
    this.refresh();
    return this.f32View;
  }

  get u8(): Uint8Array {
    this.refresh();
    return this.u8View;
  }

  get u32(): Uint32Array {
    this.refresh();
    return this.u32View;
  }

  get i32(): Int32Array {
    this.refresh();
    return this.i32View;
  }

  private refresh(): void {
    const buffer = this.kernels.memory.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.f32View = new Float32Array(buffer);
      this.u8View = new Uint8Array(buffer);
      this.u32View = new Uint32Array(buffer);
      this.i32View = new Int32Array(buffer);
    }
  }
}

export class MemoryPlan extends MemoryViews {
  private top: number;

  constructor(kernels: Kernels) {
    super(kernels);
    this.top = alignUp(kernels.heapBase(), ALIGN);
  }

  /** Byte offset where the next reservation starts; pass it to `release` to undo later ones. */
  mark(): number {
    return this.top;
  }

  /** Reserves `bytes` (64-byte aligned), growing the memory if needed; returns the byte offset. */
  reserve(bytes: number, what: string): number {
    const ptr = alignUp(this.top, ALIGN);
    const end = ptr + bytes + SLACK;
    if (!Number.isSafeInteger(end) || end > MAX_MEMORY_BYTES) {
      throw new WasmMlpError(
        `${what} needs ${formatBytes(bytes)} of wasm memory, but only ${formatBytes(MAX_MEMORY_BYTES - ptr)} ` +
          `of the ${formatBytes(MAX_MEMORY_BYTES)} limit is left`,
      );
    }
    const memory = this.kernels.memory;
    const have = memory.buffer.byteLength;
    if (end > have) {
      try {
        memory.grow(Math.ceil((end - have) / PAGE));
      } catch (cause) {
        throw new WasmMlpError(`${what}: could not grow wasm memory to ${formatBytes(end)}`, { cause });
      }
    }
    this.top = end;
    return ptr;
  }

  /** Forgets every reservation made after `mark` (the memory itself never shrinks). */
  release(mark: number): void {
    this.top = mark;
  }
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${n} bytes`;
}

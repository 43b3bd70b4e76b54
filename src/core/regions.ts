// A network's memory over its life, bottom up: parameters, gradients and W^T (fixed); the batch
// buffers; resident datasets and optimizer buffers (fixed, kept across trainings); then what a
// scope stages and the threads' buffers, both released when the scope ends. Not for: what the
// regions hold (network.ts and the modules it hands them to).
import { WasmMlpError } from './errors.js';
import type { MemoryPlan } from './memory.js';
import { scoped } from './staging.js';

export class Regions {
  /** Start and end of the batch buffers, end of everything fixed, and where the threads' buffers began. */
  private batchMark: number;
  private batchEnd = 0;
  private fixedEnd = 0;
  private threadsMark = 0;

  constructor(private readonly plan: MemoryPlan) {
    this.batchMark = plan.mark();
  }

  /** Replaces the batch buffers by what `make` reserves; fixed regions made after the old buffers stay, the new ones go on top. */
  remakeBatch(make: () => void): void {
    if (this.fixedEnd > this.batchEnd) this.batchMark = this.fixedEnd;
    this.plan.release(this.batchMark);
    make();
    this.batchEnd = this.fixedEnd = this.plan.mark();
  }

  /** What `reserve` reserves lasts as long as the network (`what`: a resident dataset, an optimizer); only while nothing is staged. */
  fixed<T>(what: string, reserve: () => T): T {
    if (this.plan.mark() !== this.fixedEnd) throw new WasmMlpError(`${what} cannot be made while data is staged (during training or evaluation)`);
    const made = reserve();
    this.fixedEnd = this.plan.mark();
    return made;
  }

  /** The threads' buffers begin here (inside a scope, which stops the threads when it ends). */
  markThreads(): void {
    this.threadsMark = this.plan.mark();
  }

  /**
   * Runs `use`; when it returns, throws or its promise settles, `release(mark, threadsInside)` and
   * then the release of everything reserved from `mark` on (threadsInside: the threads started
   * inside this scope, so they must stop first).
   */
  scope<T>(use: () => T, release: (mark: number, threadsInside: boolean) => void): T {
    const mark = this.plan.mark();
    return scoped(use, () => {
      release(mark, mark <= this.threadsMark);
      this.plan.release(mark);
    });
  }
}

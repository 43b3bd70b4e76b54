// The training form: its fields read into the settings of a run (sizes, optimizer, regularisation,
// augmentation), and the thread counts and the GPU this page can offer. Not for: running (training.ts does).
import { THREADS_PAY, type Activation, type AugmentOptions, type Cost, type Optimizer } from 'wasm-mlp';
import { $ } from './dom.js';

/** The form's augmentation choices: moderate settings that help MNIST (README: the 99% recipe). */
export const AFFINE = { rotation: 10, scale: 0.1, shear: 0.15, shift: 2 };
export const ELASTIC = { alpha: 34, sigma: 4 };
const AUGMENTS: Record<string, AugmentOptions | undefined> = { none: undefined, affine: { affine: AFFINE }, elastic: { elastic: ELASTIC }, both: { affine: AFFINE, elastic: ELASTIC } };

/** The augmentation chosen in the form (undefined for none). */
export function chosenAugment(): AugmentOptions | undefined {
  return AUGMENTS[$<HTMLSelectElement>('augment').value];
}

export function readForm() {
  const hidden = $<HTMLInputElement>('hidden').value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (hidden.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('hidden layers: comma-separated positive integers, like 100,30');
  return {
    sizes: [784, ...hidden, 10],
    eta: Number($<HTMLInputElement>('eta').value),
    batchSize: Number($<HTMLInputElement>('batch').value),
    epochs: Number($<HTMLInputElement>('epochs').value),
    subset: Number($<HTMLInputElement>('subset').value),
    init: $<HTMLSelectElement>('init').value as 'normal' | 'scaled' | 'he',
    seed: Number($<HTMLInputElement>('seed').value),
    threads: Number($<HTMLSelectElement>('threads').value),
    kernels: $<HTMLSelectElement>('kernels').value === 'webgpu' ? ('webgpu' as const) : undefined,
    activation: $<HTMLSelectElement>('activation').value as Activation,
    cost: $<HTMLSelectElement>('cost').value as Cost,
    optimizer: $<HTMLSelectElement>('optimizer').value as Optimizer,
    dropout: [Number($<HTMLInputElement>('dropout-in').value), Number($<HTMLInputElement>('dropout-hidden').value)],
    augment: chosenAugment(),
  };
}

/** Offers data-parallel threads where they can run: they need cross-origin isolation (SharedArrayBuffer). */
export function setupThreads(): void {
  const select = $<HTMLSelectElement>('threads');
  const cores = Math.min(8, navigator.hardwareConcurrency || 1);
  if (crossOriginIsolated && cores > 1) {
    select.add(new Option(`${cores} (data-parallel)`, String(cores)));
    select.title = THREADS_PAY[0].toUpperCase() + THREADS_PAY.slice(1) + '.';
  } else select.title = 'one thread: this page is not cross-origin isolated or has one core';
}

/** Offers the GPU where the browser has WebGPU (this page is served over https or from localhost); training, not drawing, runs there. */
export function setupKernels(): void {
  const select = $<HTMLSelectElement>('kernels');
  if ('gpu' in navigator) select.add(new Option('GPU (WebGPU)', 'webgpu'));
  else select.title = 'this browser offers no WebGPU here';
}

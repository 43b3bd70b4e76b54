// What a network trains on and evaluates, as core sees it: u8 images or f32 features with u8
// labels. The shapes only; making, checking, slicing and reading them is data/'s work, above core.
// Not for: staging in wasm memory (staging.ts).

/** A labelled image dataset kept as u8: images (count, rows * cols), labels (count). */
export interface Dataset {
  /** (count, rows * cols) u8 pixels, row-major, one image after another. */
  readonly images: Uint8Array;
  /** (count) u8 class labels, each < classes. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** rows * cols */
  readonly pixels: number;
  /** Number of classes: given, or 1 + the largest label. */
  readonly classes: number;
  /** The classes' names, when the source has them (image folders). */
  readonly classNames?: readonly string[];
}

/** A labelled dataset of f32 features (CSV rows, NumPy arrays): features (count, width), labels (count). */
export interface FeatureDataset {
  /** (count, width) f32 features, row-major. */
  readonly features: Float32Array;
  /** (count) u8 class labels, each < classes. */
  readonly labels: Uint8Array;
  readonly count: number;
  /** Features per example: the network's inputs. */
  readonly width: number;
  readonly classes: number;
  /** The classes' names, when the source has them (image folders, CSV labels that are words). */
  readonly classNames?: readonly string[];
}

/** Images (u8, scaled to [0, 1] when gathered) or features (f32, as they are): what train and evaluate take. */
export type TrainingData = Dataset | FeatureDataset;

export function isFeatures(d: TrainingData): d is FeatureDataset {
  return (d as FeatureDataset).features !== undefined;
}

/** Inputs per example of either kind. */
export function inputsOf(d: TrainingData): number {
  return isFeatures(d) ? d.width : d.pixels;
}

// Scores of a network on a dataset: accuracy and mean cost, and the per-class report with the
// confusion matrix. Not for: training; the loop calls `evaluation` on data it already staged.
import type { TrainingData } from '../data/features.js';
import type { Network } from '../core/network.js';
import type { StagedDataset } from '../core/staging.js';

export interface Evaluation {
  /** Fraction of examples whose largest output is their label. */
  accuracy: number;
  /** Mean over examples of the network's cost (quadratic: sum_j (a_j - y_j)^2). */
  cost: number;
  correct: number;
  count: number;
}

/** Accuracy and mean cost (the network's cost function) of `net` on `data`. */
export function evaluate(net: Network, data: TrainingData): Evaluation {
  return net.withStaged((stage) => evaluation(net, stage(data)));
}

export interface ClassReport extends Evaluation {
  /** predicted[i] is the class predicted for example i. */
  predicted: Uint8Array;
  /** confusion[t][p]: examples of true class t predicted as p. */
  confusion: number[][];
  /** Per true class: its examples, how many were predicted right, and the fraction. */
  perClass: { label: number; count: number; correct: number; accuracy: number }[];
}

/** Accuracy, cost, the prediction of every example, per-class accuracy and the confusion matrix. */
export function classReport(net: Network, data: TrainingData): ClassReport {
  const predicted = new Uint8Array(data.count);
  const result = net.withStaged((stage) => evaluation(net, stage(data), predicted));
  const K = Math.max(data.classes, net.outputSize);
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const labels = data.labels;
  for (let i = 0; i < data.count; i++) confusion[labels[i]][predicted[i]]++;
  const perClass = confusion.slice(0, data.classes).map((row, label) => {
    const count = row.reduce((a, b) => a + b, 0);
    return { label, count, correct: row[label], accuracy: count ? row[label] / count : NaN };
  });
  return { ...result, predicted, confusion, perClass };
}

/** The evaluation of a staged dataset; the predicted classes go to `predictions` if given. */
export function evaluation(net: Network, s: StagedDataset, predictions?: Uint8Array): Evaluation {
  const { correct, cost } = net.evaluateStaged(s, predictions);
  const count = s.data.count;
  return { accuracy: correct / count, cost: cost / count, correct, count };
}

// How the CLI prints: aligned tables, the layer table, percentages and the per-epoch line. Not
// for: files (node/plot.ts draws the charts and image grids).
import { layerShapes, type EpochMetrics } from '../index.js';

/** Rows as aligned text columns two spaces apart: the columns in `left` padded on the right, the others right-aligned. */
export function formatTable(rows: (string | number)[][], left: number[] = []): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((v, c) => (left.includes(c) ? String(v).padEnd(widths[c]) : String(v).padStart(widths[c]))).join('  ')).join('\n');
}

export function layerTable(sizes: number[]): string {
  const rows = layerShapes(sizes).map((s, i) => [`${i + 1}`, `${s.cols} -> ${s.rows}`, s.rows * s.cols, s.rows, s.rows * s.cols + s.rows]);
  const weights = rows.reduce((t, r) => t + (r[2] as number), 0);
  const biases = rows.reduce((t, r) => t + (r[3] as number), 0);
  return formatTable([['layer', 'shape', 'weights', 'biases', 'parameters'], ...rows, ['total', '', weights, biases, weights + biases]], [0, 1]);
}

export function percent(x: number): string {
  return Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(2)}%`;
}

export function epochLine(m: EpochMetrics, epochs: number): string {
  const width = String(epochs).length;
  return (
    `epoch ${String(m.epoch).padStart(width)}/${epochs}  cost ${m.trainCost.toFixed(4)}  ` +
    (Number.isNaN(m.validationAccuracy) ? '' : `validation ${percent(m.validationAccuracy)}  `) +
    `test ${percent(m.testAccuracy)} (cost ${m.testCost.toFixed(4)})  ` +
    `${m.trainSeconds.toFixed(2)} s  ${Math.round(m.examplesPerSecond).toLocaleString('en-US')} ex/s`
  );
}

// The training panel's two uPlot charts, mean cost (train, test) and test accuracy per epoch: made
// at the first epoch, redrawn at each next. Not for: the run itself or the page state.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { EpochMetrics } from 'wasm-mlp';
import { $ } from './dom.js';

let costChart: uPlot | null = null;
let accuracyChart: uPlot | null = null;

function chartWidth(): number {
  return Math.min(440, $('train-panel').clientWidth - 24);
}

export function updateCharts(history: readonly EpochMetrics[]): void {
  const epochs = history.map((h) => h.epoch);
  const cost: uPlot.AlignedData = [epochs, history.map((h) => h.trainCost), history.map((h) => h.testCost)];
  const accuracy: uPlot.AlignedData = [epochs, history.map((h) => 100 * h.testAccuracy)];
  if (!costChart || !accuracyChart) {
    const axes = (label: string): uPlot.Axis[] => [{ label: 'epoch' }, { label }];
    costChart = new uPlot(
      { title: 'Cost per epoch', width: chartWidth(), height: 180, scales: { x: { time: false } }, axes: axes('mean cost'), series: [{}, { label: 'train', stroke: '#c0392b' }, { label: 'test', stroke: '#2c3e50' }] },
      cost,
      $('cost-chart'),
    );
    accuracyChart = new uPlot(
      { title: 'Test accuracy per epoch', width: chartWidth(), height: 180, scales: { x: { time: false } }, axes: axes('%'), series: [{}, { label: 'test accuracy %', stroke: '#27ae60' }] },
      accuracy,
      $('accuracy-chart'),
    );
  } else {
    costChart.setData(cost);
    accuracyChart.setData(accuracy);
  }
}

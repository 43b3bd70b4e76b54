// The drawing pad: strokes drawn with mouse, pen or touch, preprocessed like MNIST and read by the
// page's reader network (the 28 x 28 input, the ten output bars, the prediction). Not for: models.
import { greyFromRgba, isPixelStandardization, mnistify, standardize } from 'wasm-mlp';
import { $ } from './dom.js';
import { page } from './state.js';

const pad = $<HTMLCanvasElement>('pad');
const padCtx = pad.getContext('2d', { willReadFrequently: true })!;
let drawing = false;
let last: { x: number; y: number } | null = null;
let pendingFrame = 0;

export function clearPad(): void {
  padCtx.fillStyle = '#fff';
  padCtx.fillRect(0, 0, pad.width, pad.height);
  predictDrawing();
}

function point(e: PointerEvent): { x: number; y: number } {
  const r = pad.getBoundingClientRect();
  return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
}

function stroke(to: { x: number; y: number }): void {
  padCtx.strokeStyle = '#000';
  padCtx.lineWidth = 18;
  padCtx.lineCap = 'round';
  padCtx.lineJoin = 'round';
  padCtx.beginPath();
  const from = last ?? to;
  padCtx.moveTo(from.x, from.y);
  padCtx.lineTo(to.x + 0.01, to.y);
  padCtx.stroke();
  last = to;
  if (!pendingFrame) pendingFrame = requestAnimationFrame(() => ((pendingFrame = 0), predictDrawing()));
}

/** Listens to the pad's pointer events and its Clear button. */
export function setupPad(): void {
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    last = null;
    pad.setPointerCapture(e.pointerId);
    stroke(point(e));
  });
  pad.addEventListener('pointermove', (e) => drawing && stroke(point(e)));
  for (const type of ['pointerup', 'pointercancel'] as const) {
    pad.addEventListener(type, () => {
      drawing = false;
      last = null;
      predictDrawing();
    });
  }
  $('clear').addEventListener('click', clearPad);
}

/** Preprocesses the pad like MNIST, shows the 28x28 input, the 10 outputs and the prediction. */
export function predictDrawing(): void {
  const { reader } = page;
  const { data: rgba } = padCtx.getImageData(0, 0, pad.width, pad.height);
  const x = mnistify(greyFromRgba(rgba, pad.width, pad.height));
  showInput(x);
  const empty = x.every((v) => v === 0);
  const outputs = reader && !empty ? probabilities(reader.forward(readerInput(x))) : new Float32Array(10);
  showBars(outputs, empty);
  const best = argmax(outputs);
  $('prediction').textContent = empty || !reader ? '?' : String(best);
  document.body.dataset.prediction = empty || !reader ? '' : String(best);
}

/** The reader's input of the pad's pixels / 255: an imported model's own standardisation applied (not pixel data's / 255, which the pad's values have had). */
function readerInput(x: Float32Array): Float32Array {
  const s = page.readerModel?.standardize;
  return s && !isPixelStandardization(s) ? standardize(x, s) : x;
}

/** Outputs as the bars show them: probabilities, the softmax of logits or log-probabilities (an imported model's output). */
function probabilities(outputs: Float32Array): Float32Array {
  const output = page.readerModel?.output;
  if (output !== 'identity' && output !== 'log-softmax') return outputs;
  const max = Math.max(...outputs);
  const e = outputs.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** The index of the largest output (the first of equals). */
function argmax(outputs: Float32Array): number {
  let best = 0;
  for (let j = 1; j < outputs.length; j++) if (outputs[j] > outputs[best]) best = j;
  return best;
}

function showInput(x: Float32Array): void {
  const c = $<HTMLCanvasElement>('input28');
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(255 * (1 - x[i]));
    img.data.set([v, v, v, 255], 4 * i);
  }
  const tmp = document.createElement('canvas');
  tmp.width = tmp.height = 28;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, c.width, c.height);
}

function showBars(outputs: Float32Array, empty: boolean): void {
  const box = $('bars');
  if (box.children.length !== 10) {
    box.innerHTML = '';
    for (let j = 0; j < 10; j++) {
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.innerHTML = `<div class="fill"></div><span>${j}</span>`;
      box.appendChild(bar);
    }
  }
  const best = argmax(outputs);
  for (let j = 0; j < 10; j++) {
    const bar = box.children[j] as HTMLElement;
    (bar.firstChild as HTMLElement).style.height = `${Math.round(100 * outputs[j])}%`;
    bar.classList.toggle('best', !empty && j === best);
    bar.title = `output ${j}: ${outputs[j].toFixed(3)}`;
  }
}

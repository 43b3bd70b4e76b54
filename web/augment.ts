// The augmentation view: a test digit as eight training steps would see it, distorted with the
// augmentation chosen in the form. Not for: training (the worker augments its own mini-batches).
import { augmentImages } from 'wasm-mlp';
import { loadData } from './data.js';
import { $ } from './dom.js';
import { AFFINE, chosenAugment, ELASTIC } from './form.js';
import { fail } from './status.js';

let augmentDigit = 0;
let augmentDraw = 0;

/** Eight distortions of one test digit, as training draws them with the form's augmentation. */
export async function showAugmented(): Promise<void> {
  const { test } = await loadData();
  const augment = chosenAugment() ?? { affine: AFFINE, elastic: ELASTIC };
  const images = await augmentImages(test, new Array(8).fill(augmentDigit), augment, { seed: Number($<HTMLInputElement>('seed').value) || 1, row0: 8 * augmentDraw++ });
  const box = $('augmented');
  box.replaceChildren();
  for (let n = 0; n < 8; n++) {
    const c = document.createElement('canvas');
    c.width = c.height = 28;
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = 255 - Math.round(255 * images[n * 784 + i]);
      img.data.set([v, v, v, 255], 4 * i);
    }
    ctx.putImageData(img, 0, 0);
    c.title = `test digit ${augmentDigit} (a ${test.labels[augmentDigit]}), distortion ${n + 1}`;
    box.appendChild(c);
  }
  document.body.dataset.augmented = String(augmentDraw);
}

/** The "another digit" button, and a redraw when the form's augmentation changes. */
export function setupAugmentView(): void {
  $('reaugment').addEventListener('click', () => {
    if (augmentDraw > 0) augmentDigit = (augmentDigit + 97) % 10000;
    $('reaugment').textContent = 'Another digit';
    showAugmented().catch(fail);
  });
  $('augment').addEventListener('change', () => augmentDraw > 0 && showAugmented().catch(fail));
}

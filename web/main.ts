// The demo page: trains on MNIST in a worker with live charts, shows what the first hidden layer
// learns, and reads digits drawn with mouse or touch. This module only wires the panels together.
// Not for: library code (the page uses only the public API of 'wasm-mlp').
import './locale.js'; // first: uPlot reads navigator.language as it loads
import { setupAugmentView } from './augment.js';
import { asset } from './dom.js';
import { readForm, setupKernels, setupThreads } from './form.js';
import { installTestHooks, pageReady } from './hooks.js';
import { setupImagesPanel } from './images.js';
import { setupModelIo, useModelUrl } from './model.js';
import { clearPad, setupPad } from './pad.js';
import { setupTraining } from './training.js';

setupPad();
setupAugmentView();
setupTraining();
setupModelIo();
setupImagesPanel(readForm, (e) => console.warn(e));
installTestHooks();
setupThreads();
setupKernels();
clearPad();
await useModelUrl(asset('pretrained.wmlp'), 'Using the pre-trained model (784-100-10, 10 epochs, about 97.5% on the test set).');
pageReady();

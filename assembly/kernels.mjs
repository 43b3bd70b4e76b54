// The kernel table: every kernel the wasm module exports, one row each, the one place a kernel is
// declared. `node assembly/generate.mjs` (run by `npm run build:wasm`) makes from it the
// dispatchers (index.ts), the debug build's scalar twins (oracle.ts) and the TypeScript types
// (src/core/kernels.generated.ts). Adding a kernel: write it (simd.ts + scalar.ts, or common.ts),
// add its row. Not for: code; the rows only say what to call.
//
// A row: name; params, space-separated, `name` (a pointer, usize) or `name:type`; returns (default
// void); call: what the kernel runs, `$` standing for `Simd` in the SIMD build and `Scalar` in the
// scalar build (rows with a `$` have a scalar twin), or a function of common.ts / runs.ts (`from`)
// that every build shares; a bare name calls it with the kernel's own parameters; doc: the shapes
// first, then what it computes.

export const KERNELS = [
  { section: 'The module' },
  { name: 'heapBase', params: '', returns: 'usize', call: 'heapBase', from: 'common', doc: 'First byte free for the memory plan: everything below belongs to the module\'s data.' },
  { name: 'simdEnabled', params: '', returns: 'i32', call: 'simdEnabled', from: 'common', doc: 'Whether this build uses f32x4 SIMD (1) or not (0).' },

  { section: 'Dense layer: forward z = W a + b and its backward parts, side by side' },
  { name: 'denseForward', params: 'z W b x batch:i32 rows:i32 cols:i32', call: 'denseForward$', doc: 'z is (batch, rows); W is (rows, cols) row-major; b is (rows); x is (batch, cols). z = x W^T + b.' },
  { name: 'denseBackwardInput', params: 'dx W delta batch:i32 rows:i32 cols:i32', call: 'denseBackwardInput$', doc: 'dx is (batch, cols); W is (rows, cols) row-major; delta is (batch, rows). dx = delta W (that is W^T delta per example); overwrites dx.' },
  { name: 'denseBackwardParams', params: 'nablaW nablaB delta x batch:i32 rows:i32 cols:i32', call: 'denseOuter$(nablaW, nablaB, delta, x, 1, true, batch, rows, cols, rows)', doc: 'nablaW is (rows, cols); nablaB is (rows); delta is (batch, rows); x is (batch, cols). nablaW += delta^T x and nablaB += the column sums of delta (accumulates).' },
  { name: 'denseGradient', params: 'nablaW nablaB delta x batch:i32 rows:i32 cols:i32', call: 'denseOuter$(nablaW, nablaB, delta, x, 1, false, batch, rows, cols, rows)', doc: 'nablaW is (rows, cols); nablaB is (rows); delta is (batch, rows); x is (batch, cols). nablaW = delta^T x and nablaB = the column sums of delta (overwrites: no zeroing pass needed).' },
  { name: 'denseSgdStep', params: 'W b delta x scale:f32 batch:i32 rows:i32 cols:i32 dstride:i32', call: 'denseOuter$(W, b, delta, x, -scale, true, batch, rows, cols, dstride)', doc: 'W is (rows, cols); b is (rows); delta is (batch, rows) with rows dstride apart (dstride >= rows: threads pass a range of the rows, each its own); x is (batch, cols). The fused gradient-descent step of one layer: W -= scale delta^T x, b -= scale sum_n delta, with scale = eta / batch. Equal, bit for bit, to zero + denseBackwardParams + sgdUpdate, without the gradient buffer\'s three passes over memory.' },

  { section: 'Sparse input layer: the first layer works from each example\'s nonzero inputs (MNIST images are ~81% zeros), with its weights transposed: WT is (cols, stride), WT[i, j] = W[j, i], stride >= rows a multiple of 16, padding columns zero' },
  { name: 'nonzeroColumns', params: 'list vals counts x batch:i32 cols:i32', call: 'nonzeroColumns$', doc: 'list is (batch, cols) u32, vals is (batch, cols) f32, counts is (batch) u32; x is (batch, cols). Row n of list gets the columns i with x[n, i] != 0 in increasing order, vals the values beside them, counts[n] their number.' },
  { name: 'countRuns', params: 'starts images count:i32 pixels:i32', returns: 'u32', call: 'countRuns', from: 'runs', doc: 'starts is (count + 1) u32; images is (count, pixels) u8. starts[n] = the number of runs of nonzero pixels before image n (runs.ts); returns the total.' },
  { name: 'encodeRuns', params: 'runs starts images count:i32 pixels:i32', call: 'encodeRuns', from: 'runs', doc: 'runs is (total) u32; starts from countRuns; images is (count, pixels) u8. Each image\'s runs of nonzero pixels, one u32 each (runs.ts): the run table the gather reads.' },
  { name: 'gatherRuns', params: 'list vals counts y images labels runs starts indices batch:i32 pixels:i32', call: 'gatherRuns$', doc: 'list, vals, counts as nonzeroColumns; y is (batch) u8; images is (count, pixels) u8; labels is (count) u8; runs and starts the dataset\'s run table (runs.ts); indices is (batch) u32. The images indices[n], scaled to [0, 1], listed as nonzeroColumns lists them, read from the runs of nonzero pixels found once when the dataset was staged (no dense f32 batch, no scan of the zeros): the training and evaluation path of the first layer.' },
  { name: 'gatherFeatures', params: 'vals list counts y features labels indices batch:i32 cols:i32', call: 'gatherFeatures', from: 'common', doc: 'vals, list are (batch, cols); counts, indices (batch) u32; y (batch) u8; features (count, cols) f32; labels (count) u8. The dense path of feature data (CSV, NumPy): rows indices[n] of the features copied into vals as they are, listed as every column, their labels into y.' },
  { name: 'gatherFeaturesSparse', params: 'vals list counts y features labels indices batch:i32 cols:i32', call: 'gatherFeaturesSparse$', doc: 'As gatherFeatures, the sparse path of feature data: only the rows\' nonzero features, listed in order with their columns.' },
  { name: 'sparseForward', params: 'z WT b vals list counts batch:i32 rows:i32 cols:i32 stride:i32 zstride:i32', call: 'sparseForward$', doc: 'z is (batch, rows) with rows zstride apart; WT is (cols, stride); b is (rows); list, vals, counts from nonzeroColumns. z[n, j] = (sum over the listed i, in order, of x[n, i] WT[i, j]) + b[j]. Threads may each pass a range of the rows starting at a multiple of 16 (z, WT and b moved to it).' },
  { name: 'sparseOuter', params: 'WT g delta vals list counts alpha:f32 batch:i32 rows:i32 cols:i32 stride:i32 dstride:i32', call: 'sparseOuterProduct$(WT, g, delta, vals, list, counts, alpha, true, batch, rows, cols, stride, dstride)', doc: 'WT is (cols, stride); g is (rows); delta is (batch, rows) with rows dstride apart; list, vals, counts from nonzeroColumns or gatherRuns. For each example n in order, WT[i, j] += (alpha delta[n, j]) x[n, i] for its nonzero columns i (straight into WT, no regrouping); g += alpha (sum_n delta). The same update as denseSgdStep\'s, rounded in another order. Threads may each pass a range of the rows starting at a multiple of 16 (WT, g and delta moved to it): only the range\'s rows rounded up to 16 are written.' },
  { name: 'sparseGradient', params: 'GT g delta vals list counts batch:i32 rows:i32 cols:i32 stride:i32 dstride:i32', call: 'sparseOuterProduct$(GT, g, delta, vals, list, counts, 1, false, batch, rows, cols, stride, dstride)', doc: 'GT is (cols, stride); g is (rows); the rest as sparseOuter. GT = delta^T x transposed (every column written, padding zero) and g = sum_n delta: overwrites.' },

  { section: 'Activations: sigma and sigma\' applied to a delta; tanh and ReLU hidden layers; softmax outputs' },
  { name: 'sigmoid', params: 'a z n:i32', call: 'sigmoid$', doc: 'a, z are (n); a = sigma(z) = 1 / (1 + e^-z), 0 below -43.668 (sigma < 2^-63); a may alias z.' },
  { name: 'sigmoidPrimeMul', params: 'delta a n:i32', call: 'sigmoidPrimeMul$', doc: 'delta, a are (n) with a = sigma(z); delta *= sigma\'(z) = a (1 - a), flushed to 0 below 2^-63.' },
  { name: 'tanhForward', params: 'a z n:i32', call: 'tanhForward', from: 'common', doc: 'a, z are (n); a = tanh(z); a may alias z.' },
  { name: 'tanhPrimeMul', params: 'delta a n:i32', call: 'tanhPrimeMul', from: 'common', doc: 'delta, a are (n) with a = tanh(z); delta *= 1 - a^2.' },
  { name: 'reluForward', params: 'a z n:i32', call: 'reluForward', from: 'common', doc: 'a, z are (n); a = max(z, 0); a may alias z.' },
  { name: 'reluPrimeMul', params: 'delta a n:i32', call: 'reluPrimeMul', from: 'common', doc: 'delta, a are (n) with a = relu(z); delta *= (a > 0 ? 1 : 0).' },
  { name: 'softmaxRows', params: 'a z batch:i32 classes:i32', call: 'softmaxRows', from: 'common', doc: 'a, z are (batch, classes); each row a = softmax(z); a may alias z.' },

  { section: 'Costs and output deltas' },
  { name: 'outputDeltaQuadratic', params: 'delta a y batch:i32 classes:i32', call: 'outputDeltaQuadratic', from: 'common', doc: 'delta, a are (batch, classes); y is (batch) u8 labels. delta = dC/da sigma\'(z) = 2 (a - y) a (1 - a) for C = sum_j (a_j - y_j)^2.' },
  { name: 'outputDeltaDifference', params: 'delta a y batch:i32 classes:i32', call: 'outputDeltaDifference', from: 'common', doc: 'delta, a are (batch, classes); y is (batch) u8 labels. delta = a - y: cross-entropy with sigmoid outputs, log-likelihood with softmax outputs.' },
  { name: 'costQuadratic', params: 'a y batch:i32 classes:i32', returns: 'f64', call: 'costQuadratic', from: 'common', doc: 'a is (batch, classes); y is (batch) u8 labels. Returns the sum over the batch of sum_j (a_j - y_j)^2.' },
  { name: 'argmaxRows', params: 'out a batch:i32 classes:i32', call: 'argmaxRows', from: 'common', doc: 'out is (batch) u8; a is (batch, classes). out = the index of the largest a of each row (the first on ties).' },

  { section: 'Parameters: zeroing, the gradient-descent update, and the threads\' reduction' },
  { name: 'zero', params: 'p n:i32', call: 'zero', from: 'common', doc: 'p is (n) f32; p = 0.' },
  { name: 'sgdUpdate', params: 'params nabla scale:f32 n:i32', call: 'sgdUpdate$', doc: 'params, nabla are (n). params -= scale * nabla, with scale = eta / batch.' },
  { name: 'reduceUpdate', params: 'params grads count:i32 gstride:i32 scale:f32 n:i32', call: 'reduceUpdate$', doc: 'params is (n); grads is (count, gstride) f32: count buffers gstride floats apart. params -= scale * (grads[0] + grads[1] + ... + grads[count - 1]), summed in that order, so a thread count always gives the same bits.' },
  { name: 'reduceInto', params: 'grads count:i32 gstride:i32 n:i32', call: 'reduceInto', from: 'common', doc: 'grads is (count, gstride). grads[0][i] = grads[0][i] + grads[1][i] + ... + grads[count - 1][i] for i < n, summed in that order.' },

  { section: 'Optimizers beyond plain SGD, and L2 weight decay: grads hold gradients summed over a batch; gradScale (1 / batch) turns them into the mean' },
  { name: 'scaleInPlace', params: 'p factor:f32 n:i32', call: 'scaleInPlace', from: 'common', doc: 'p is (n). p *= factor (L2 weight decay: factor = 1 - eta lambda / N).' },
  { name: 'addScaled', params: 'g w c:f32 n:i32', call: 'addScaled', from: 'common', doc: 'g, w are (n). g += c w (L2 folded into summed gradients: c = batch lambda / N).' },
  { name: 'momentumUpdate', params: 'params velocity grads scale:f32 mu:f32 n:i32', call: 'momentumUpdate$', doc: 'params, velocity, grads are (n). v = mu v - scale g; params += v (scale = eta / batch); v below 1e-30 flushed to 0.' },
  { name: 'adamUpdate', params: 'params m v grads gradScale:f32 lr:f32 b1:f32 b2:f32 eps:f32 n:i32', call: 'adamUpdate$', doc: 'params, m, v, grads are (n). With g = gradScale grads: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; params -= lr m / (sqrt(v) + eps), lr already corrected for the bias of step t; moments below 1e-30 flushed to 0.' },

  { section: 'Regularisation beyond the lecture: inverted dropout (masks from counter-based hashes, so no mask is stored and any thread or run draws the same), max-norm, and data augmentation in the gather' },
  { name: 'dropoutForward', params: 'a h batch:i32 width:i32 key:i32 row0:i32 threshold:i32 scale:f32', call: 'dropoutForward$', doc: 'a, h are (batch, width). a = h scale where hash32(key, (row0 + n) width + j) >= threshold (unit j of the epoch\'s row row0 + n is kept), else 0: inverted dropout with threshold = p 2^32 and scale = 1 / (1 - p).' },
  { name: 'dropoutBackward', params: 'delta batch:i32 width:i32 key:i32 row0:i32 threshold:i32 scale:f32', call: 'dropoutBackward$', doc: 'delta is (batch, width). The mask of dropoutForward with the same key, rows and threshold applied to a gradient: delta = delta scale where kept, else 0.' },
  { name: 'dropoutLists', params: 'list vals counts batch:i32 cols:i32 key:i32 row0:i32 threshold:i32 scale:f32', call: 'dropoutLists', from: 'common', doc: 'list, vals, counts as nonzeroColumns. Inverted dropout of the listed inputs: entry (n, column i) stays, its value times scale, where hash32(key, (row0 + n) cols + i) >= threshold; the others leave the list.' },
  { name: 'maxNormRows', params: 'W rows:i32 cols:i32 c:f32', call: 'maxNormRows$', doc: 'W is (rows, cols) row-major. Each row (a unit\'s incoming weights) whose norm exceeds c is scaled to norm c.' },
  { name: 'maxNormColumns', params: 'WT rows:i32 cols:i32 stride:i32 c:f32', call: 'maxNormColumns$', doc: 'WT is (cols, stride), W transposed (stride a multiple of 16). Max-norm of W\'s rows, that is of WT\'s columns j < rows.' },
  { name: 'gaussianBlur', params: 'out field tmp weights rows:i32 cols:i32 radius:i32', call: 'gaussianBlur$', doc: 'out, field are (rows, cols); weights is (radius + 1), w[|k|]; tmp is (rows + 2 radius) cols + cols + 2 radius + 8 floats of scratch. out = field convolved with w along x, then along y, zero outside: the smoothing of the elastic distortion\'s random fields.' },
  { name: 'augmentGather', params: 'list vals counts y images labels indices batch:i32 rows:i32 cols:i32 row0:i32 key:i32 params scratch', call: 'augmentGather', from: 'augment', doc: 'list, vals, counts, y as gatherRuns; images (count, rows * cols) u8; labels (count) u8; indices (batch) u32; params and scratch as augment.ts says. The images indices[n], each through its own random affine map and elastic distortion (row row0 + n of the epoch, key), resampled bilinearly, rounded to u8 levels, scaled to [0, 1] and listed as nonzeroColumns lists them.' },
];

// dist/core/errors.js
/** Base class of every error wasm-mlp throws on purpose. */
var WasmMlpError = class extends Error {
	constructor(message, options) {
		super(message, options);
		this.name = new.target.name;
	}
};
/** An option, size or argument is out of range. */
var InvalidArgumentError = class extends WasmMlpError {};
/** Training produced a NaN or infinite cost; the network keeps its last good parameters. */
var TrainingDivergedError = class extends WasmMlpError {
	epoch;
	batch;
	constructor(message, epoch, batch) {
		super(message);
		this.epoch = epoch;
		this.batch = batch;
	}
};
// dist/core/platform.js
/** True in Node (and runtimes that say they are Node), false in browsers and their workers. */
var isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
/** A Node built-in module, e.g. `nodeModule('node:fs/promises')`; only call it when `isNode`. */
function nodeModule(id) {
	return process.getBuiltinModule(id);
}
/**
* The built worker `name` (e.g. `worker`) beside the module at `here` (its import.meta.url), for
* Node's worker_threads; when that module runs as TypeScript from src/ (under vitest), the built
* copy in dist/, which the test setup rebuilds before every run so it never lags the sources.
*/
function nodeWorkerUrl(here, name) {
	return new URL(`./${name}.js`, here.endsWith(".ts") ? here.replace(/\/src\/(?!.*\/src\/)/, "/dist/") : here);
}
// dist/core/kernels.js
var KERNEL_VARIANTS = [
	"simd",
	"scalar",
	"threads",
	"debug"
];
/** The debug build, for tests in Node: named through a variable so that no bundler ships it. */
var DEBUG_WASM = "../../build/wasm-mlp.debug.wasm";
/**
* Where a variant's .wasm file is. Each URL is written out whole so that bundlers (Vite, webpack)
* find the files and emit them as assets; only the one a network uses is ever fetched.
*/
function wasmUrl(variant) {
	switch (variant) {
		case "simd": return new URL(new URL("wasm-mlp.wasm", import.meta.url).href, "" + import.meta.url);
		case "scalar": return new URL(new URL("wasm-mlp.scalar.wasm", import.meta.url).href, "" + import.meta.url);
		case "threads": return new URL(new URL("wasm-mlp.threads.wasm", import.meta.url).href, "" + import.meta.url);
		case "debug": return new URL(DEBUG_WASM, import.meta.url);
	}
}
/** True when threads can share a memory here (SharedArrayBuffer; in a page, cross-origin isolation). */
function threadsSupported() {
	if (typeof SharedArrayBuffer === "undefined" || !simdSupported()) return false;
	return globalThis.crossOriginIsolated !== false;
}
/** A shared memory for the `threads` build, capped at the 4 GiB wasm32 limit. */
function sharedMemory() {
	return new WebAssembly.Memory({
		initial: 16,
		maximum: 65536,
		shared: true
	});
}
var SIMD_PROBE = new Uint8Array([
	0,
	97,
	115,
	109,
	1,
	0,
	0,
	0,
	1,
	5,
	1,
	96,
	0,
	1,
	123,
	3,
	2,
	1,
	0,
	10,
	10,
	1,
	8,
	0,
	65,
	0,
	253,
	15,
	253,
	98,
	11
]);
/** True when this engine runs WebAssembly SIMD (f32x4). */
function simdSupported() {
	return WebAssembly.validate(SIMD_PROBE);
}
/** The variant to use when the caller does not choose: SIMD where the engine has it. */
function defaultVariant() {
	return simdSupported() ? "simd" : "scalar";
}
var compiled = /* @__PURE__ */ new Map();
/** Compiles (once per variant and process) the kernel module. */
function compileKernels(variant = defaultVariant()) {
	let module = compiled.get(variant);
	if (!module) {
		module = compileFrom(wasmUrl(variant));
		module.catch(() => compiled.delete(variant));
		compiled.set(variant, module);
	}
	return module;
}
/** An instance of a compiled kernel module: on its own memory, or on `memory` for the threads build. */
function instantiateKernels(module, memory) {
	let own;
	const kernels = { ...new WebAssembly.Instance(module, { env: {
		...memory ? { memory } : {},
		abort(message, file, line, column) {
			const mem = memory ?? own;
			throw new WasmMlpError(`wasm-mlp kernel assertion failed: ${readString(mem, message)} at ${readString(mem, file)}:${line}:${column}`);
		}
	} }).exports };
	own = memory ?? kernels.memory;
	kernels.memory = own;
	return kernels;
}
/** An AssemblyScript string in `memory` at `ptr`: UTF-16, its byte length in the 4 bytes before it. */
function readString(memory, ptr) {
	if (!ptr) return "";
	const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
	return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, bytes >>> 1));
}
/**
* Compiles the module at `url`: read from disk in Node; fetched elsewhere, and compiled while it
* downloads (`compileStreaming`) when the server says application/wasm, else from its bytes.
*/
async function compileFrom(url) {
	let bytes;
	try {
		if (url.protocol === "file:") bytes = await nodeModule("node:fs/promises").readFile(url);
		else {
			const response = await fetch(url);
			if (!response.ok) throw new Error(`HTTP ${response.status}`);
			if (response.headers.get("content-type")?.split(";")[0].trim() === "application/wasm") return await WebAssembly.compileStreaming(response);
			bytes = await response.arrayBuffer();
		}
	} catch (cause) {
		throw new WasmMlpError(`cannot load the kernels ${url.href}: ${cause.message}`, { cause });
	}
	return WebAssembly.compile(bytes);
}
// dist/core/costs.js
var ACTIVATIONS = [
	"sigmoid",
	"tanh",
	"relu"
];
var COSTS = [
	"quadratic",
	"cross-entropy",
	"log-likelihood"
];
var FLOOR = 1e-30;
/** Summed cost over m examples: a is (m, K) outputs at `offset` in `f32`, labels y (m). */
function summedCost(cost, f32, offset, y, yOffset, m, K) {
	let total = 0;
	for (let n = 0; n < m; n++) {
		const label = y[yOffset + n];
		const row = offset + n * K;
		if (cost === "log-likelihood") total -= Math.log(Math.max(f32[row + label], FLOOR));
		else for (let j = 0; j < K; j++) total -= Math.log(Math.max(j === label ? f32[row + j] : 1 - f32[row + j], FLOOR));
	}
	return total;
}
// dist/core/memory.js
var PAGE = 65536;
/** wasm32 addresses 4 GiB; asconfig.json caps the memory there (65536 pages). */
var MAX_MEMORY_BYTES = 65536 * PAGE;
var ALIGN = 64;
/** Bytes past every buffer that kernels may read (never use): a SIMD block reading a row's padding. */
var SLACK = 128;
/** Typed views of a kernel instance's whole memory, rebuilt only when the memory grew. */
var MemoryViews = class {
	kernels;
	buffer = null;
	f32View = /* @__PURE__ */ new Float32Array(0);
	u8View = /* @__PURE__ */ new Uint8Array(0);
	u32View = /* @__PURE__ */ new Uint32Array(0);
	constructor(kernels) {
		this.kernels = kernels;
	}
	/** The whole memory as f32 (index = byte offset / 4). */
	get f32() {
		this.refresh();
		return this.f32View;
	}
	get u8() {
		this.refresh();
		return this.u8View;
	}
	get u32() {
		this.refresh();
		return this.u32View;
	}
	refresh() {
		const buffer = this.kernels.memory.buffer;
		if (buffer !== this.buffer) {
			this.buffer = buffer;
			this.f32View = new Float32Array(buffer);
			this.u8View = new Uint8Array(buffer);
			this.u32View = new Uint32Array(buffer);
		}
	}
};
var MemoryPlan = class extends MemoryViews {
	top;
	constructor(kernels) {
		super(kernels);
		this.top = alignUp(kernels.heapBase(), ALIGN);
	}
	/** Byte offset where the next reservation starts; pass it to `release` to undo later ones. */
	mark() {
		return this.top;
	}
	/** Reserves `bytes` (64-byte aligned), growing the memory if needed; returns the byte offset. */
	reserve(bytes, what) {
		const ptr = alignUp(this.top, ALIGN);
		const end = ptr + bytes + SLACK;
		if (!Number.isSafeInteger(end) || end > 4294967296) throw new WasmMlpError(`${what} needs ${formatBytes(bytes)} of wasm memory, but only ${formatBytes(MAX_MEMORY_BYTES - ptr)} of the ${formatBytes(MAX_MEMORY_BYTES)} limit is left`);
		const memory = this.kernels.memory;
		const have = memory.buffer.byteLength;
		if (end > have) try {
			memory.grow(Math.ceil((end - have) / PAGE));
		} catch (cause) {
			throw new WasmMlpError(`${what}: could not grow wasm memory to ${formatBytes(end)}`, { cause });
		}
		this.top = end;
		return ptr;
	}
	/** Forgets every reservation made after `mark` (the memory itself never shrinks). */
	release(mark) {
		this.top = mark;
	}
};
function alignUp(n, to) {
	return Math.ceil(n / to) * to;
}
function formatBytes(n) {
	return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${n} bytes`;
}
/**
* WT's blocks for T training threads: thread t's range of W^1's rows (rowRange, from multiples of
* 16) in a block of its own, so that no cache line, and no run of lines a hardware prefetcher
* streams through, holds two threads' weights. One block for one thread, and when a thread's
* share would be under MIN_BLOCK_ROWS rows: narrower blocks cost the single-thread passes
* (inference, small steps) more than they save (bench/RESULTS.md).
*/
function transposedBlocks(rows, cols, T) {
	const B = rows >= 32 * T ? T : 1;
	let offset = 0;
	return {
		blocks: Array.from({ length: B }, (_, t) => {
			const [j0, j1] = rowRange(rows, t, B, 16);
			const block = {
				row: j0,
				rows: j1 - j0,
				offset,
				stride: Math.ceil((j1 - j0) / 16) * 16
			};
			offset += cols * block.stride;
			return block;
		}),
		wtLength: offset
	};
}
/** [start, end) of thread t's share of `rows` (or any n elements), cut at multiples of `unit` (the last share ends at rows). */
function rowRange(rows, t, T, unit) {
	const at = (u) => u === T ? rows : Math.min(rows, Math.round(rows * u / T / unit) * unit);
	return [at(t), at(t + 1)];
}
/** WT in a network's memory, and which copy of W^1 is current. */
var TransposedW1 = class {
	plan;
	first;
	/** Byte offset of WT, its blocks, and its length in floats (padding included). */
	wt;
	blocks;
	wtLength;
	rowMajorCurrent = true;
	constructor(plan, first, threads) {
		this.plan = plan;
		this.first = first;
		({blocks: this.blocks, wtLength: this.wtLength} = transposedBlocks(first.rows, first.cols, threads));
		this.wt = plan.reserve(this.wtLength * 4, "the transposed first-layer weights");
	}
	/** Training is about to change WT: the row-major W^1 at `params` goes stale. */
	willTrain() {
		this.rowMajorCurrent = false;
	}
	/** Copies WT into the row-major W^1 of the parameter region at `params`, if it is stale. */
	refreshRowMajor(params) {
		if (this.rowMajorCurrent) return;
		const f = this.plan.f32;
		fromTransposed(f, (params >> 2) + this.first.wOffset, f, this.wt >> 2, this.blocks, this.first.cols);
		this.rowMajorCurrent = true;
	}
	/** The row-major W^1 at `params` was written: copies it into WT. */
	loadRowMajor(params) {
		const f = this.plan.f32;
		toTransposed(f, this.wt >> 2, f, (params >> 2) + this.first.wOffset, this.blocks, this.first.cols, this.wtLength);
	}
	/** A buffer laid out as [WT | parameters] (gradients, optimizer state), in the parameters' layout (`count` floats). */
	readTrainingLayout(p, count) {
		const f = this.plan.f32;
		const at = (p >> 2) + this.wtLength;
		const out = f.slice(at, at + count);
		fromTransposed(out, this.first.wOffset, f, p >> 2, this.blocks, this.first.cols);
		return out;
	}
	/** Writes `values` (the parameters' layout) into a buffer laid out as [WT | parameters]. */
	writeTrainingLayout(values, p) {
		const f = this.plan.f32;
		f.set(values, (p >> 2) + this.wtLength);
		toTransposed(f, p >> 2, values, this.first.wOffset, this.blocks, this.first.cols, this.wtLength);
	}
};
/** W (rows, cols) row-major at index w of `dst`, from WT (its blocks) at index t of `src`. */
function fromTransposed(dst, w, src, t, blocks, cols) {
	for (const { row, rows, offset, stride } of blocks) for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) dst[w + (row + j) * cols + i] = src[t + offset + i * stride + j];
}
/** WT (its blocks, `length` floats, padding zero) at index t of `dst`, from W (rows, cols) row-major at index w of `src`. */
function toTransposed(dst, t, src, w, blocks, cols, length) {
	dst.fill(0, t, t + length);
	for (const { row, rows, offset, stride } of blocks) for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) dst[t + offset + i * stride + j] = src[w + (row + j) * cols + i];
}
// dist/core/layers.js
/** Reserves the buffers of a mini-batch of up to n examples (activations, deltas, labels, indices, lists) in `plan`. */
function reserveLayerPlan(plan, n, sizes, shapes, params, w1, activation, cost) {
	const what = `a batch of ${n} examples`;
	const C = sizes[0];
	return {
		sizes: [...sizes],
		activation,
		cost,
		shapes,
		params,
		wt: w1.wt,
		blocks: w1.blocks,
		wtLength: w1.wtLength,
		a: sizes.map((width) => plan.reserve(n * width * 4, what)),
		delta: sizes.map((width, l) => l === 0 ? 0 : plan.reserve(n * width * 4, what)),
		y: plan.reserve(n, what),
		indices: plan.reserve(n * 4, what),
		list: plan.reserve(n * C * 4, what),
		vals: plan.reserve(n * C * 4, what),
		counts: plan.reserve(n * 4, what)
	};
}
var LayerLoop = class {
	k;
	plan;
	views;
	constructor(k, plan) {
		this.k = k;
		this.plan = plan;
		this.views = new MemoryViews(k);
	}
	/**
	* The nonzero inputs (lists) and y of examples [e0, e0 + m) from a staged dataset (its images,
	* labels and run table), by plan.indices; the dense x is not needed, so it is not made. Then
	* forward(e0, m, true).
	*/
	gather(s, e0, m) {
		const p = this.plan;
		const C = p.sizes[0];
		this.k.gatherRuns(row(p.list, e0, C), row(p.vals, e0, C), p.counts + 4 * e0, p.y + e0, s.images, s.labels, s.runs, s.starts, p.indices + 4 * e0, m, C);
	}
	/**
	* z^l = W^l a^(l-1) + b^l and a^l = sigma(z^l) for l = 1..L (z^l is overwritten by a^l); layer
	* 1 sums over each example's nonzero inputs, in order, then adds b^1. `gathered`: the lists
	* come from gather(); otherwise they are made from the dense inputs in a[0]. `firstSummed`:
	* z^1 is already made (by the threads' firstColumns), only its activation is left.
	*/
	forward(e0, m, gathered, firstSummed = false) {
		const { k, plan: p } = this;
		for (let l = 1; l <= p.shapes.length; l++) {
			const s = p.shapes[l - 1];
			const b = p.params + 4 * s.bOffset;
			const out = row(p.a[l], e0, s.rows);
			if (l === 1) {
				if (!firstSummed) {
					const list = row(p.list, e0, s.cols);
					const vals = row(p.vals, e0, s.cols);
					if (!gathered) k.nonzeroColumns(list, vals, p.counts + 4 * e0, row(p.a[0], e0, s.cols), m, s.cols);
					for (const w of p.blocks) k.sparseForward(out + 4 * w.row, p.wt + 4 * w.offset, b + 4 * w.row, vals, list, p.counts + 4 * e0, m, w.rows, s.cols, w.stride, s.rows);
				}
			} else k.denseForward(out, p.params + 4 * s.wOffset, b, row(p.a[l - 1], e0, s.cols), m, s.rows, s.cols);
			if (l < p.shapes.length) this.activate(out, m * s.rows);
			else if (p.cost === "log-likelihood") k.softmaxRows(out, out, m, s.rows);
			else k.sigmoid(out, out, m * s.rows);
		}
	}
	activate(a, n) {
		const { k, plan } = this;
		if (plan.activation === "sigmoid") k.sigmoid(a, a, n);
		else if (plan.activation === "tanh") k.tanhForward(a, a, n);
		else k.reluForward(a, a, n);
	}
	/** delta *= the hidden activation's derivative, from its output a. */
	activationPrime(delta, a, n) {
		const { k, plan } = this;
		if (plan.activation === "sigmoid") k.sigmoidPrimeMul(delta, a, n);
		else if (plan.activation === "tanh") k.tanhPrimeMul(delta, a, n);
		else k.reluPrimeMul(delta, a, n);
	}
	/** Summed cost of examples [e0, e0 + m). */
	cost(e0, m) {
		const p = this.plan;
		const K = p.sizes[p.sizes.length - 1];
		const aL = row(p.a[p.shapes.length], e0, K);
		if (p.cost === "quadratic") return this.k.costQuadratic(aL, p.y + e0, m, K);
		return summedCost(p.cost, this.views.f32, aL >> 2, this.views.u8, p.y + e0, m, K);
	}
	/**
	* delta^L = 2 (a^L - y) sigma'(z^L) (quadratic) or a^L - y (cross-entropy, log-likelihood);
	* then for l = L..1: delta^(l-1) = (W^l)^T delta^l * f'(z^(l-1)) from W^l before any update,
	* and delta^l (a^(l-1))^T, delta^l go to `target`.
	*/
	backward(e0, m, target) {
		const { k, plan: p } = this;
		const L = p.shapes.length;
		const K = p.sizes[L];
		if (p.cost === "quadratic") k.outputDeltaQuadratic(row(p.delta[L], e0, K), row(p.a[L], e0, K), p.y + e0, m, K);
		else k.outputDeltaDifference(row(p.delta[L], e0, K), row(p.a[L], e0, K), p.y + e0, m, K);
		for (let l = L; l >= 1; l--) {
			const s = p.shapes[l - 1];
			const delta = row(p.delta[l], e0, s.rows);
			const input = row(p.a[l - 1], e0, s.cols);
			if (l > 1) {
				const below = row(p.delta[l - 1], e0, s.cols);
				k.denseBackwardInput(below, p.params + 4 * s.wOffset, delta, m, s.rows, s.cols);
				this.activationPrime(below, input, m * s.cols);
			}
			this.layerGradient(l, s, delta, input, e0, m, target);
		}
	}
	/**
	* Thread t's share of z^1 = W^1 x + b^1 for all examples [0, m) (all gathered), when WT has a
	* block per thread: the rows of W^1 in block t, whose weights it also updates, so that no other
	* thread ever reads them. Each z^1[n, j] is summed as forward sums it: the same bits.
	*/
	firstColumns(m, t) {
		const { k, plan: p } = this;
		const s = p.shapes[0];
		const w = p.blocks[t];
		k.sparseForward(p.a[1] + 4 * w.row, p.wt + 4 * w.offset, p.params + 4 * (s.bOffset + w.row), p.vals, p.list, p.counts, m, w.rows, s.cols, w.stride, s.rows);
	}
	/**
	* Thread t of T's share of the SGD step over examples [0, m), once backward(e0, m_t, { kind:
	* 'deltas' }) has made every example's deltas: W^l -= scale delta^l (a^(l-1))^T and b^l -=
	* scale sum_n delta^l for its range of the rows of every layer (of W^1, WT's block t: WT must
	* have a block per thread, so no two threads write one cache line). Each weight gets the
	* operations the one-thread fused step gives it, in the same order: the same bits.
	*/
	updateRows(m, scale, t, T) {
		const { k, plan: p } = this;
		p.shapes.forEach((s, i) => {
			const l = i + 1;
			const b = p.params + 4 * s.bOffset;
			if (l === 1) {
				const w = p.blocks[t];
				k.sparseOuter(p.wt + 4 * w.offset, b + 4 * w.row, p.delta[1] + 4 * w.row, p.vals, p.list, p.counts, -scale, m, w.rows, s.cols, w.stride, s.rows);
			} else {
				const [j0, j1] = rowRange(s.rows, t, T, 1);
				if (j1 > j0) k.denseSgdStep(p.params + 4 * (s.wOffset + j0 * s.cols), b + 4 * j0, p.delta[l] + 4 * j0, p.a[l - 1], scale, m, j1 - j0, s.cols, s.rows);
			}
		});
	}
	layerGradient(l, s, delta, input, e0, m, target) {
		const { k, plan: p } = this;
		const list = row(p.list, e0, s.cols);
		const vals = row(p.vals, e0, s.cols);
		const counts = p.counts + 4 * e0;
		switch (target.kind) {
			case "deltas": return;
			case "gradients":
				k.denseBackwardParams(target.nabla + 4 * s.wOffset, target.nabla + 4 * s.bOffset, delta, input, m, s.rows, s.cols);
				return;
			case "step":
				if (target.decay !== void 0 && target.decay !== 1) {
					if (l === 1) k.scaleInPlace(p.wt, target.decay, p.wtLength);
					else k.scaleInPlace(p.params + 4 * s.wOffset, target.decay, s.rows * s.cols);
				}
				if (l === 1) for (const w of p.blocks) k.sparseOuter(p.wt + 4 * w.offset, p.params + 4 * (s.bOffset + w.row), delta + 4 * w.row, vals, list, counts, -target.scale, m, w.rows, s.cols, w.stride, s.rows);
				else k.denseSgdStep(p.params + 4 * s.wOffset, p.params + 4 * s.bOffset, delta, input, target.scale, m, s.rows, s.cols, s.rows);
				return;
			case "partial": if (l === 1) for (const w of p.blocks) k.sparseGradient(target.gradsWT + 4 * w.offset, target.grads + 4 * (s.bOffset + w.row), delta + 4 * w.row, vals, list, counts, m, w.rows, s.cols, w.stride, s.rows);
			else k.denseGradient(target.grads + 4 * s.wOffset, target.grads + 4 * s.bOffset, delta, input, m, s.rows, s.cols);
		}
	}
};
/** Byte offset of row e0 of a (rows, width) f32 matrix at `ptr`. */
function row(ptr, e0, width) {
	return ptr + 4 * e0 * width;
}
// dist/core/batch.js
var BatchBuffers = class {
	plan;
	k;
	capacity;
	layout;
	loop;
	/** (capacity) u8 predicted classes. */
	predicted;
	/** Reserves buffers for batches of up to `capacity` examples in `plan`. */
	constructor(plan, k, net, capacity) {
		this.plan = plan;
		this.k = k;
		this.capacity = capacity;
		this.layout = reserveLayerPlan(plan, capacity, net.sizes, net.shapes, net.params, net.w1, net.activation, net.cost);
		this.predicted = plan.reserve(capacity, `a batch of ${capacity} examples`);
		this.loop = new LayerLoop(k, this.layout);
	}
	get outputs() {
		return this.layout.sizes[this.layout.sizes.length - 1];
	}
	/** The batch's example indices: index(n) for n < m (a plain loop: no subarray view per step). */
	setIndices(index, m) {
		const u32 = this.plan.u32;
		const at = this.layout.indices >> 2;
		for (let n = 0; n < m; n++) u32[at + n] = index(n);
	}
	/** The predicted classes of the first m examples' outputs (a view: copy it before the next call). */
	argmax(m) {
		this.k.argmaxRows(this.predicted, this.layout.a[this.layout.shapes.length], m, this.outputs);
		return this.plan.u8.subarray(this.predicted, this.predicted + m);
	}
	/** The output activations of the first m examples (a view, as argmax). */
	outputsOf(m) {
		const at = this.layout.a[this.layout.shapes.length] >> 2;
		return this.plan.f32.subarray(at, at + m * this.outputs);
	}
	/** Runs the forward pass over inputs x (count examples) in chunks of the capacity, calling `take` after each chunk. */
	forEachChunk(x, count, take) {
		const n0 = this.layout.sizes[0];
		for (let start = 0; start < count; start += this.capacity) {
			const m = Math.min(this.capacity, count - start);
			this.plan.f32.set(x.subarray(start * n0, (start + m) * n0), this.layout.a[0] >> 2);
			this.loop.forward(0, m, false);
			take(start, m);
		}
	}
	/** Copies m examples given as f32 inputs and their labels into a[0] and y (m <= capacity). */
	load(x, labels, m) {
		if (labels.length !== m) throw new InvalidArgumentError(`labels: expected ${m} (one per input), got ${labels.length}`);
		for (let i = 0; i < m; i++) {
			const label = labels[i];
			if (!Number.isInteger(label) || label < 0 || label >= this.outputs) throw new InvalidArgumentError(`labels[${i}] is ${label}, expected an integer class from 0 to ${this.outputs - 1}`);
		}
		this.plan.f32.set(x, this.layout.a[0] >> 2);
		this.plan.u8.set(labels, this.layout.y);
	}
	/** Forward and backprop over the m loaded examples, adding their gradients to `nabla` (zeroed first); returns their summed cost. */
	gradients(nabla, parameterCount, m) {
		this.k.zero(nabla, parameterCount);
		this.loop.forward(0, m, false);
		const cost = this.loop.cost(0, m);
		this.loop.backward(0, m, {
			kind: "gradients",
			nabla
		});
		return cost;
	}
	/** Correct predictions and summed cost over all of `s`, in batches of the capacity; the predicted classes go to `predictions` if given. */
	evaluate(s, predictions) {
		const { count, labels } = s.data;
		let correct = 0;
		let cost = 0;
		for (let start = 0; start < count; start += this.capacity) {
			const m = Math.min(this.capacity, count - start);
			this.setIndices((n) => start + n, m);
			this.loop.gather(s, 0, m);
			this.loop.forward(0, m, true);
			cost += this.loop.cost(0, m);
			const predicted = this.argmax(m);
			for (let i = 0; i < m; i++) if (predicted[i] === labels[start + i]) correct++;
			predictions?.set(predicted, start);
		}
		return {
			correct,
			cost
		};
	}
};
/** Number of examples in x, (count, inputs): x must be a Float32Array of whole, finite inputs. */
function countInputs(x, inputs) {
	if (!(x instanceof Float32Array)) throw new InvalidArgumentError("input must be a Float32Array of pixel values in [0, 1]");
	if (x.length === 0 || x.length % inputs !== 0) throw new InvalidArgumentError(`input has ${x.length} values, expected a positive multiple of the ${inputs} inputs`);
	for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new InvalidArgumentError(`input value ${i} is ${x[i]}, expected a finite number`);
	return x.length / inputs;
}
// dist/core/optimizer.js
/** The optimizers in the order of their codes: sgd 0, momentum 1, adam 2 (model files, the threads' control block). */
var OPTIMIZERS = [
	"sgd",
	"momentum",
	"adam"
];
function optimizerCode(kind) {
	return OPTIMIZERS.indexOf(kind);
}
function checkOptimizer(kind) {
	if (!OPTIMIZERS.includes(kind)) throw new InvalidArgumentError(`optimizer must be one of ${OPTIMIZERS.join(", ")}, got ${kind}`);
}
/** True for the step backprop fuses with its update: SGD without L2. */
function isPlainSgd(step) {
	return (step?.optimizer ?? "sgd") === "sgd" && !step?.decayPerExample;
}
/** Adam's learning rate at step t, with both moments' bias corrected: eta sqrt(1 - beta2^t) / (1 - beta1^t). */
function adamRate(eta, beta1, beta2, t) {
	return eta * Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t);
}
/**
* The gradients of a step and momentum's or Adam's state in a network's memory, each laid out as
* [WT (wtLength floats) | the parameters], so that W^1 is updated in its transposed copy.
*/
var OptimizerBuffers = class OptimizerBuffers {
	kind;
	grads;
	state;
	floats;
	/** Adam's step count. */
	t = 0;
	constructor(kind, grads, state, floats) {
		this.kind = kind;
		this.grads = grads;
		this.state = state;
		this.floats = floats;
	}
	/** Reserves (and zeroes) `kind`'s buffers; `grads` reuses an earlier optimizer's gradient buffer. */
	static reserve(plan, k, kind, floats, grads) {
		const what = `the ${kind} optimizer`;
		const g = grads ?? plan.reserve(floats * 4, what);
		const state = Array.from({ length: kind === "adam" ? 2 : 1 }, () => plan.reserve(floats * 4, what));
		for (const p of state) k.zero(p, floats);
		return new OptimizerBuffers(kind, g, state, floats);
	}
	/**
	* One step on one thread: the gradients of the batch's m examples (backprop already ran forward)
	* into `grads`, L2 folded in, then the momentum or Adam update of WT and the parameters.
	*/
	step(k, loop, w1, params, shapes, m, eta, step) {
		const { wt, wtLength } = w1;
		const first = shapes[0];
		const gradsB = this.grads + 4 * wtLength;
		loop.backward(0, m, {
			kind: "partial",
			grads: gradsB,
			gradsWT: this.grads
		});
		if (step.decayPerExample > 0) {
			const c = m * step.decayPerExample;
			k.addScaled(this.grads, wt, c, wtLength);
			for (const s of shapes.slice(1)) k.addScaled(gradsB + 4 * s.wOffset, params + 4 * s.wOffset, c, s.rows * s.cols);
		}
		const ranges = [[
			wt,
			0,
			wtLength
		], [
			params + 4 * first.bOffset,
			4 * (wtLength + first.bOffset),
			this.floats - wtLength - first.bOffset
		]];
		if (this.kind === "momentum") for (const [p, off, n] of ranges) k.momentumUpdate(p, this.state[0] + off, this.grads + off, eta / m, step.momentum, n);
		else {
			const lr = adamRate(eta, step.beta1, step.beta2, ++this.t);
			for (const [p, off, n] of ranges) k.adamUpdate(p, this.state[0] + off, this.state[1] + off, this.grads + off, 1 / m, lr, step.beta1, step.beta2, step.epsilon, n);
		}
	}
	/** The state in the parameters' layout (W1 row-major), for checkpoints. */
	read(w1, parameterCount) {
		return {
			kind: this.kind,
			t: this.t,
			buffers: this.state.map((p) => w1.readTrainingLayout(p, parameterCount))
		};
	}
	/** Restores a state read from a network of the same sizes. */
	write(w1, state, parameterCount) {
		if (state.buffers.length !== this.state.length || state.buffers.some((b) => b.length !== parameterCount)) throw new InvalidArgumentError(`optimizer state: expected ${this.state.length} buffers of ${parameterCount} values for ${state.kind}`);
		this.t = state.t;
		state.buffers.forEach((b, i) => w1.writeTrainingLayout(b, this.state[i]));
	}
};
/** A step's update for the training threads; with momentum or Adam, from `buffers` (Adam's step count advances). */
function threadUpdate(m, eta, step, buffers) {
	const kind = step?.optimizer ?? "sgd";
	const held = kind === "sgd" ? null : buffersFor(buffers, kind);
	return {
		optimizer: optimizerCode(kind),
		scale: eta / m,
		momentum: step?.momentum ?? 0,
		beta1: step?.beta1 ?? 0,
		beta2: step?.beta2 ?? 0,
		epsilon: step?.epsilon ?? 1,
		rate: kind === "adam" ? adamRate(eta, step.beta1, step.beta2, ++held.t) : 0,
		decay: m * (step?.decayPerExample ?? 0),
		gradScale: 1 / m
	};
}
/** `buffers` if they are `kind`'s: a step with momentum or Adam needs Network.prepareOptimizer first. */
function buffersFor(buffers, kind) {
	if (!buffers || buffers.kind !== kind) throw new WasmMlpError(`call prepareOptimizer('${kind}') before training with it`);
	return buffers;
}
// dist/core/random.js
var Rng = class {
	s0;
	s1;
	s2;
	s3;
	spare = NaN;
	/** A generator for `seed` (a 32-bit integer); `stream` separates independent uses of one seed. */
	constructor(seed, stream = 0) {
		let x = (seed ^ Math.imul(stream + 1, 2654435769)) >>> 0;
		const next = () => {
			x = x + 2654435769 >>> 0;
			let z = x;
			z = Math.imul(z ^ z >>> 16, 2246822507);
			z = Math.imul(z ^ z >>> 13, 3266489909);
			return (z ^ z >>> 16) >>> 0;
		};
		this.s0 = next();
		this.s1 = next();
		this.s2 = next();
		this.s3 = next();
	}
	/** A uniform 32-bit unsigned integer. */
	uint32() {
		const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
		const t = this.s1 << 9;
		this.s2 ^= this.s0;
		this.s3 ^= this.s1;
		this.s1 ^= this.s2;
		this.s0 ^= this.s3;
		this.s2 ^= t;
		this.s3 = rotl(this.s3, 11);
		return result;
	}
	/** A uniform float in [0, 1) with 53 random bits. */
	float() {
		return ((this.uint32() >>> 5) * 67108864 + (this.uint32() >>> 6)) / 9007199254740992;
	}
	/** A uniform integer in [0, n) for n <= 2^32 (bias below 2^-21, from 53 random bits). */
	below(n) {
		return Math.floor(this.float() * n);
	}
	/** A standard normal N(0, 1) sample (Box-Muller, both values used). */
	normal() {
		if (!Number.isNaN(this.spare)) {
			const v = this.spare;
			this.spare = NaN;
			return v;
		}
		const u = 1 - this.float();
		const v = this.float();
		const r = Math.sqrt(-2 * Math.log(u));
		this.spare = r * Math.sin(2 * Math.PI * v);
		return r * Math.cos(2 * Math.PI * v);
	}
	/** Shuffles `a` in place (Fisher-Yates). */
	shuffle(a) {
		for (let i = a.length - 1; i > 0; i--) {
			const j = this.below(i + 1);
			const t = a[i];
			a[i] = a[j];
			a[j] = t;
		}
	}
};
function rotl(x, k) {
	return x << k | x >>> 32 - k;
}
// dist/core/shapes.js
/** Checks `sizes` = [inputs, hidden..., outputs]: at least 2 layers, each a positive integer. */
function validateSizes(sizes) {
	if (!Array.isArray(sizes) || sizes.length < 2) throw new InvalidArgumentError(`layer sizes must list at least 2 layers (inputs and outputs), got ${JSON.stringify(sizes)}`);
	sizes.forEach((n, l) => {
		if (!Number.isInteger(n) || n < 1 || n > 1 << 24) throw new InvalidArgumentError(`layer ${l} of ${JSON.stringify(sizes)} must be an integer width from 1 to ${1 << 24}, got ${n}`);
	});
	return [...sizes];
}
/** The layers of `sizes`, with their offsets in one contiguous parameter region. */
function layerShapes(sizes) {
	const shapes = [];
	let offset = 0;
	for (let l = 1; l < sizes.length; l++) {
		const rows = sizes[l];
		const cols = sizes[l - 1];
		shapes.push({
			rows,
			cols,
			wOffset: offset,
			bOffset: offset + rows * cols
		});
		offset += rows * cols + rows;
	}
	return shapes;
}
/** sum over layers of rows * cols (weights) + rows (biases). */
function parameterCount(sizes) {
	return countWeights(sizes) + countBiases(sizes);
}
function countWeights(sizes) {
	let n = 0;
	for (let l = 1; l < sizes.length; l++) n += sizes[l] * sizes[l - 1];
	return n;
}
function countBiases(sizes) {
	let n = 0;
	for (let l = 1; l < sizes.length; l++) n += sizes[l];
	return n;
}
var WEIGHT_INITS = [
	"normal",
	"scaled",
	"he"
];
function settle(options) {
	const sizes = validateSizes(options.sizes);
	const asked = options.threads ?? 1;
	if (!Number.isInteger(asked) || asked < 1 || asked > 64) throw new InvalidArgumentError(`threads must be an integer from 1 to 64, got ${asked}`);
	oneOf("kernels", options.kernels, KERNEL_VARIANTS);
	if (options.kernels === "threads" && !threadsSupported()) throw new InvalidArgumentError("kernels \"threads\" needs SharedArrayBuffer (in a page: cross-origin isolation) and SIMD, which this engine lacks");
	const threads = asked > 1 && threadsSupported() ? asked : 1;
	const seed = options.seed ?? 1;
	checkSeed(seed);
	const capacity = options.batchCapacity ?? 256;
	checkCapacity(capacity);
	return {
		sizes,
		seed,
		init: oneOf("init", options.init, WEIGHT_INITS) ?? "scaled",
		activation: oneOf("activation", options.activation, ACTIVATIONS) ?? "sigmoid",
		cost: oneOf("cost", options.cost, COSTS) ?? "quadratic",
		variant: threads > 1 ? "threads" : options.kernels ?? defaultVariant(),
		threads,
		capacity
	};
}
/** `value` if it is undefined or one of `choices`; else an error naming the option. */
function oneOf(name, value, choices) {
	if (value !== void 0 && !choices.includes(value)) throw new InvalidArgumentError(`${name} must be one of ${choices.join(", ")}, got ${value}`);
	return value;
}
/**
* Draws every parameter into `p` (the layout W1, b1, W2, b2, ...) with the seeded PRNG (stream 0
* of `seed`), in layout order: N(0, 1) scaled by 1 (init 'normal'), 1/sqrt(n_in) ('scaled') or
* sqrt(2/n_in) ('he') for weights; N(0, 1) for biases, or zero with 'he'.
*/
function drawParameters(p, shapes, seed, init) {
	checkSeed(seed);
	oneOf("init", init, WEIGHT_INITS);
	const rng = new Rng(seed, 0);
	for (const s of shapes) {
		const scale = init === "normal" ? 1 : Math.sqrt((init === "he" ? 2 : 1) / s.cols);
		for (let i = s.wOffset; i < s.bOffset; i++) p[i] = scale * rng.normal();
		for (let i = s.bOffset; i < s.bOffset + s.rows; i++) p[i] = init === "he" ? 0 : rng.normal();
	}
}
function checkEta(eta) {
	if (typeof eta !== "number" || !Number.isFinite(eta) || eta <= 0) throw new InvalidArgumentError(`eta (learning rate) must be a finite number > 0, got ${eta}`);
}
function checkSeed(seed) {
	if (!Number.isInteger(seed) || seed < 0 || seed > 4294967295) throw new InvalidArgumentError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
}
function checkCapacity(n) {
	if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`batch capacity must be a positive integer, got ${n}`);
}
// dist/data/dataset.js
/** Checks and wraps images and labels; every label must be < classes. */
function createDataset(init) {
	const { images, labels, rows, cols } = init;
	const name = init.name ?? "dataset";
	if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw new InvalidArgumentError(`${name}: image size must be positive integers, got ${rows} x ${cols}`);
	const pixels = rows * cols;
	if (images.length % pixels !== 0) throw new InvalidArgumentError(`${name}: ${images.length} image bytes is not a whole number of ${rows} x ${cols} images`);
	const count = images.length / pixels;
	if (count !== labels.length) throw new InvalidArgumentError(`${name}: ${count} images but ${labels.length} labels; expected one label per image`);
	if (count === 0) throw new InvalidArgumentError(`${name}: holds no examples`);
	let maxLabel = 0;
	for (let i = 0; i < labels.length; i++) if (labels[i] > maxLabel) maxLabel = labels[i];
	const classes = init.classes ?? maxLabel + 1;
	if (!Number.isInteger(classes) || classes < 1 || classes > 256) throw new InvalidArgumentError(`${name}: classes must be an integer from 1 to 256, got ${classes}`);
	if (maxLabel >= classes) {
		const at = labels.findIndex((v) => v >= classes);
		throw new InvalidArgumentError(`${name}: label ${labels[at]} at index ${at} is not below the ${classes} classes`);
	}
	return {
		images,
		labels,
		count,
		rows,
		cols,
		pixels,
		classes
	};
}
// dist/core/staging.js
var Staging = class {
	plan;
	k;
	inputs;
	outputs;
	staged = /* @__PURE__ */ new Map();
	constructor(plan, k, inputs, outputs) {
		this.plan = plan;
		this.k = k;
		this.inputs = inputs;
		this.outputs = outputs;
	}
	/** Copies `data` in (unless resident) and scans it into a run table; once per dataset per scope. */
	stage(data) {
		const known = this.staged.get(data);
		if (known) return known;
		if (data.pixels !== this.inputs) throw new InvalidArgumentError(`dataset has ${data.rows} x ${data.cols} = ${data.pixels} pixels per image, but the network has ${this.inputs} inputs`);
		if (data.classes > this.outputs) throw new InvalidArgumentError(`dataset has ${data.classes} classes, but the network has ${this.outputs} outputs`);
		const dataImages = data.images;
		const dataLabels = data.labels;
		if (dataImages.length !== data.count * data.pixels || dataLabels.length !== data.count) throw new InvalidArgumentError(`dataset views hold ${dataImages.length} image bytes and ${dataLabels.length} labels, expected ${data.count * data.pixels} and ${data.count} (a view detached by memory growth?)`);
		const { k, plan } = this;
		const what = `a dataset of ${data.count} images`;
		let images = dataImages.byteOffset;
		let labels = dataLabels.byteOffset;
		if (dataImages.buffer !== k.memory.buffer || dataLabels.buffer !== dataImages.buffer) {
			images = plan.reserve(dataImages.length, what);
			labels = plan.reserve(dataLabels.length, what);
			plan.u8.set(dataImages, images);
			plan.u8.set(dataLabels, labels);
		}
		const starts = plan.reserve((data.count + 1) * 4, what);
		const total = k.countRuns(starts, images, data.count, data.pixels) >>> 0;
		const runs = plan.reserve(total * 4, what);
		k.encodeRuns(runs, starts, images, data.count, data.pixels);
		const staged = {
			data,
			images,
			labels,
			runs,
			starts
		};
		this.staged.set(data, staged);
		return staged;
	}
	/** Forgets what was staged from byte `mark` on (a resident dataset's images stay, its run table goes). */
	release(mark) {
		for (const [data, s] of this.staged) if (s.starts >= mark) this.staged.delete(data);
	}
	/** Forgets everything staged. */
	clear() {
		this.staged.clear();
	}
};
/** Reserves room for a resident dataset of `count` images of rows x cols in `plan`. */
function reserveResident(plan, count, rows, cols) {
	if (![
		count,
		rows,
		cols
	].every((n) => Number.isInteger(n) && n >= 1)) throw new InvalidArgumentError(`a resident dataset needs positive integer count, rows and cols, got ${count}, ${rows}, ${cols}`);
	const pixels = rows * cols;
	const what = `a dataset of ${count} images of ${rows} x ${cols}`;
	const imagesAt = plan.reserve(count * pixels, what);
	const labelsAt = plan.reserve(count, what);
	const images = () => plan.u8.subarray(imagesAt, imagesAt + count * pixels);
	const labels = () => plan.u8.subarray(labelsAt, labelsAt + count);
	const done = (classes) => {
		const checked = createDataset({
			images: images(),
			labels: labels(),
			rows,
			cols,
			classes
		});
		return {
			get images() {
				return images();
			},
			get labels() {
				return labels();
			},
			count,
			rows,
			cols,
			pixels,
			classes: checked.classes
		};
	};
	return {
		images,
		labels,
		done
	};
}
/** Runs `use`, then `release` when it returns, throws, or (for a promise) settles. */
function scoped(use, release) {
	let result;
	try {
		result = use();
	} catch (e) {
		release();
		throw e;
	}
	if (result instanceof Promise) return result.finally(release);
	release();
	return result;
}
/** Momentum, Adam and L2 steps (gradients per thread, then a reduction) run threaded from this many. */
var THREADED_REDUCTION_MIN_WORK = 8e6;
/**
* Whether a step of this shape runs on the threads. It depends only on the network, the thread
* count and the batch size, so a seed and a thread count always give the same bits.
*/
function runsThreaded(s) {
	const work = s.batch * s.parameters;
	return s.plainSgd ? s.blocks === s.threads && work >= 3e6 : work >= THREADED_REDUCTION_MIN_WORK;
}
var CONTROL_BYTES = 640;
/** A share that takes longer than this means a worker died: fail instead of hanging. */
var STALL_MS = 6e4;
function controlViews(s) {
	return {
		i32: new Int32Array(s.memory.buffer, s.control, 32),
		f32: new Float32Array(s.memory.buffer, s.control, 32),
		costs: new Float64Array(s.memory.buffer, s.control + 128, 64)
	};
}
/**
* Whether a threaded SGD step sums z^1 by ranges of W^1's rows: only when z^1's rows are whole
* cache lines (16 floats), so that no two threads write one line of it; otherwise by examples.
*/
function firstByRows(plan) {
	return plan.shapes[0].rows % 16 === 0;
}
/** The staged dataset a step gathers from, as the caller wrote it in the control block. */
function stagedData(ctrl) {
	return {
		images: ctrl[4] >>> 0,
		labels: ctrl[5] >>> 0,
		runs: ctrl[15] >>> 0,
		starts: ctrl[16] >>> 0
	};
}
/** Spins briefly (a step takes well under a millisecond to start), then sleeps on the slot until it changes or `until` (ms) passes. */
function waitWhileEqual(ctrl, index, value, until = Infinity) {
	for (let spin = 0; spin < 2e4; spin++) if (Atomics.load(ctrl, index) !== value) return;
	while (Atomics.load(ctrl, index) === value && performance.now() < until) try {
		Atomics.wait(ctrl, index, value, 10);
	} catch {}
}
// dist/parallel/share.js
/**
* Thread t's share of a command: gathering its examples (GATHER), z^1 for its rows of W^1
* (FIRST), its examples' deltas (DELTAS) or gradients (GRADIENTS), its rows' update (UPDATE) or
* its slice of the reduction (REDUCE).
*/
function runShare(k, loop, s, c, command) {
	const ctrl = c.i32;
	const T = s.threads;
	const t = s.thread;
	const grads = s.grads + 4 * t * s.gstride;
	const gradsB = grads + 4 * s.wtLength;
	const [e0, e1] = [Math.floor(ctrl[2] * t / T), Math.floor(ctrl[2] * (t + 1) / T)];
	if (command === 1 || command === 4) {
		let cost = 0;
		if (e1 > e0) {
			if (command === 4 && firstByRows(s.plan)) loop.forward(e0, e1 - e0, true, true);
			else {
				loop.gather(stagedData(ctrl), e0, e1 - e0);
				loop.forward(e0, e1 - e0, true);
			}
			cost = loop.cost(e0, e1 - e0);
			loop.backward(e0, e1 - e0, command === 4 ? { kind: "deltas" } : {
				kind: "partial",
				grads: gradsB,
				gradsWT: grads
			});
		} else if (command === 1) k.zero(grads, s.gstride);
		c.costs[t] = cost;
	} else if (command === 7) {
		if (e1 > e0) loop.gather(stagedData(ctrl), e0, e1 - e0);
	} else if (command === 6) loop.firstColumns(ctrl[2], t);
	else if (command === 5) loop.updateRows(ctrl[2], c.f32[6], t, T);
	else if (command === 2) reduceShare(k, s, c);
}
/**
* Thread t's slice of the update, in two ranges laid out alike in the gradients, the state and
* the parameters: WT, then the parameters from b^1 on. Plain SGD without L2 fuses sum and update;
* otherwise the sum goes to thread 0's buffer, L2 is added for the weights, then the optimizer.
*/
function reduceShare(k, s, c) {
	const f = c.f32;
	const T = s.threads;
	const optimizer = c.i32[14];
	const decay = f[12];
	const ranges = [[
		s.plan.wt,
		0,
		s.wtLength,
		[[0, s.wtLength]]
	], [
		s.plan.params + 4 * s.b1,
		s.wtLength + s.b1,
		s.parameterCount - s.b1,
		s.weightRanges.map(([a, b]) => [a - s.b1, b - s.b1])
	]];
	for (const [target, offset, n, weights] of ranges) {
		const [i0, i1] = rowRange(n, s.thread, T, 4);
		if (i1 <= i0) continue;
		const len = i1 - i0;
		const p = target + 4 * i0;
		const g = s.grads + 4 * (offset + i0);
		if (optimizer === 0 && decay === 0) {
			k.reduceUpdate(p, g, T, s.gstride, f[6], len);
			continue;
		}
		k.reduceInto(g, T, s.gstride, len);
		if (decay > 0) for (const [w0, w1] of weights) {
			const a = Math.max(w0, i0);
			const b = Math.min(w1, i1);
			if (b > a) k.addScaled(s.grads + 4 * (offset + a), target + 4 * a, decay, b - a);
		}
		const st = (j) => s.state[j] + 4 * (offset + i0);
		if (optimizer === 0) k.sgdUpdate(p, g, f[6], len);
		else if (optimizer === 1) k.momentumUpdate(p, st(0), g, f[6], f[7], len);
		else k.adamUpdate(p, st(0), st(1), g, f[13], f[11], f[8], f[9], f[10], len);
	}
}
// dist/parallel/pool.js
/** The caller's end: owns the workers and runs thread 0's share itself. */
var ThreadPool = class ThreadPool {
	k;
	loop;
	setup;
	workers;
	control;
	constructor(k, loop, setup, workers) {
		this.k = k;
		this.loop = loop;
		this.setup = setup;
		this.workers = workers;
		this.control = controlViews(setup);
	}
	/**
	* Reserves the control block and the threads' gradient buffers in `plan`, then starts
	* `threads - 1` workers on the network's module and shared memory; resolves when all are ready.
	*/
	static async forNetwork(k, loop, plan, n) {
		const T = n.threads;
		const gstride = Math.ceil((n.w1.wtLength + n.parameterCount) / 16) * 16;
		const what = `training with ${T} threads`;
		return ThreadPool.start(k, loop, {
			module: n.module,
			memory: n.memory,
			plan: loop.plan,
			thread: 0,
			threads: T,
			control: plan.reserve(CONTROL_BYTES, what),
			grads: plan.reserve(T * gstride * 4, what),
			gstride,
			wtLength: n.w1.wtLength,
			b1: n.shapes[0].bOffset,
			parameterCount: n.parameterCount,
			weightRanges: n.shapes.slice(1).map((s) => [s.wOffset, s.wOffset + s.rows * s.cols]),
			state: n.optimizer?.state ?? []
		});
	}
	/** Starts `setup.threads - 1` workers on the same module and memory; resolves when all are ready. */
	static async start(k, loop, setup) {
		controlViews(setup).i32.fill(0);
		const workers = await Promise.all(Array.from({ length: setup.threads - 1 }, (_, i) => spawn({
			...setup,
			thread: i + 1
		})));
		return new ThreadPool(k, loop, setup, workers);
	}
	/** One step over examples [0, m) of the batch buffers, whose indices are already written. Returns the summed cost. */
	step(data, m, u) {
		const { i32: ctrl, f32: f, costs } = this.control;
		ctrl[2] = m;
		ctrl[4] = data.images;
		ctrl[5] = data.labels;
		ctrl[15] = data.runs;
		ctrl[16] = data.starts;
		ctrl[14] = u.optimizer;
		f[6] = u.scale;
		f[7] = u.momentum;
		f[8] = u.beta1;
		f[9] = u.beta2;
		f[10] = u.epsilon;
		f[11] = u.rate;
		f[12] = u.decay;
		f[13] = u.gradScale;
		const sgd = u.optimizer === 0 && u.decay === 0;
		if (sgd && firstByRows(this.setup.plan)) {
			this.run(ctrl, 7);
			this.run(ctrl, 6);
		}
		this.run(ctrl, sgd ? 4 : 1);
		let cost = 0;
		for (let t = 0; t < this.setup.threads; t++) cost += costs[t];
		this.run(ctrl, sgd ? 5 : 2);
		return cost;
	}
	run(ctrl, command) {
		Atomics.store(ctrl, 3, 0);
		Atomics.store(ctrl, 1, command);
		Atomics.add(ctrl, 0, 1);
		Atomics.notify(ctrl, 0);
		runShare(this.k, this.loop, this.setup, this.control, command);
		const others = this.setup.threads - 1;
		const since = performance.now();
		for (let done = Atomics.load(ctrl, 3); done < others; done = Atomics.load(ctrl, 3)) {
			waitWhileEqual(ctrl, 3, done, since + STALL_MS);
			if (performance.now() - since > 6e4) throw new WasmMlpError(`a training thread did not finish its share within ${STALL_MS / 1e3} s; ${others - Atomics.load(ctrl, 3)} of ${others} workers missing`);
		}
	}
	/** Stops the workers. */
	close() {
		const ctrl = this.control.i32;
		Atomics.store(ctrl, 1, 3);
		Atomics.add(ctrl, 0, 1);
		Atomics.notify(ctrl, 0);
		for (const w of this.workers) w.terminate();
	}
};
async function spawn(setup) {
	if (isNode && typeof Worker === "undefined") {
		const worker = new (nodeModule("node:worker_threads")).Worker(nodeWorkerUrl(import.meta.url, "worker"));
		await new Promise((resolve, reject) => {
			worker.once("message", () => resolve());
			worker.once("error", reject);
			worker.postMessage(setup);
		});
		worker.unref();
		return worker;
	}
	const worker = new Worker(new URL(
		/* @vite-ignore */
		new URL("assets/worker-COlHKWRe.js", import.meta.url).href,
		"" + import.meta.url
	), { type: "module" });
	await new Promise((resolve, reject) => {
		worker.onmessage = () => resolve();
		worker.onerror = (e) => reject(new WasmMlpError(`training worker failed: ${e.message}`));
		worker.postMessage(setup);
	});
	return worker;
}
// dist/core/network.js
/**
* Memory, bottom up: parameters, gradients and WT (fixed); the batch buffers; resident datasets
* and optimizer buffers (fixed, kept across trainings); then what a scope stages, and the threads'
* buffers, both released when the scope ends.
*/
var Network = class Network {
	module;
	memory;
	sizes;
	parameterCount;
	variant;
	/** Threads used by training (1 when threads were not asked for or are not supported here). */
	threads;
	activation;
	cost;
	shapes;
	plan;
	kernels;
	/** Byte offsets of the parameters and their gradients, each one contiguous f32 region. */
	params;
	nabla;
	w1;
	staging;
	/** Start and end of the batch buffers, and end of everything that is not staged. */
	batchMark;
	batchEnd = 0;
	fixedEnd = 0;
	batch;
	optimizer = null;
	pool = null;
	poolMark = 0;
	/** Loads the kernels (once per process) and makes a network with seeded random parameters. */
	static async create(options) {
		const o = settle(options);
		const module = await compileKernels(o.variant);
		const memory = o.variant === "threads" ? sharedMemory() : void 0;
		const net = new Network(module, memory, o);
		net.initialize(o.seed, o.init);
		return net;
	}
	constructor(module, memory, o) {
		this.module = module;
		this.memory = memory;
		this.kernels = instantiateKernels(module, memory);
		({variant: this.variant, threads: this.threads, activation: this.activation, cost: this.cost} = o);
		this.sizes = Object.freeze(o.sizes);
		this.shapes = layerShapes(o.sizes);
		this.parameterCount = parameterCount(o.sizes);
		this.plan = new MemoryPlan(this.kernels);
		this.params = this.plan.reserve(this.parameterCount * 4, `the ${this.parameterCount} parameters`);
		this.nabla = this.plan.reserve(this.parameterCount * 4, `the ${this.parameterCount} gradients`);
		this.w1 = new TransposedW1(this.plan, this.shapes[0], this.threads);
		this.staging = new Staging(this.plan, this.kernels, this.inputSize, this.outputSize);
		this.batchMark = this.plan.mark();
		this.ensureCapacity(o.capacity);
	}
	get inputSize() {
		return this.sizes[0];
	}
	get outputSize() {
		return this.sizes[this.sizes.length - 1];
	}
	/** Number of weight layers L (sizes.length - 1). */
	get layerCount() {
		return this.shapes.length;
	}
	/**
	* Redraws every parameter with the seeded PRNG (stream 0 of `seed`), in layout order: N(0, 1)
	* scaled by 1 (init 'normal'), 1/sqrt(n_in) ('scaled') or sqrt(2/n_in) ('he') for weights;
	* N(0, 1) for biases, or zero with 'he'.
	*/
	initialize(seed, init = "scaled") {
		this.writeParameters((p) => drawParameters(p, this.shapes, seed, init));
	}
	/** A copy of all parameters in their layout (W1, b1, W2, b2, ...). */
	getParameters() {
		return this.paramView().slice();
	}
	/** Replaces all parameters; `p` must have parameterCount finite values in the same layout. */
	setParameters(p) {
		if (p.length !== this.parameterCount) throw new InvalidArgumentError(`parameters: expected ${this.parameterCount} values for sizes [${this.sizes}], got ${p.length}`);
		for (let i = 0; i < p.length; i++) if (!Number.isFinite(p[i])) throw new InvalidArgumentError(`parameters: value ${i} is ${p[i]}, expected a finite number`);
		this.writeParameters((view) => view.set(p));
	}
	/** A copy of W^l, (sizes[l], sizes[l-1]) row-major, for l = 1..L as in the lecture. */
	weights(l) {
		const s = this.shape(l);
		return this.paramView().slice(s.wOffset, s.wOffset + s.rows * s.cols);
	}
	/** A copy of b^l, (sizes[l]), for l = 1..L. */
	biases(l) {
		const s = this.shape(l);
		return this.paramView().slice(s.bOffset, s.bOffset + s.rows);
	}
	/** Output activations a^L, (count, outputs), of inputs x, (count, inputs) with values in [0, 1]. */
	forward(x) {
		const count = this.checkInput(x);
		const out = new Float32Array(count * this.outputSize);
		this.batch.forEachChunk(x, count, (start, m) => out.set(this.batch.outputsOf(m), start * this.outputSize));
		return out;
	}
	/** Predicted class (index of the largest output) of each input in x, (count, inputs). */
	predict(x) {
		const count = this.checkInput(x);
		const out = new Uint8Array(count);
		this.batch.forEachChunk(x, count, (start, m) => out.set(this.batch.argmax(m), start));
		return out;
	}
	/** Backprop over one batch: the gradients of the summed cost, without changing the parameters. */
	backprop(x, labels) {
		const cost = this.batch.gradients(this.nabla, this.parameterCount, this.loadBatch(x, labels));
		const g = this.plan.f32;
		const at = (offset, n) => g.slice((this.nabla >> 2) + offset, (this.nabla >> 2) + offset + n);
		return {
			nablaW: this.shapes.map((s) => at(s.wOffset, s.rows * s.cols)),
			nablaB: this.shapes.map((s) => at(s.bOffset, s.rows)),
			cost
		};
	}
	/** One gradient-descent step on one batch: W -= (eta / n) sum of gradients. Returns the batch's summed cost. */
	sgdStep(x, labels, eta) {
		checkEta(eta);
		const m = this.loadBatch(x, labels);
		const cost = this.batch.gradients(this.nabla, this.parameterCount, m);
		this.writeParameters(() => this.k().sgdUpdate(this.params, this.nabla, eta / m, this.parameterCount));
		return cost;
	}
	/** Makes room for batches of `n` examples. Only between trainings: it forgets staged datasets. */
	ensureCapacity(n) {
		checkCapacity(n);
		if (n <= (this.batch?.capacity ?? 0)) return;
		this.staging.clear();
		if (this.fixedEnd > this.batchEnd) this.batchMark = this.fixedEnd;
		this.plan.release(this.batchMark);
		this.batch = new BatchBuffers(this.plan, this.k(), this, n);
		this.batchEnd = this.fixedEnd = this.plan.mark();
	}
	/**
	* Runs `use` with a function that stages datasets in the network's memory (copied in unless
	* resident, and scanned once into the run table the mini-batch gather reads); all of it, and the
	* training threads started inside, is released when `use` returns or its promise settles.
	*/
	withStaged(use) {
		const mark = this.plan.mark();
		return scoped(() => use((data) => this.staging.stage(data)), () => {
			if (mark <= this.poolMark) this.stopThreads();
			this.staging.release(mark);
			this.plan.release(mark);
		});
	}
	/**
	* Room for a dataset in this network's own memory, so that it never needs a second copy (a file
	* can be read straight into it). Fill `images()` and `labels()`, then pass the result of `done`
	* to train or evaluate; it lives as long as the network.
	*/
	residentDataset(count, rows, cols) {
		this.checkNothingStaged("a resident dataset");
		const resident = reserveResident(this.plan, count, rows, cols);
		this.fixedEnd = this.plan.mark();
		return resident;
	}
	/** Correct predictions and summed cost over all of `s`, in batches of the capacity; the predicted classes go to `predictions` if given. */
	evaluateStaged(s, predictions) {
		return this.batch.evaluate(s, predictions);
	}
	/**
	* One step of mini-batch gradient descent on examples indices[start, start + m) of `s`:
	* gather, forward, then backprop fused with the update W^l -= (eta / m) delta^l (a^(l-1))^T,
	* which gives the same bits as backprop into nablaW followed by sgdUpdate for l >= 2 (W^1 is
	* updated example by example, so rounded in another order); momentum and Adam update from the
	* batch's gradients. On the threads where they pay (parallel/routing.ts). Returns the batch's
	* summed cost.
	*/
	trainBatch(s, indices, start, m, eta, step) {
		const { batch } = this;
		batch.setIndices((n) => indices[start + n], m);
		this.w1.willTrain();
		const plainSgd = isPlainSgd(step);
		if (this.pool && runsThreaded({
			plainSgd,
			batch: m,
			parameters: this.parameterCount,
			blocks: this.w1.blocks.length,
			threads: this.threads
		})) return this.pool.step(s, m, threadUpdate(m, eta, step, this.optimizer));
		batch.loop.gather(s, 0, m);
		batch.loop.forward(0, m, true);
		const cost = batch.loop.cost(0, m);
		if ((step?.optimizer ?? "sgd") === "sgd") batch.loop.backward(0, m, {
			kind: "step",
			scale: eta / m,
			decay: 1 - eta * (step?.decayPerExample ?? 0)
		});
		else buffersFor(this.optimizer, step.optimizer).step(this.k(), batch.loop, this.w1, this.params, this.shapes, m, eta, step);
		return cost;
	}
	/**
	* Makes room for `kind`'s gradients and state (zeroed) unless the network already has them;
	* like resident datasets, only while nothing is staged. Plain SGD needs none.
	*/
	prepareOptimizer(kind) {
		checkOptimizer(kind);
		if (kind === "sgd" || this.optimizer?.kind === kind) return;
		this.checkNothingStaged("an optimizer");
		this.optimizer = OptimizerBuffers.reserve(this.plan, this.k(), kind, this.w1.wtLength + this.parameterCount, this.optimizer?.grads);
		this.fixedEnd = this.plan.mark();
	}
	/**
	* The momentum or Adam state (null for plain SGD or before training), each buffer in the
	* parameters' layout (W1, b1, W2, b2, ...; W1 row-major), so that a checkpoint can carry it.
	*/
	getOptimizerState() {
		return this.optimizer?.read(this.w1, this.parameterCount) ?? null;
	}
	/** Restores a state from getOptimizerState (same sizes); prepares the optimizer if needed. */
	setOptimizerState(state) {
		this.prepareOptimizer(state.kind);
		this.optimizer.write(this.w1, state, this.parameterCount);
	}
	/** Starts the training threads on the current buffers (inside withStaged, which stops them). Does nothing for one thread. */
	async startThreads() {
		if (this.threads === 1 || this.pool) return;
		this.poolMark = this.plan.mark();
		const { module, memory, threads, w1, shapes, parameterCount, optimizer } = this;
		this.pool = await ThreadPool.forNetwork(this.k(), this.batch.loop, this.plan, {
			module,
			memory,
			threads,
			w1,
			shapes,
			parameterCount,
			optimizer
		});
	}
	/** Stops the training threads, if any. */
	stopThreads() {
		this.pool?.close();
		this.pool = null;
	}
	/** Frees the kernel instance; the network cannot be used afterwards. */
	dispose() {
		this.stopThreads();
		this.kernels = null;
		this.staging.clear();
	}
	get disposed() {
		return this.kernels === null;
	}
	/** Lets `write` change the parameter region (row-major layout), then copies W^1 into WT. */
	writeParameters(write) {
		write(this.paramView());
		this.w1.loadRowMajor(this.params);
	}
	paramView() {
		this.k();
		this.w1.refreshRowMajor(this.params);
		return this.plan.f32.subarray(this.params >> 2, (this.params >> 2) + this.parameterCount);
	}
	/** Copies a batch given as f32 inputs and labels into the batch buffers; returns its size. */
	loadBatch(x, labels) {
		const m = this.checkInput(x);
		this.ensureCapacity(m);
		this.batch.load(x, labels, m);
		return m;
	}
	checkInput(x) {
		this.k();
		return countInputs(x, this.inputSize);
	}
	checkNothingStaged(what) {
		if (this.plan.mark() !== this.fixedEnd) throw new WasmMlpError(`${what} cannot be made while data is staged (during training or evaluation)`);
	}
	shape(l) {
		if (!Number.isInteger(l) || l < 1 || l > this.layerCount) throw new InvalidArgumentError(`layer ${l} does not exist: layers are numbered 1 to ${this.layerCount}`);
		return this.shapes[l - 1];
	}
	k() {
		if (!this.kernels) throw new WasmMlpError("this network was disposed");
		return this.kernels;
	}
};
// dist/train/evaluate.js
/** The evaluation of a staged dataset; the predicted classes go to `predictions` if given. */
function evaluation(net, s, predictions) {
	const { correct, cost } = net.evaluateStaged(s, predictions);
	const count = s.data.count;
	return {
		accuracy: correct / count,
		cost: cost / count,
		correct,
		count
	};
}
// dist/train/schedule.js
/** The learning rate of epoch e (1-based) of `epochs`. */
function scheduledEta(eta, schedule, epoch, epochs) {
	switch (schedule.kind) {
		case "constant": return eta;
		case "step": return eta * schedule.factor ** Math.floor((epoch - 1) / schedule.every);
		case "cosine": {
			const min = schedule.min ?? 0;
			return min + (eta - min) * .5 * (1 + Math.cos(Math.PI * (epoch - 1) / epochs));
		}
	}
}
function checkSchedule(s) {
	const bad = (why) => new InvalidArgumentError(`schedule ${JSON.stringify(s)}: ${why}`);
	if (s.kind === "step") {
		if (!Number.isInteger(s.every) || s.every < 1) throw bad("every must be a positive integer");
		if (!(s.factor > 0 && s.factor <= 1)) throw bad("factor must be in (0, 1]");
	} else if (s.kind === "cosine") {
		if (s.min !== void 0 && !(s.min >= 0)) throw bad("min must be >= 0");
	} else if (s.kind !== "constant") throw bad("kind must be 'constant', 'step' or 'cosine'");
}
/** Mini-batch stochastic gradient descent over `data`, reshuffled every epoch. */
async function train(net, data, options = {}) {
	const epochs = options.epochs ?? 30;
	const batchSize = options.batchSize ?? 10;
	const eta = options.eta ?? 1.5;
	const seed = options.seed ?? 1;
	checkPositiveInteger("epochs", epochs);
	checkPositiveInteger("batchSize", batchSize);
	checkEta(eta);
	checkSeed(seed);
	const yieldEveryMs = options.yieldEveryMs ?? 50;
	const initialEpoch = options.initialEpoch ?? 0;
	if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch >= epochs) throw new InvalidArgumentError(`initialEpoch must be an integer from 0 to epochs - 1 = ${epochs - 1}, got ${initialEpoch}`);
	const step = stepSettings(options, data.count);
	if (options.patience !== void 0) {
		checkPositiveInteger("patience", options.patience);
		if (!options.validation) throw new InvalidArgumentError("patience (early stopping) needs a validation set");
	}
	const schedule = options.schedule ?? { kind: "constant" };
	checkSchedule(schedule);
	net.prepareOptimizer(step.optimizer);
	net.ensureCapacity(batchSize);
	return net.withStaged(async (stage) => {
		const train = stage(data);
		const test = options.test ? stage(options.test) : null;
		const validation = options.validation ? stage(options.validation) : null;
		await net.startThreads();
		return loop(net, train, test, validation, {
			...options,
			epochs,
			batchSize,
			eta,
			seed,
			yieldEveryMs,
			initialEpoch,
			step,
			schedule
		});
	});
}
function stepSettings(o, count) {
	const optimizer = o.optimizer ?? "sgd";
	checkOptimizer(optimizer);
	const unit = (name, v) => {
		if (!(v >= 0 && v < 1)) throw new InvalidArgumentError(`${name} must be in [0, 1), got ${v}`);
		return v;
	};
	const weightDecay = o.weightDecay ?? 0;
	if (!(weightDecay >= 0) || !Number.isFinite(weightDecay)) throw new InvalidArgumentError(`weightDecay must be a finite number >= 0, got ${weightDecay}`);
	const epsilon = o.epsilon ?? 1e-8;
	if (!(epsilon > 0)) throw new InvalidArgumentError(`epsilon must be > 0, got ${epsilon}`);
	return {
		optimizer,
		momentum: unit("momentum", o.momentum ?? .9),
		beta1: unit("beta1", o.beta1 ?? .9),
		beta2: unit("beta2", o.beta2 ?? .999),
		epsilon,
		decayPerExample: weightDecay / count
	};
}
async function loop(net, train, test, validation, o) {
	let bestValidation = -1;
	let sinceBest = 0;
	const n = train.data.count;
	const batches = Math.ceil(n / o.batchSize);
	const indices = new Uint32Array(n);
	const lastGood = net.getParameters();
	const history = [];
	let lastYield = now();
	for (let epoch = o.initialEpoch + 1; epoch <= o.epochs; epoch++) {
		for (let i = 0; i < n; i++) indices[i] = i;
		new Rng(o.seed, epoch).shuffle(indices);
		let costSum = 0;
		let seconds = 0;
		const eta = scheduledEta(o.eta, o.schedule, epoch, o.epochs);
		let t0 = now();
		for (let b = 0; b < batches; b++) {
			if (o.signal?.aborted) return {
				history,
				aborted: true
			};
			const start = b * o.batchSize;
			const m = Math.min(o.batchSize, n - start);
			const cost = net.trainBatch(train, indices, start, m, eta, o.step);
			if (!Number.isFinite(cost)) {
				net.setParameters(lastGood);
				throw new TrainingDivergedError(`training diverged at epoch ${epoch}, batch ${b + 1} of ${batches}: the cost is ${cost}; the parameters are those after epoch ${epoch - 1} (try a smaller eta than ${eta})`, epoch, b + 1);
			}
			costSum += cost;
			o.onBatchEnd?.({
				epoch,
				batch: b,
				batches,
				cost: cost / m
			});
			const t = now();
			if (t - lastYield >= o.yieldEveryMs) {
				seconds += (t - t0) / 1e3;
				await yieldToEventLoop();
				lastYield = t0 = now();
			}
		}
		seconds += (now() - t0) / 1e3;
		const e0 = now();
		const scored = test ? evaluation(net, test) : {
			accuracy: NaN,
			cost: NaN
		};
		const checked = validation ? evaluation(net, validation) : {
			accuracy: NaN,
			cost: NaN
		};
		const metrics = {
			epoch,
			eta,
			trainCost: costSum / n,
			testAccuracy: scored.accuracy,
			testCost: scored.cost,
			validationAccuracy: checked.accuracy,
			validationCost: checked.cost,
			trainSeconds: seconds,
			evalSeconds: (now() - e0) / 1e3,
			examplesPerSecond: n / seconds
		};
		history.push(metrics);
		lastGood.set(net.getParameters());
		await o.onEpochEnd?.(metrics);
		if (validation && o.patience !== void 0) {
			if (checked.accuracy > bestValidation) {
				bestValidation = checked.accuracy;
				sinceBest = 0;
			} else if (++sinceBest >= o.patience) return {
				history,
				aborted: false,
				stoppedEarly: epoch < o.epochs
			};
		}
	}
	return {
		history,
		aborted: false,
		stoppedEarly: false
	};
}
function checkPositiveInteger(name, v) {
	if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got ${v}`);
}
function now() {
	return performance.now();
}
function yieldToEventLoop() {
	return new Promise((resolve) => setTimeout(resolve, 0));
}
(() => {
	const t = /* @__PURE__ */ new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 3988292384 ^ c >>> 1 : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();
// dist/parallel/remote.js
var RemoteNetwork = class RemoteNetwork {
	port;
	nextId = 1;
	pending = /* @__PURE__ */ new Map();
	/** Filled by create / loadModel. */
	sizes = [];
	parameterCount = 0;
	threads = 1;
	constructor(port) {
		this.port = port;
	}
	/** Starts a worker and makes a network in it. */
	static async create(options) {
		const remote = await RemoteNetwork.start();
		remote.describe(await remote.call({
			type: "create",
			options
		}));
		return remote;
	}
	/** Starts a worker with the network of a model file. */
	static async fromModel(bytes) {
		const remote = await RemoteNetwork.start();
		const copy = bytes.slice().buffer;
		remote.describe(await remote.call({
			type: "load-model",
			bytes: copy
		}, [copy]));
		return remote;
	}
	static async start() {
		let remote;
		const onReply = (r) => remote.receive(r);
		if (isNode && typeof Worker === "undefined") {
			const w = new (nodeModule("node:worker_threads")).Worker(nodeWorkerUrl(import.meta.url, "train-worker"));
			w.on("message", onReply);
			w.on("error", (e) => remote.failAll(e));
			remote = new RemoteNetwork({
				post: (m, t) => w.postMessage(m, t),
				terminate: () => void w.terminate()
			});
		} else {
			const w = new Worker(new URL(
				/* @vite-ignore */
				new URL("assets/train-worker-CMIIVEnQ.js", import.meta.url).href,
				"" + import.meta.url
			), { type: "module" });
			w.onmessage = (e) => onReply(e.data);
			w.onerror = (e) => remote.failAll(new WasmMlpError(`training worker failed: ${e.message}`));
			remote = new RemoteNetwork({
				post: (m, t) => w.postMessage(m, t ?? []),
				terminate: () => w.terminate()
			});
		}
		return remote;
	}
	/** Copies the datasets (training and optional test) into the worker, once. */
	async setData(train, test) {
		const wire = (d) => ({
			images: d.images.slice().buffer,
			labels: d.labels.slice().buffer,
			rows: d.rows,
			cols: d.cols,
			classes: d.classes
		});
		const t = train ? wire(train) : void 0;
		const s = test ? wire(test) : void 0;
		const transfer = [
			t?.images,
			t?.labels,
			s?.images,
			s?.labels
		].filter((b) => !!b);
		await this.call({
			type: "set-data",
			train: t,
			test: s
		}, transfer);
	}
	/**
	* Trains in the worker; hooks run here. An aborted signal stops it within one mini-batch where
	* SharedArrayBuffer exists (Node, cross-origin isolated pages), else within `yieldEveryMs`.
	*/
	async train(options = {}) {
		const { onEpochEnd, onBatchEnd, signal, batchEveryMs = 100, ...rest } = options;
		const stop = typeof SharedArrayBuffer === "function" && globalThis.crossOriginIsolated !== false ? new SharedArrayBuffer(4) : void 0;
		const onAbort = () => {
			if (stop) Atomics.store(new Int32Array(stop), 0, 1);
			this.port.post({
				id: this.nextId++,
				type: "abort"
			});
		};
		signal?.addEventListener("abort", onAbort, { once: true });
		try {
			if (signal?.aborted) return {
				history: [],
				aborted: true
			};
			return await this.call({
				type: "train",
				options: rest,
				batchEveryMs,
				stop
			}, [], (r) => {
				if ("event" in r && r.event === "epoch") onEpochEnd?.(r.data);
				if ("event" in r && r.event === "batch") onBatchEnd?.(r.data);
			});
		} finally {
			signal?.removeEventListener("abort", onAbort);
		}
	}
	getParameters() {
		return this.call({ type: "parameters" });
	}
	/** The model file bytes of the network in the worker. */
	encodeModel(hyperparameters) {
		return this.call({
			type: "model",
			hyperparameters
		});
	}
	forward(x) {
		const copy = x.slice().buffer;
		return this.call({
			type: "predict",
			x: copy
		}, [copy]);
	}
	/** Ends the worker; pending calls reject. */
	terminate() {
		this.port.terminate();
		this.failAll(new WasmMlpError("the training worker was terminated"));
	}
	describe(info) {
		const i = info;
		this.sizes = i.sizes;
		this.parameterCount = i.parameterCount;
		this.threads = i.threads;
	}
	call(req, transfer = [], onEvent) {
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, {
				resolve,
				reject,
				onEvent
			});
			this.port.post({
				...req,
				id
			}, transfer);
		});
	}
	receive(r) {
		const p = this.pending.get(r.id);
		if (!p) return;
		if ("event" in r) return p.onEvent?.(r);
		this.pending.delete(r.id);
		if (r.ok) p.resolve(r.result);
		else {
			const e = new WasmMlpError(r.error.message);
			e.name = r.error.name;
			p.reject(e);
		}
	}
	failAll(e) {
		for (const p of this.pending.values()) p.reject(e);
		this.pending.clear();
	}
};
export { Network, RemoteNetwork, train };

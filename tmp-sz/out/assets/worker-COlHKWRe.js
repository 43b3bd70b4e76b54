// dist/core/costs.js
const FLOOR = 1e-30;
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
// dist/core/errors.js
/** Base class of every error wasm-mlp throws on purpose. */
var WasmMlpError = class extends Error {
	constructor(message, options) {
		super(message, options);
		this.name = new.target.name;
	}
};
// dist/core/memory.js
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
// dist/core/transposed.js
/** [start, end) of thread t's share of `rows` (or any n elements), cut at multiples of `unit` (the last share ends at rows). */
function rowRange(rows, t, T, unit) {
	const at = (u) => u === T ? rows : Math.min(rows, Math.round(rows * u / T / unit) * unit);
	return [at(t), at(t + 1)];
}
// dist/core/layers.js
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
// dist/core/platform.js
/** True in Node (and runtimes that say they are Node), false in browsers and their workers. */
const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
/** A Node built-in module, e.g. `nodeModule('node:fs/promises')`; only call it when `isNode`. */
function nodeModule(id) {
	return process.getBuiltinModule(id);
}
new Uint8Array([
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
/** The worker side: waits for commands on the control block and runs its share until EXIT. */
function serveThread(k, s) {
	const loop = new LayerLoop(k, s.plan);
	const c = controlViews(s);
	const ctrl = c.i32;
	let seen = 0;
	for (;;) {
		waitWhileEqual(ctrl, 0, seen);
		seen = Atomics.load(ctrl, 0);
		const command = Atomics.load(ctrl, 1);
		if (command === 3) return;
		runShare(k, loop, s, c, command);
		Atomics.add(ctrl, 3, 1);
		Atomics.notify(ctrl, 3);
	}
}
// dist/parallel/worker.js
function start(setup, reply) {
	const kernels = instantiateKernels(setup.module, setup.memory);
	reply("ready");
	serveThread(kernels, setup);
}
if (isNode) {
	const { parentPort } = nodeModule("node:worker_threads");
	parentPort.once("message", (setup) => start(setup, (m) => parentPort.postMessage(m)));
} else {
	const scope = globalThis;
	scope.onmessage = (e) => start(e.data, (m) => scope.postMessage(m));
}

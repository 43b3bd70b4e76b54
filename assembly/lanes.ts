// The f32x4 helpers several kernel families share (madd, flushBelow, hash4), and the rules every family
// file keeps (dense, denseOuter, gather, sparse, sparseOuter, updates, activations, regularize).
// Not for: kernels, or anything the scalar build runs.
//
// Twins: a family file holds each kernel's f32x4 SIMD path (<name>Simd) right beside its plain
// scalar twin (<name>Scalar): the scalar build's kernel, the SIMD path's tail, and the oracle the
// tests hold the SIMD path against (the debug build, oracle.ts, exports it as <kernel>Scalar).
// index.ts (generated from kernels.mjs) picks one at compile time, so the scalar build compiles no
// SIMD path. Each SIMD path computes what its scalar twin computes, with the same summation order
// per output element wherever the twin's order allows, so the SIMD build agrees with the scalar one
// (bit for bit for everything but the forward dot products).
//
// Leftovers, one convention: an elementwise kernel runs 4 lanes at a time and hands the last
// n % 4 elements to its scalar twin, on pointers moved past the vector part; a tile hands the rows
// or columns it cannot fill to a narrower tile, down to a scalar loop of its own.
//
// Multiply-adds (acc + a b) of the forward, backprop and update tiles go through madd: in the
// relaxed build (--enable relaxed-simd) f32x4.relaxed_madd, one fused multiply-add where the
// hardware has FMA (bits then depend on the machine); elsewhere a multiply and an add, the
// portable bits. The gather, sigmoid and optimizers keep their separate operations.
//
// Register budget: V8 has 16 SIMD registers; every tile keeps at most 14 v128 values live
// (8 accumulators + 6 operands), so that nothing spills.

// acc + a b: fused in the relaxed build, a multiply then an add otherwise (see the top)
@inline export function madd(a: v128, b: v128, acc: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? f32x4.relaxed_madd(a, b, acc) : f32x4.add(acc, f32x4.mul(a, b));
}

// lanes with |x| < bound become 0 (NaN stays), as the scalar kernels' `if (Mathf.abs(x) < bound) x = 0`
@inline export function flushBelow(x: v128, bound: f32): v128 {
  return v128.and(x, v128.or(f32x4.ge(f32x4.abs(x), f32x4.splat(bound)), f32x4.ne(x, x)));
}

// hash32 (shared.ts) of four indices at once, the same integer operations
@inline export function hash4(key: v128, index: v128): v128 {
  let x = i32x4.add(i32x4.mul(index, i32x4.splat(0x9e3779b9)), key);
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(0x846ca68b));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

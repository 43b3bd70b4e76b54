// Floating-point formats wasm-mlp converts to float32 when it reads weights: IEEE half precision
// (float16) and bfloat16. Not for: writing them; wasm-mlp writes float32.

// one f32's bytes, seen as bits: pure, so that bundles which never convert drop them (a view's
// argument an identifier, not `.buffer`: a property read is kept as a possible side effect)
const BYTES = /* @__PURE__ */ new ArrayBuffer(4);
const F32 = /* @__PURE__ */ new Float32Array(BYTES);
const U32 = /* @__PURE__ */ new Uint32Array(BYTES);

/** The value of the IEEE 754 half-precision bits `h` (exact in float32). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The value of the bfloat16 bits `b`: the high half of a float32. */
export function bfloat16ToFloat(b: number): number {
  U32[0] = (b & 0xffff) << 16;
  return F32[0];
}

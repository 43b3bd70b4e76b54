// The FMA rate this engine reaches: `iterations` rounds of 8 (or 12) independent f32x4 multiply-adds
// on values held in registers, nothing loaded or stored in the loop: the ceiling a 128-bit wasm
// tile can approach here. Compiled by bench/peak.mjs; not part of the library.

// 8 accumulators, each a chain of relaxed multiply-adds (fused where the CPU has FMA)
export function madd8(iterations: i32, seed: f32): f32 {
  const b = f32x4.splat(seed), c = f32x4.splat(<f32>0.999);
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4);
  let a4 = f32x4.splat(5), a5 = f32x4.splat(6), a6 = f32x4.splat(7), a7 = f32x4.splat(8);
  for (let i = 0; i < iterations; i++) {
    a0 = f32x4.relaxed_madd(a0, c, b); a1 = f32x4.relaxed_madd(a1, c, b);
    a2 = f32x4.relaxed_madd(a2, c, b); a3 = f32x4.relaxed_madd(a3, c, b);
    a4 = f32x4.relaxed_madd(a4, c, b); a5 = f32x4.relaxed_madd(a5, c, b);
    a6 = f32x4.relaxed_madd(a6, c, b); a7 = f32x4.relaxed_madd(a7, c, b);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 3);
}

// 12 accumulators: more chains in flight, for a core whose FMA latency times its FMA units exceeds 8
export function madd12(iterations: i32, seed: f32): f32 {
  const b = f32x4.splat(seed), c = f32x4.splat(<f32>0.999);
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4);
  let a4 = f32x4.splat(5), a5 = f32x4.splat(6), a6 = f32x4.splat(7), a7 = f32x4.splat(8);
  let a8 = f32x4.splat(9), a9 = f32x4.splat(10), a10 = f32x4.splat(11), a11 = f32x4.splat(12);
  for (let i = 0; i < iterations; i++) {
    a0 = f32x4.relaxed_madd(a0, c, b); a1 = f32x4.relaxed_madd(a1, c, b);
    a2 = f32x4.relaxed_madd(a2, c, b); a3 = f32x4.relaxed_madd(a3, c, b);
    a4 = f32x4.relaxed_madd(a4, c, b); a5 = f32x4.relaxed_madd(a5, c, b);
    a6 = f32x4.relaxed_madd(a6, c, b); a7 = f32x4.relaxed_madd(a7, c, b);
    a8 = f32x4.relaxed_madd(a8, c, b); a9 = f32x4.relaxed_madd(a9, c, b);
    a10 = f32x4.relaxed_madd(a10, c, b); a11 = f32x4.relaxed_madd(a11, c, b);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const t = f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11));
  return f32x4.extract_lane(f32x4.add(s, t), 0);
}

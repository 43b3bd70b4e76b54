// The multiply-add rate this engine reaches on one core with 128-bit SIMD, two ways: chains of
// f32x4.relaxed_madd on values held in registers (the FMA units alone), and a 4 x 8 register tile
// (8 accumulators, 2 vector loads and 4 broadcasts per 8 multiply-adds, the shape of the library's
// dense tiles) over operands resident in L1. Compiled by bench/peak.mjs; not part of the library.

// 12 accumulators, each a chain of fused multiply-adds through its addend
export function chains(iterations: i32, seed: f32): f32 {
  const x = f32x4.splat(seed), c = f32x4.splat(<f32>0.999);
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4);
  let a4 = f32x4.splat(5), a5 = f32x4.splat(6), a6 = f32x4.splat(7), a7 = f32x4.splat(8);
  let a8 = f32x4.splat(9), a9 = f32x4.splat(10), a10 = f32x4.splat(11), a11 = f32x4.splat(12);
  for (let i = 0; i < iterations; i++) {
    a0 = f32x4.relaxed_madd(x, c, a0); a1 = f32x4.relaxed_madd(x, c, a1);
    a2 = f32x4.relaxed_madd(x, c, a2); a3 = f32x4.relaxed_madd(x, c, a3);
    a4 = f32x4.relaxed_madd(x, c, a4); a5 = f32x4.relaxed_madd(x, c, a5);
    a6 = f32x4.relaxed_madd(x, c, a6); a7 = f32x4.relaxed_madd(x, c, a7);
    a8 = f32x4.relaxed_madd(x, c, a8); a9 = f32x4.relaxed_madd(x, c, a9);
    a10 = f32x4.relaxed_madd(x, c, a10); a11 = f32x4.relaxed_madd(x, c, a11);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const t = f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11));
  return f32x4.extract_lane(f32x4.add(s, t), 0);
}

// c (4 x 8) = a (4 x k) b (k x 8), `rounds` times: a is (4, k) row-major, b is (k, 8); 32 k multiply-adds a round
export function tile(a: usize, b: usize, k: i32, rounds: i32): f32 {
  let total = f32x4.splat(0);
  const K = <usize>k;
  for (let r = 0; r < rounds; r++) {
    let c0 = f32x4.splat(0), d0 = c0, c1 = c0, d1 = c0, c2 = c0, d2 = c0, c3 = c0, d3 = c0;
    for (let i: usize = 0; i < K; i++) {
      const p = b + (i << 5), q = a + (i << 2);
      const u = v128.load(p), v = v128.load(p, 16);
      const s0 = v128.load32_splat(q), s1 = v128.load32_splat(q + (K << 2)), s2 = v128.load32_splat(q + (K << 3)), s3 = v128.load32_splat(q + 12 * K);
      c0 = f32x4.relaxed_madd(s0, u, c0); d0 = f32x4.relaxed_madd(s0, v, d0);
      c1 = f32x4.relaxed_madd(s1, u, c1); d1 = f32x4.relaxed_madd(s1, v, d1);
      c2 = f32x4.relaxed_madd(s2, u, c2); d2 = f32x4.relaxed_madd(s2, v, d2);
      c3 = f32x4.relaxed_madd(s3, u, c3); d3 = f32x4.relaxed_madd(s3, v, d3);
    }
    total = f32x4.add(total, f32x4.add(f32x4.add(f32x4.add(c0, d0), f32x4.add(c1, d1)), f32x4.add(f32x4.add(c2, d2), f32x4.add(c3, d3))));
  }
  return f32x4.extract_lane(total, 0);
}

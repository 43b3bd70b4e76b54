// Run tables: a dataset's u8 images scanned once, when it is staged, into the runs of nonzero
// pixels of each image, so that gathering a mini-batch never scans the zeros again.
// Not for: the per-batch gather itself (gatherRuns in gather.ts reads these tables).
//
// A run is one u32, start << 8 | (length - 1): pixels start .. start + length - 1 of the image,
// all nonzero, in increasing order. Runs are as long as possible but never cross a multiple of
// 256 pixels, so every length fits 8 bits and every start 24 bits (images have at most 2^24
// pixels). The same code serves both builds, W pixels at a time: 16 with SIMD (a bitmask), 8
// without (in an i64, SWAR); the tables come out the same.

const W: usize = ASC_FEATURE_SIMD ? 16 : 8;
const ALL: u32 = ASC_FEATURE_SIMD ? 0xffff : 0xff;
const LOW7: u64 = 0x7f7f7f7f7f7f7f7f;
const HIGH: u64 = 0x8080808080808080;
const GATHER: u64 = 0x0102040810204080;

// Bit b set where pixel b of the W at p (p + b < end) is nonzero.
@inline function nonzeroBits(p: usize, end: usize): u32 {
  const bits = ASC_FEATURE_SIMD ? nonzeroBits16(p) : nonzeroBits8(p);
  return p + W <= end ? bits : bits & ((1 << <u32>(end - p)) - 1);
}

@inline function nonzeroBits16(p: usize): u32 {
  return <u32>i8x16.bitmask(i8x16.ne(v128.load(p), i8x16.splat(0)));
}

@inline function nonzeroBits8(p: usize): u32 {
  const w = load<u64>(p);
  const t = (((w & LOW7) + LOW7) | w) & HIGH; // each byte's high bit: byte != 0
  return <u32>(((t >> 7) * GATHER) >> 56);
}

// Bit b set where a run starts: pixel i + b nonzero and either pixel i + b - 1 zero or i + b a
// multiple of 256. `carry` is bit W - 1 of the previous W pixels' nonzeroBits (0 at i = 0).
@inline function runStarts(bits: u32, carry: u32, i: usize): u32 {
  const before = (bits << 1) | ((i & 255) != 0 ? carry : 0);
  return bits & ~before & ALL;
}

// starts is (count + 1) u32; images is (count, pixels) u8. starts[k] = the number of runs of
// images 0 .. k - 1, so image k's runs are starts[k] .. starts[k + 1] - 1; returns the total.
export function countRuns(starts: usize, images: usize, count: i32, pixels: i32): u32 {
  const P = <usize>pixels;
  let total: u32 = 0;
  for (let k: usize = 0; k < <usize>count; k++) {
    store<u32>(starts + (k << 2), total);
    const src = images + k * P;
    let carry: u32 = 0;
    for (let i: usize = 0; i < P; i += W) {
      const bits = nonzeroBits(src + i, src + P);
      total += <u32>popcnt(runStarts(bits, carry, i));
      carry = bits >> <u32>(W - 1);
    }
  }
  store<u32>(starts + (<usize>count << 2), total);
  return total;
}

// runs is (total) u32, starts as countRuns made it; writes every image's runs. A run's word gets
// its start first, then its length when its end comes by (starts and ends come in order).
export function encodeRuns(runs: usize, starts: usize, images: usize, count: i32, pixels: i32): void {
  const P = <usize>pixels;
  for (let k: usize = 0; k < <usize>count; k++) {
    const src = images + k * P;
    let opened = runs + (<usize>load<u32>(starts + (k << 2)) << 2), closed = opened;
    let carry: u32 = 0;
    let bits = P > 0 ? nonzeroBits(src, src + P) : 0;
    for (let i: usize = 0; i < P; i += W) {
      const next = i + W < P ? nonzeroBits(src + i + W, src + P) : 0;
      // a run ends at i + b if the pixel after it is zero, past the image, or at a multiple of 256
      const after = (bits >> 1) | ((((i + W) & 255) != 0 ? next & 1 : 0) << <u32>(W - 1));
      for (let s = runStarts(bits, carry, i); s; s &= s - 1) {
        store<u32>(opened, <u32>((i + <usize>ctz(s)) << 8));
        opened += 4;
      }
      for (let e = bits & ~after & ALL; e; e &= e - 1) {
        const word = load<u32>(closed);
        store<u32>(closed, word | <u32>(i + <usize>ctz(e) - (word >> 8)));
        closed += 4;
      }
      carry = bits >> <u32>(W - 1);
      bits = next;
    }
  }
}

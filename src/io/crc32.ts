// CRC-32 (IEEE 802.3, as zlib and PNG use) for model-file checksums.
// Not for: security; it detects accidental corruption only.

let TABLE: Uint32Array | null = null; // made on first use: a page that never reads a model file never pays for it

function table(): Uint32Array {
  if (TABLE) return TABLE;
  TABLE = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    TABLE[n] = c >>> 0;
  }
  return TABLE;
}

export function crc32(bytes: Uint8Array): number {
  const TABLE = table();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

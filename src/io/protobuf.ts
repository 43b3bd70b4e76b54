// The protobuf wire format, the part the ONNX messages use: a writer (varints, 64-bit integers,
// floats, length-delimited fields, packed repeated numbers) and a reader over untrusted bytes that
// checks every varint and length against the end of its message. Not for: the ONNX schema
// (onnx-messages.ts) or what the messages mean.

/** Wire types: varint, 64-bit, length-delimited, 32-bit (groups, 3 and 4, are not read). */
export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const I32 = 5;

/** Builds one message's bytes; nested messages are written by their own writer, then added with `message`. */
export class ProtoWriter {
  private buf = new Uint8Array(64);
  private len = 0;

  /** An unsigned or signed integer field (int32, int64, enum): negative values as 64-bit two's complement (10 bytes). */
  int(field: number, v: number): this {
    this.key(field, VARINT);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.key(field, I32);
    this.reserve(4);
    new DataView(this.buf.buffer).setFloat32(this.len, v, true);
    this.len += 4;
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, LEN);
    this.varint(b.length);
    this.put(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** A nested message: `write` fills a writer of its own. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    write(w);
    return this.bytes(field, w.finish());
  }

  /** Repeated integers, packed in one length-delimited field (proto3's default). */
  packedInts(field: number, values: readonly number[]): this {
    const w = new ProtoWriter();
    for (const v of values) w.varint(v);
    return this.bytes(field, w.finish());
  }

  /** Repeated floats (size 4) or doubles (size 8), packed in one length-delimited field. */
  packedFloats(field: number, values: readonly number[], size: 4 | 8): this {
    const b = new Uint8Array(values.length * size);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => (size === 4 ? view.setFloat32(4 * i, v, true) : view.setFloat64(8 * i, v, true)));
    return this.bytes(field, b);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  private varint(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`protobuf: ${v} is not a safe integer`);
    this.reserve(10);
    let n = v < 0 ? BigInt.asUintN(64, BigInt(v)) : null;
    if (n === null) {
      while (v > 0x7f) {
        this.buf[this.len++] = (v % 128) | 0x80;
        v = Math.floor(v / 128);
      }
      this.buf[this.len++] = v;
      return;
    }
    while (n > 0x7fn) {
      this.buf[this.len++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.len++] = Number(n);
  }

  private put(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buf.length, this.len + n));
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }
}

/**
 * Reads the fields of one message in bytes[start, end). Every read checks the end first, so bad
 * bytes give `fail`'s error (the reader's caller names the file), never a read past the end or an
 * allocation larger than the bytes themselves: length-delimited fields are views, not copies.
 */
export class ProtoReader {
  private at: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    private readonly fail: (what: string) => Error,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.at = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /**
   * Calls `read(field, wire)` for each field in order; a field it does not take (returns false)
   * is skipped by its wire type.
   */
  fields(read: (field: number, wire: number) => boolean): void {
    while (this.at < this.end) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wire = key % 8;
      if (field < 1) throw this.fail(`a field number ${field} at byte ${this.at}`);
      if (!read(field, wire)) this.skip(wire);
    }
  }

  /**
   * A varint as a number: an int64 with its high bit set (a negative int64) comes back negative;
   * beyond 2^53 the value is rounded (callers bound what they take far below it).
   */
  varint(): number {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw this.fail(`a varint cut short at byte ${this.at}`);
      const b = this.bytes[this.at++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) return hi & 0x80000000 ? -((~hi >>> 0) * 2 ** 32 + (~lo >>> 0) + 1) : (hi >>> 0) * 2 ** 32 + (lo >>> 0);
    }
    throw this.fail(`a varint longer than 10 bytes at byte ${this.at}`);
  }

  /** A varint field's value (an int, enum or bool), or an error if the field has another wire type. */
  int(wire: number, what: string): number {
    this.expect(wire, VARINT, what);
    return this.varint();
  }

  /** A length-delimited field's bytes: a view of the input. */
  bytesOf(wire: number, what: string): Uint8Array {
    this.expect(wire, LEN, what);
    const n = this.varint();
    if (n > this.end - this.at) throw this.fail(`${what}: ${n} bytes declared at byte ${this.at}, only ${this.end - this.at} left`);
    this.at += n;
    return this.bytes.subarray(this.at - n, this.at);
  }

  string(wire: number, what: string): string {
    return new TextDecoder().decode(this.bytesOf(wire, what));
  }

  /** A nested message, read by `read` over a reader of its bytes. */
  message<T>(wire: number, what: string, read: (r: ProtoReader) => T): T {
    const b = this.bytesOf(wire, what);
    return read(new ProtoReader(this.bytes, this.fail, b.byteOffset - this.bytes.byteOffset, b.byteOffset - this.bytes.byteOffset + b.length));
  }

  /** Repeated varints, packed or one per field: appended to `out`. */
  ints(wire: number, what: string, out: number[]): void {
    if (wire === VARINT) {
      out.push(this.varint());
      return;
    }
    this.message(wire, what, (r) => {
      while (r.at < r.end) out.push(r.varint());
    });
  }

  /** Repeated floats (fixed 32-bit), packed or one per field: appended to `out`. */
  floats(wire: number, what: string, out: number[]): void {
    this.fixedList(wire, 4, what, out);
  }

  /** Repeated doubles (fixed 64-bit), packed or one per field: appended to `out`. */
  doubles(wire: number, what: string, out: number[]): void {
    this.fixedList(wire, 8, what, out);
  }

  /** One float field (wire type 32-bit). */
  float(wire: number, what: string): number {
    this.expect(wire, I32, what);
    return this.fixed(4, what);
  }

  private fixedList(wire: number, size: 4 | 8, what: string, out: number[]): void {
    if (wire === (size === 4 ? I32 : I64)) {
      out.push(this.fixed(size, what));
      return;
    }
    const b = this.bytesOf(wire, what);
    if (b.length % size) throw this.fail(`${what}: ${b.length} bytes of packed ${size * 8}-bit values, not a multiple of ${size}`);
    const view = new DataView(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < b.length; i += size) out.push(size === 4 ? view.getFloat32(i, true) : view.getFloat64(i, true));
  }

  private fixed(size: 4 | 8, what: string): number {
    if (this.end - this.at < size) throw this.fail(`${what}: a ${size * 8}-bit value cut short at byte ${this.at}`);
    const v = size === 4 ? this.view.getFloat32(this.at, true) : this.view.getFloat64(this.at, true);
    this.at += size;
    return v;
  }

  private skip(wire: number): void {
    if (wire === VARINT) this.varint();
    else if (wire === LEN) this.bytesOf(wire, 'a field');
    else if (wire === I64 || wire === I32) {
      const n = wire === I64 ? 8 : 4;
      if (this.end - this.at < n) throw this.fail(`a ${n * 8}-bit field cut short at byte ${this.at}`);
      this.at += n;
    } else throw this.fail(`wire type ${wire} at byte ${this.at} (groups are not read)`);
  }

  private expect(wire: number, expected: number, what: string): void {
    if (wire !== expected) throw this.fail(`${what} has wire type ${wire}, expected ${expected}`);
  }
}

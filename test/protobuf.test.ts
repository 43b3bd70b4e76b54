// The protobuf codec wasm-mlp's ONNX reading and writing stand on: integers of every size and sign
// round-trip, unknown fields are skipped by wire type, bad bytes are the reader's typed error (never
// a read past the end), and the export writes the bytes protobufjs wrote for the same model.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../src/io/model.js';
import { exportOnnx } from '../src/io/onnx.js';
import { decodeOnnxModel } from '../src/io/onnx-decode.js';
import { encodeOnnxModel } from '../src/io/onnx-messages.js';
import { I32, I64, LEN, ProtoReader, ProtoWriter, VARINT } from '../src/io/protobuf.js';

class Bad extends Error {}
const fail = (what: string) => new Bad(what);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/onnx/${name}`, import.meta.url)));

/** The fields of `bytes` as [field, value] pairs: ints, floats or byte lengths. */
function fields(bytes: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  const r = new ProtoReader(bytes, fail);
  r.fields((field, wire) => {
    if (wire === VARINT) out.push([field, r.int(wire, 'int')]);
    else if (wire === I32) out.push([field, r.float(wire, 'float')]);
    else if (wire === LEN) out.push([field, r.bytesOf(wire, 'bytes').length]);
    else return false;
    return true;
  });
  return out;
}

describe('protobuf codec', () => {
  it('varints round-trip from 0 to 2^53 - 1, negative int64s in ten bytes (as protobuf writes int64 -1)', () => {
    const values = [0, 1, 127, 128, 300, 2 ** 21, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 35 + 7, 2 ** 53 - 1, -1, -2, -(2 ** 31), -(2 ** 53) + 1];
    const w = new ProtoWriter();
    values.forEach((v, i) => w.int(i + 1, v));
    const bytes = w.finish();
    expect(fields(bytes)).toEqual(values.map((v, i) => [i + 1, v]));
    const minusOne = new ProtoWriter().int(1, -1).finish();
    expect([...minusOne]).toEqual([8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(() => new ProtoWriter().int(1, 2 ** 53)).toThrow(RangeError);
  });

  it('packed and unpacked repeated numbers, floats, nested messages and strings read back', () => {
    const bytes = new ProtoWriter()
      .packedInts(1, [3, 300, -1])
      .int(1, 7)
      .float(2, 1.5)
      .message(3, (m) => m.string(1, 'naïve').float(2, -0.25))
      .finish();
    const ints: number[] = [];
    const floats: number[] = [];
    let inner: [string, number] | null = null;
    const r = new ProtoReader(bytes, fail);
    r.fields((field, wire) => {
      if (field === 1) r.ints(wire, 'ints', ints);
      else if (field === 2) r.floats(wire, 'floats', floats);
      else if (field === 3) {
        inner = r.message(wire, 'inner', (m) => {
          const got: [string, number] = ['', 0];
          m.fields((f, w) => ((f === 1 ? (got[0] = m.string(w, 's')) : (got[1] = m.float(w, 'f'))), true));
          return got;
        });
      } else return false;
      return true;
    });
    expect([ints, floats, inner]).toEqual([[3, 300, -1, 7], [1.5], ['naïve', -0.25]]);
  });

  it('skips unknown fields of every wire type; groups, truncated varints, lengths past the end and 11-byte varints are errors', () => {
    const w = new ProtoWriter().int(9, 5).float(10, 2).bytes(11, new Uint8Array(3)).int(1, 42);
    const known = w.finish();
    const fixed64 = Uint8Array.from([...[12 * 8 + I64], 1, 2, 3, 4, 5, 6, 7, 8, ...known]);
    const only1 = (b: Uint8Array) => {
      const seen: number[] = [];
      const r = new ProtoReader(b, fail);
      r.fields((field, wire) => (field === 1 ? (seen.push(r.int(wire, 'x')), true) : false));
      return seen;
    };
    expect(only1(known)).toEqual([42]);
    expect(only1(fixed64)).toEqual([42]);
    const cases: [number[], RegExp][] = [
      [[8, 0x80], /varint cut short at byte 2/],
      [[8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], /longer than 10 bytes/],
      [[18, 5, 1, 2], /5 bytes declared at byte 2, only 2 left/],
      [[19], /wire type 3 at byte 1 \(groups are not read\)/],
      [[21, 1, 2], /32-bit field cut short/],
      [[0x00], /field number 0/],
    ];
    for (const [b, message] of cases) {
      expect(() => only1(Uint8Array.from(b))).toThrow(Bad);
      expect(() => only1(Uint8Array.from(b))).toThrow(message);
    }
    // a nested message cannot read past its own length, even where the outer bytes go on
    const nested = Uint8Array.from([10, 2, 8, 0x80, 0x01, 0x02]);
    const r = new ProtoReader(nested, fail);
    expect(() => r.fields((f, wire) => (r.message(wire, 'm', (m) => m.fields((g, x) => (m.int(x, 'v'), true))), true))).toThrow(/varint cut short at byte 4/);
  });

  it('writes an export bit for bit as protobufjs (onnx-proto 8.0.1) did, and reads and writes it back unchanged', () => {
    const onnx = fixture('export-protobufjs.onnx');
    const model = decodeModel(fixture('export-protobufjs.wmlp'));
    expect(Buffer.from(exportOnnx(model)).equals(Buffer.from(onnx))).toBe(true);
    expect(Buffer.from(encodeOnnxModel(decodeOnnxModel(onnx, fail))).equals(Buffer.from(onnx))).toBe(true);
  });
});

/**
 * The protobuf wire format at the byte level: a reader that splits a
 * message into (field number, wire type, value) and a writer that builds
 * one. Varints are read as two 32-bit halves so negative int32/int64
 * (ten-byte, sign-extended varints) come out right without BigInt.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

/** A malformed message; the decoder turns it into a 400 that names the message. */
export class WireError extends Error {}

/** A varint's 64 bits as unsigned low and high halves. */
interface Varint {
  lo: number;
  hi: number;
}

export type WireValue =
  | { wire: typeof WIRE_VARINT; v: Varint }
  | { wire: typeof WIRE_FIXED64 | typeof WIRE_FIXED32 | typeof WIRE_BYTES; bytes: Uint8Array };

interface WireField {
  num: number;
  value: WireValue;
}

export class ProtoReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): Varint {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new WireError('truncated varint');
      const b = this.buf[this.pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if ((b & 0x80) === 0) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    throw new WireError('varint longer than 10 bytes');
  }

  private take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length)
      throw new WireError(`field length ${n} runs past the end of the message`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next field; unknown wire types (groups) are errors because Kubernetes never sends them. */
  field(): WireField {
    const key = this.varint();
    if (key.hi !== 0 || key.lo >>> 3 === 0) throw new WireError('invalid field key');
    const num = key.lo >>> 3;
    const wire = key.lo & 7;
    switch (wire) {
      case WIRE_VARINT:
        return { num, value: { wire, v: this.varint() } };
      case WIRE_FIXED64:
        return { num, value: { wire, bytes: this.take(8) } };
      case WIRE_FIXED32:
        return { num, value: { wire, bytes: this.take(4) } };
      case WIRE_BYTES: {
        const len = this.varint();
        if (len.hi !== 0 || len.lo > 0x7fffffff) throw new WireError('field length too large');
        return { num, value: { wire, bytes: this.take(len.lo) } };
      }
      default:
        throw new WireError(`unsupported wire type ${wire} for field ${num}`);
    }
  }

  /** Every field of the message, in wire order. */
  static fields(buf: Uint8Array): WireField[] {
    const r = new ProtoReader(buf);
    const out: WireField[] = [];
    while (!r.done) out.push(r.field());
    return out;
  }

  /** The varints of a packed repeated field. */
  static packedVarints(buf: Uint8Array): Varint[] {
    const r = new ProtoReader(buf);
    const out: Varint[] = [];
    while (!r.done) out.push(r.varint());
    return out;
  }
}

/** A varint as Go's int32 conversion sees it (low 32 bits, signed). */
export const varintToInt32 = (v: Varint): number => v.lo | 0;

/** A varint as int64; exact within ±2^53. */
export const varintToInt64 = (v: Varint): number => (v.hi | 0) * 0x100000000 + v.lo;

export class ProtoWriter {
  private chunks: number[] = [];

  private raw(b: number): void {
    this.chunks.push(b);
  }

  /** Non-negative integers up to 2^53, or negative ones as ten-byte two's complement. */
  varint(n: number): void {
    if (n < 0) {
      let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
      while (v >= 0x80n) {
        this.raw(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.raw(Number(v));
      return;
    }
    let v = Math.trunc(n);
    while (v >= 0x80) {
      this.raw((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.raw(v);
  }

  private key(num: number, wire: number): void {
    this.varint(num * 8 + wire);
  }

  varintField(num: number, n: number): void {
    this.key(num, WIRE_VARINT);
    this.varint(n);
  }

  bytesField(num: number, bytes: Uint8Array): void {
    this.key(num, WIRE_BYTES);
    this.varint(bytes.length);
    for (const b of bytes) this.raw(b);
  }

  stringField(num: number, s: string): void {
    this.bytesField(num, new TextEncoder().encode(s));
  }

  doubleField(num: number, d: number): void {
    this.key(num, WIRE_FIXED64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, d, true);
    for (const x of b) this.raw(x);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

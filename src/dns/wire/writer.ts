/** A growable byte writer with DNS name compression (RFC 1035 4.1.4). */
import { nameToLabels } from './name.js';
import { DnsEncodeError } from './types.js';

export class WireWriter {
  buf: Buffer;
  pos = 0;
  /** Lowercased name suffix -> offset where it was written (only offsets a pointer can reach). */
  private readonly names = new Map<string, number>();

  constructor(initial = 512) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Overwrites a 16-bit value written earlier (RDLENGTH, counts). */
  patchU16(at: number, v: number): void {
    this.buf.writeUInt16BE(v & 0xffff, at);
  }

  /** Writes a name, pointing at an earlier copy of its longest known suffix when `compress`. */
  name(name: string, compress = true): void {
    const labels = nameToLabels(name);
    // Suffix keys are built from the lowercased presentation labels.
    const keys = new Array<string>(labels.length);
    let key = '';
    for (let i = labels.length - 1; i >= 0; i--) {
      const l = Buffer.from(labels[i]!).toString('latin1').toLowerCase();
      key = key === '' ? l : `${l}.${key}`;
      keys[i] = key;
    }
    for (let i = 0; i < labels.length; i++) {
      if (compress) {
        const at = this.names.get(keys[i]!);
        if (at !== undefined) {
          this.u16(0xc000 | at);
          return;
        }
      }
      if (this.pos < 0x4000 && !this.names.has(keys[i]!)) this.names.set(keys[i]!, this.pos);
      const l = labels[i]!;
      this.u8(l.length);
      this.bytes(l);
    }
    this.u8(0);
  }

  /** IPv4 dotted quad -> 4 bytes. */
  ipv4(addr: string): void {
    const parts = addr.split('.');
    if (parts.length !== 4) throw new DnsEncodeError(`"${addr}" is not an IPv4 address`);
    for (const p of parts) {
      const n = Number(p);
      if (!/^[0-9]{1,3}$/.test(p) || n > 255) throw new DnsEncodeError(`"${addr}" is not an IPv4 address`);
      this.u8(n);
    }
  }

  /** IPv6 text (with :: and an optional embedded IPv4 tail) -> 16 bytes. */
  ipv6(addr: string): void {
    this.bytes(ipv6ToBytes(addr));
  }

  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export function ipv6ToBytes(addr: string): Uint8Array {
  const bad = () => new DnsEncodeError(`"${addr}" is not an IPv6 address`);
  let text = addr;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes the last two hex groups.
    const v4 = text.slice(lastColon + 1).split('.');
    if (v4.length !== 4 || v4.some((p) => !/^[0-9]{1,3}$/.test(p) || Number(p) > 255)) throw bad();
    const [a, b, c, d] = v4.map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) throw bad();
  const parse = (s: string) =>
    s === ''
      ? []
      : s.split(':').map((h) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(h)) throw bad();
          return parseInt(h, 16);
        });
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) throw bad();
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else groups = head;
  if (groups.length !== 8) throw bad();
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** 16 bytes -> canonical RFC 5952 text (longest zero run compressed). */
export function bytesToIpv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  let bestAt = -1,
    bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

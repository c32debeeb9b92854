/**
 * Parse and serialize whole DNS messages. Parsing checks every length
 * against the packet (counts that lie, truncated RDATA, names) and throws
 * DnsParseError; it never reads out of bounds or loops.
 */
import { readName } from './name.js';
import { bytesToIpv6, WireWriter } from './writer.js';
import {
  DnsEncodeError,
  DnsParseError,
  RRType,
  type EdnsOption,
  type Message,
  type Question,
  type ResourceRecord,
} from './types.js';

const HEADER = 12;

export function parseMessage(buf: Uint8Array): Message {
  if (buf.length < HEADER)
    throw new DnsParseError(`packet of ${buf.length} bytes is shorter than the 12-byte header`, 0);
  const r = new Reader(buf);
  const id = r.u16();
  const flags = r.u16();
  const qd = r.u16(),
    an = r.u16(),
    ns = r.u16(),
    ar = r.u16();
  // Each question needs >= 5 bytes and each RR >= 11: a count beyond that is a lie, caught before allocating.
  const left = buf.length - HEADER;
  if (qd * 5 + (an + ns + ar) * 11 > left)
    throw new DnsParseError(`section counts (${qd}/${an}/${ns}/${ar}) do not fit in ${buf.length} bytes`, 4);
  const msg: Message = {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
  };
  for (let i = 0; i < qd; i++) msg.questions.push(r.question());
  for (let i = 0; i < an; i++) msg.answers.push(r.record());
  for (let i = 0; i < ns; i++) msg.authorities.push(r.record());
  for (let i = 0; i < ar; i++) msg.additionals.push(r.record());
  return msg;
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new DnsParseError(`needs ${n} more bytes, packet ends`, this.pos);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v =
      ((this.buf[this.pos]! << 24) >>> 0) +
      ((this.buf[this.pos + 1]! << 16) | (this.buf[this.pos + 2]! << 8) | this.buf[this.pos + 3]!);
    this.pos += 4;
    return v;
  }
  name(): string {
    const n = readName(this.buf, this.pos);
    this.pos = n.next;
    return n.name;
  }

  question(): Question {
    const name = this.name();
    return { name, type: this.u16(), class: this.u16() };
  }

  record(): ResourceRecord {
    const name = this.name();
    const type = this.u16(),
      cls = this.u16(),
      ttl = this.u32(),
      rdlen = this.u16();
    this.need(rdlen);
    const start = this.pos,
      end = start + rdlen;
    const data = this.rdata(type, start, end);
    if (this.pos !== end) throw new DnsParseError(`RDATA of ${rdlen} bytes does not match its ${type} content`, start);
    return { name, type, class: cls, ttl, data } as ResourceRecord;
  }

  /** Decodes RDATA in [start, end); names inside may point anywhere earlier in the message. */
  private rdata(type: number, start: number, end: number): ResourceRecord['data'] {
    const within = () => {
      if (this.pos > end) throw new DnsParseError('RDATA content runs past its RDLENGTH', start);
    };
    switch (type) {
      case RRType.A: {
        if (end - start !== 4) throw new DnsParseError('A record RDATA is not 4 bytes', start);
        const b = this.buf;
        this.pos = end;
        return `${b[start]}.${b[start + 1]}.${b[start + 2]}.${b[start + 3]}`;
      }
      case RRType.AAAA: {
        if (end - start !== 16) throw new DnsParseError('AAAA record RDATA is not 16 bytes', start);
        this.pos = end;
        return bytesToIpv6(this.buf.subarray(start, end));
      }
      case RRType.CNAME:
      case RRType.NS:
      case RRType.PTR: {
        const n = this.name();
        within();
        return n;
      }
      case RRType.SRV: {
        const priority = this.u16(),
          weight = this.u16(),
          port = this.u16();
        const target = this.name();
        within();
        return { priority, weight, port, target };
      }
      case RRType.SOA: {
        const mname = this.name(),
          rname = this.name();
        const soa = {
          mname,
          rname,
          serial: this.u32(),
          refresh: this.u32(),
          retry: this.u32(),
          expire: this.u32(),
          minimum: this.u32(),
        };
        within();
        return soa;
      }
      case RRType.TXT: {
        const strings: string[] = [];
        while (this.pos < end) {
          const len = this.u8();
          if (this.pos + len > end) throw new DnsParseError('TXT string runs past its RDLENGTH', this.pos);
          strings.push(Buffer.from(this.buf.subarray(this.pos, this.pos + len)).toString('latin1'));
          this.pos += len;
        }
        return strings;
      }
      case RRType.OPT: {
        const options: EdnsOption[] = [];
        while (this.pos < end) {
          const code = this.u16(),
            len = this.u16();
          if (this.pos + len > end) throw new DnsParseError('EDNS option runs past its RDLENGTH', this.pos);
          options.push({ code, data: new Uint8Array(this.buf.subarray(this.pos, this.pos + len)) });
          this.pos += len;
        }
        return options;
      }
      default:
        this.pos = end;
        return new Uint8Array(this.buf.subarray(start, end));
    }
  }
}

export interface SerializeOptions {
  /** Largest message allowed (UDP: 512 or the client's EDNS size). Beyond it: TC set, answer sections dropped. */
  maxSize?: number;
}

export function serializeMessage(msg: Message, opts: SerializeOptions = {}): Buffer {
  const out = encode(msg);
  if (opts.maxSize === undefined || out.length <= opts.maxSize) return out;
  // RFC 2181 9: a truncated answer carries no partial RRsets; keep OPT so the client still sees EDNS.
  return encode({
    ...msg,
    tc: true,
    answers: [],
    authorities: [],
    additionals: msg.additionals.filter((r) => r.type === RRType.OPT),
  });
}

function encode(msg: Message): Buffer {
  const w = new WireWriter();
  w.u16(msg.id);
  w.u16(
    (msg.qr ? 0x8000 : 0) |
      ((msg.opcode & 0xf) << 11) |
      (msg.aa ? 0x0400 : 0) |
      (msg.tc ? 0x0200 : 0) |
      (msg.rd ? 0x0100 : 0) |
      (msg.ra ? 0x0080 : 0) |
      (msg.ad ? 0x0020 : 0) |
      (msg.cd ? 0x0010 : 0) |
      (msg.rcode & 0xf),
  );
  w.u16(msg.questions.length);
  w.u16(msg.answers.length);
  w.u16(msg.authorities.length);
  w.u16(msg.additionals.length);
  for (const q of msg.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of msg.answers) writeRecord(w, rr);
  for (const rr of msg.authorities) writeRecord(w, rr);
  for (const rr of msg.additionals) writeRecord(w, rr);
  return w.result();
}

export function writeRecord(w: WireWriter, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lenAt = w.pos;
  w.u16(0);
  const start = w.pos;
  const d = rr.data;
  switch (rr.type) {
    case RRType.A:
      w.ipv4(d as string);
      break;
    case RRType.AAAA:
      w.ipv6(d as string);
      break;
    case RRType.CNAME:
    case RRType.NS:
    case RRType.PTR:
      w.name(d as string);
      break;
    case RRType.SRV: {
      const s = rr.data as { priority: number; weight: number; port: number; target: string };
      // RFC 2782: the SRV target is never compressed.
      w.u16(s.priority);
      w.u16(s.weight);
      w.u16(s.port);
      w.name(s.target, false);
      break;
    }
    case RRType.SOA: {
      const s = rr.data as {
        mname: string;
        rname: string;
        serial: number;
        refresh: number;
        retry: number;
        expire: number;
        minimum: number;
      };
      w.name(s.mname);
      w.name(s.rname);
      w.u32(s.serial);
      w.u32(s.refresh);
      w.u32(s.retry);
      w.u32(s.expire);
      w.u32(s.minimum);
      break;
    }
    case RRType.TXT:
      for (const s of d as string[]) {
        const b = Buffer.from(s, 'latin1');
        if (b.length > 255) throw new DnsEncodeError('TXT string longer than 255 bytes');
        w.u8(b.length);
        w.bytes(b);
      }
      break;
    case RRType.OPT:
      for (const o of d as EdnsOption[]) {
        w.u16(o.code);
        w.u16(o.data.length);
        w.bytes(o.data);
      }
      break;
    default:
      if (!(d instanceof Uint8Array)) throw new DnsEncodeError(`record type ${rr.type} needs raw bytes as data`);
      w.bytes(d);
  }
  const len = w.pos - start;
  if (len > 0xffff) throw new DnsEncodeError('RDATA longer than 65535 bytes');
  w.patchU16(lenAt, len);
}

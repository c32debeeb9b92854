/**
 * A full sync's set elements as one nfnetlink batch, the bytes nft itself
 * would send, so 100,000 elements are not printed as text for nft to parse
 * again (that parse was half of a 10,000-Service full sync). Only the
 * element operations go this way (flush a set, add elements): tables,
 * chains and rules stay with `nft -f`. Pure: returns the batch, or
 * undefined when a set's declaration or an element is outside what this
 * encoder knows, and the caller then sends the same ops as text.
 *
 * Wire format (linux/netfilter/nf_tables.h, nfnetlink.h): BATCH_BEGIN,
 * then DELSETELEM without elements (a flush) or NEWSETELEM messages, then
 * BATCH_END; each message an nlmsghdr, an nfgenmsg and attributes. A key
 * of concatenated fields has every field padded to 4 bytes; a numgen
 * value is a host-order u32, addresses and ports network order.
 */
import { endianness } from 'node:os';
import { TABLE_NAME } from './model.js';
import type { NftOp } from './ops.js';

/** The field types podnet's sets use. */
export type FieldType = 'ipv4' | 'proto' | 'port' | 'u32';
interface SetLayout {
  key: FieldType[];
  data?: FieldType[] | 'verdict';
}

const TYPE_NAMES: Record<string, FieldType> = { ipv4_addr: 'ipv4', inet_proto: 'proto', inet_service: 'port' };

function typeofField(expr: string): FieldType | undefined {
  if (/^ip [sd]addr$/.test(expr)) return 'ipv4';
  if (/^(tcp|udp|sctp|th) [sd]port$/.test(expr)) return 'port';
  if (/^(meta l4proto|ip protocol)$/.test(expr)) return 'proto';
  if (/^numgen (random|inc) mod \d+$/.test(expr)) return 'u32';
  return undefined;
}

/** The key and data layout of a set declaration ("type a . b : verdict ;", "typeof x . y : z ;"); undefined if it has more (flags, timeouts). */
export function setLayout(spec: string): SetLayout | undefined {
  const m = /^(type|typeof) ([^:;]+?)(?: : ([^:;]+?))? ;?$/.exec(spec.trim());
  if (!m) return undefined;
  const field = m[1] === 'type' ? (t: string) => TYPE_NAMES[t] : typeofField;
  const fields = (text: string): FieldType[] | undefined => {
    const out = text.split(' . ').map((t) => field(t.trim()));
    return out.every((f) => f !== undefined) ? out : undefined;
  };
  const key = fields(m[2]!);
  if (!key) return undefined;
  if (m[3] === undefined) return { key };
  if (m[3] === 'verdict') return m[1] === 'type' ? { key, data: 'verdict' } : undefined;
  const data = fields(m[3]);
  return data ? { key, data } : undefined;
}

const PROTOCOLS = new Map([
  ['icmp', 1],
  ['tcp', 6],
  ['udp', 17],
  ['sctp', 132],
]);
const FIELD_BYTES: Record<FieldType, number> = { ipv4: 4, proto: 1, port: 2, u32: 4 };

/** The decimal in text[from, to), at most max; -1 if it is not one. (By hand: 120,000 elements are parsed per full sync.) */
function decimal(text: string, from: number, to: number, max: number): number {
  if (to <= from || to - from > 10) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n <= max ? n : -1;
}

/** The protocol named or numbered in text[from, to); -1 if neither. */
function protocol(text: string, from: number, to: number): number {
  const c = text.charCodeAt(from);
  if (c >= 48 && c <= 57) return decimal(text, from, to, 255);
  return PROTOCOLS.get(text.slice(from, to)) ?? -1;
}

/** Writes the dotted quad in text[from, to) at `at`; false if it is not one. */
function writeIpv4(out: Uint8Array, at: number, text: string, from: number, to: number): boolean {
  let octet = 0;
  let digits = 0;
  let i = 0;
  for (let c = from; c < to; c++) {
    const d = text.charCodeAt(c) - 48;
    if (d === -2) {
      // '.'
      if (digits === 0 || i === 3) return false;
      out[at + i++] = octet;
      octet = 0;
      digits = 0;
    } else if (d >= 0 && d <= 9 && digits < 3) {
      octet = octet * 10 + d;
      digits++;
      if (octet > 255) return false;
    } else return false;
  }
  if (i !== 3 || digits === 0) return false;
  out[at + 3] = octet;
  return true;
}

/** Writes the field in text[from, to) at `at`; false when it is not a value of that type. Byte by byte: no Buffer calls. */
function writeField(out: Uint8Array, at: number, type: FieldType, text: string, from: number, to: number): boolean {
  if (type === 'ipv4') return writeIpv4(out, at, text, from, to);
  if (type === 'port') {
    const p = decimal(text, from, to, 65535);
    if (p < 0) return false;
    out[at] = p >> 8;
    out[at + 1] = p & 255;
    return true;
  }
  if (type === 'proto') {
    const p = protocol(text, from, to);
    if (p < 0) return false;
    out[at] = p;
    return true;
  }
  const v = decimal(text, from, to, 0xffffffff);
  if (v < 0) return false;
  // numgen's register value is host order; the encoder refuses big-endian hosts.
  out[at] = v & 255;
  out[at + 1] = (v >>> 8) & 255;
  out[at + 2] = (v >>> 16) & 255;
  out[at + 3] = v >>> 24;
  return true;
}

/** Bytes of a value of these fields: one field at its own size, a concatenation with each field padded to 4. */
function valueLength(types: FieldType[]): number {
  return types.length === 1 ? FIELD_BYTES[types[0]!] : types.length * 4;
}

/**
 * Writes the value "a . b . c" at `at` (valueLength bytes, padding zeroed); false if it does not parse.
 * One pass over the text: a full sync parses ~120,000 of these, most of them before V8 has optimised this code.
 */
function writeValue(out: Uint8Array, at: number, types: FieldType[], text: string): boolean {
  const n = types.length;
  const size = valueLength(types);
  for (let j = 0; j < size; j++) out[at + j] = 0;
  const len = text.length;
  let from = 0;
  for (let f = 0; f < n; f++) {
    let to = from;
    while (to < len && text.charCodeAt(to) !== 32) to++; // no field holds a space: it ends at " . " or the end
    if (f < n - 1 ? text.charCodeAt(to + 1) !== 46 || text.charCodeAt(to + 2) !== 32 : to !== len) return false;
    if (!writeField(out, n === 1 ? at : at + f * 4, types[f]!, text, from, to)) return false;
    from = to + 3;
  }
  return true;
}

/** The value "a . b . c" of these field types as bytes; undefined if it does not parse. */
export function encodeValue(types: FieldType[], text: string): Buffer | undefined {
  const out = Buffer.alloc(valueLength(types));
  return writeValue(out, 0, types, text) ? out : undefined;
}

const VERDICTS: Record<string, number> = { drop: 0, accept: 1, continue: -1, return: -5 };
const JUMP = -3,
  GOTO = -4;

export function parseVerdict(text: string): { code: number; chain?: string } | undefined {
  if (text in VERDICTS) return { code: VERDICTS[text]! };
  const m = /^(jump|goto) ([^\s,{}]{1,255})$/.exec(text);
  return m ? { code: m[1] === 'jump' ? JUMP : GOTO, chain: m[2]! } : undefined;
}

// nfnetlink and nf_tables constants.
const NFNL_SUBSYS_NFTABLES = 10;
const NFNL_MSG_BATCH_BEGIN = 16,
  NFNL_MSG_BATCH_END = 17;
const NFT_MSG_NEWSETELEM = 12,
  NFT_MSG_DELSETELEM = 14;
const NLM_F_REQUEST = 0x1,
  NLM_F_ACK = 0x4,
  NLM_F_CREATE = 0x400;
const NFPROTO_IPV4 = 2;
const NLA_F_NESTED = 0x8000;
const SET_ELEM_LIST_TABLE = 1,
  SET_ELEM_LIST_SET = 2,
  SET_ELEM_LIST_ELEMENTS = 3;
const LIST_ELEM = 1;
const SET_ELEM_KEY = 1,
  SET_ELEM_DATA = 2;
const DATA_VALUE = 1,
  DATA_VERDICT = 2;
const VERDICT_CODE = 1,
  VERDICT_CHAIN = 2;
/** A nested attribute's length is 16 bits: an elements list stays below it. */
const MAX_ELEMENTS_BYTES = 60_000;

/** A little-endian u16 by hand: the element loop writes ~6 per element, and Buffer's methods cost a call each until V8 inlines them. */
function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 255;
  b[at + 1] = v >> 8;
}

/** A growing byte buffer with netlink's attribute nesting. */
class NetlinkWriter {
  buf: Buffer;
  len = 0;
  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size);
  }
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  private pad(): void {
    const n = (4 - (this.len & 3)) & 3;
    this.room(n);
    for (let i = 0; i < n; i++) this.buf[this.len++] = 0;
  }
  /** nlmsghdr + nfgenmsg; returns where the message starts (for end()). */
  begin(type: number, flags: number, seq: number, resId = 0): number {
    this.room(20);
    const at = this.len;
    this.buf.writeUInt32LE(0, at); // length, set by end()
    this.buf.writeUInt16LE(type, at + 4);
    this.buf.writeUInt16LE(flags, at + 6);
    this.buf.writeUInt32LE(seq, at + 8);
    this.buf.writeUInt32LE(0, at + 12); // port id: the kernel
    this.buf[at + 16] = resId ? 0 : NFPROTO_IPV4; // batch messages carry AF_UNSPEC
    this.buf[at + 17] = 0; // NFNETLINK_V0
    this.buf.writeUInt16BE(resId, at + 18);
    this.len += 20;
    return at;
  }
  end(at: number): void {
    this.buf.writeUInt32LE(this.len - at, at);
  }
  /** Makes room for an attribute of n payload bytes and writes its header; the payload goes at the returned offset. */
  private attrHead(type: number, n: number): number {
    this.room(4 + n + 3);
    put16(this.buf, this.len, 4 + n);
    put16(this.buf, this.len + 2, type);
    return this.len + 4;
  }
  /** Closes the attribute attrHead opened: past its payload, padded to 4. */
  private attrEnd(n: number): void {
    this.len += 4 + n;
    this.pad();
  }
  /** An attribute holding a value of these fields, parsed straight into the buffer; false if it does not parse. */
  value(type: number, types: FieldType[], text: string): boolean {
    const n = valueLength(types);
    const at = this.attrHead(type, n); // before reading this.buf: making room may replace it
    if (!writeValue(this.buf, at, types, text)) return false;
    this.attrEnd(n);
    return true;
  }
  /** A NUL-terminated string attribute, written in place (no Buffer per attribute: a full sync writes ~10,000 chain names). */
  string(type: number, text: string): void {
    const n = Buffer.byteLength(text, 'latin1') + 1;
    const at = this.attrHead(type, n);
    this.buf.write(text, at, 'latin1');
    this.buf[at + n - 1] = 0;
    this.attrEnd(n);
  }
  /** Bytes encoded before (an attribute built once, written many times). */
  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }
  u32be(type: number, v: number): void {
    const at = this.attrHead(type, 4);
    this.buf.writeInt32BE(v, at);
    this.attrEnd(4);
  }
  /** Opens a nested attribute; close(at) writes its length. */
  open(type: number): number {
    this.room(4);
    const at = this.len;
    put16(this.buf, at + 2, type | NLA_F_NESTED);
    this.len += 4;
    return at;
  }
  close(at: number): void {
    put16(this.buf, at, this.len - at);
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

interface ElementBatch {
  bytes: Uint8Array;
  /** Messages sent with NLM_F_ACK: the kernel answers each once. */
  acks: number;
  /** seq -> what that message does, to explain a refusal. */
  messages: Map<number, string>;
}

type ElementOp = Extract<NftOp, { op: 'flush-set' | 'add-elements' }>;
export const isElementOp = (o: NftOp): o is ElementOp => o.op === 'flush-set' || o.op === 'add-elements';

/**
 * The batch for these flushes and element additions on sets declared as
 * `specs` says (set name -> declaration); undefined if anything is outside
 * the encoder (the caller then uses nft).
 */
export function elementBatch(
  ops: ElementOp[],
  specs: ReadonlyMap<string, string>,
  firstSeq = 1,
): ElementBatch | undefined {
  if (endianness() !== 'LE') return undefined;
  const w = new NetlinkWriter();
  const messages = new Map<number, string>();
  let seq = firstSeq;
  // Few distinct verdicts lead to many elements (every Service of a pool goes to the same chain): encode each once.
  const verdicts = new Map<string, Uint8Array | undefined>();
  const verdictData = (v: string): Uint8Array | undefined => {
    if (verdicts.has(v)) return verdicts.get(v);
    const verdict = parseVerdict(v);
    let bytes: Uint8Array | undefined;
    if (verdict) {
      const d = new NetlinkWriter(64);
      const data = d.open(SET_ELEM_DATA);
      const vd = d.open(DATA_VERDICT);
      d.u32be(VERDICT_CODE, verdict.code);
      if (verdict.chain) d.string(VERDICT_CHAIN, verdict.chain);
      d.close(vd);
      d.close(data);
      bytes = d.bytes();
    }
    verdicts.set(v, bytes);
    return bytes;
  };
  w.end(w.begin(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq++, NFNL_SUBSYS_NFTABLES));
  const header = (type: number, flags: number, set: string, what: string): number => {
    messages.set(seq, what);
    const at = w.begin((NFNL_SUBSYS_NFTABLES << 8) | type, NLM_F_REQUEST | NLM_F_ACK | flags, seq++);
    w.string(SET_ELEM_LIST_TABLE, TABLE_NAME);
    w.string(SET_ELEM_LIST_SET, set);
    return at;
  };
  for (const o of ops) {
    if (o.op === 'flush-set') {
      w.end(header(NFT_MSG_DELSETELEM, 0, o.name, `flush ${o.kind} ${o.name}`));
      continue;
    }
    const spec = specs.get(o.set);
    const layout = spec === undefined ? undefined : setLayout(spec);
    if (!layout || (o.kind === 'map') !== (layout.data !== undefined)) return undefined;
    let i = 0;
    while (i < o.elements.length) {
      const msg = header(
        NFT_MSG_NEWSETELEM,
        NLM_F_CREATE,
        o.set,
        `add elements to ${o.set} (from ${o.elements[i]![0]})`,
      );
      const list = w.open(SET_ELEM_LIST_ELEMENTS);
      for (; i < o.elements.length && w.len - list < MAX_ELEMENTS_BYTES; i++) {
        const e = o.elements[i]!;
        const k = e[0],
          v = e[1];
        const el = w.open(LIST_ELEM);
        const keyAttr = w.open(SET_ELEM_KEY);
        if (!w.value(DATA_VALUE, layout.key, k)) return undefined;
        w.close(keyAttr);
        if (layout.data === 'verdict') {
          const data = verdictData(v);
          if (!data) return undefined;
          w.raw(data);
        } else if (layout.data) {
          const data = w.open(SET_ELEM_DATA);
          if (!w.value(DATA_VALUE, layout.data, v)) return undefined;
          w.close(data);
        } else if (v !== '') return undefined;
        w.close(el);
      }
      w.close(list);
      w.end(msg);
    }
  }
  w.end(w.begin(NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq++, NFNL_SUBSYS_NFTABLES));
  return { bytes: w.bytes(), acks: messages.size, messages };
}

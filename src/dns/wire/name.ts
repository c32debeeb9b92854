/**
 * Domain names on the wire: reading with safe decompression (only backward
 * pointers, a hop limit, label and name limits) and presentation-form
 * escaping (RFC 1035 5.1: "\." and "\DDD") so any label bytes round-trip.
 */
import { DnsEncodeError, DnsParseError, MAX_LABEL, MAX_NAME_WIRE } from './types.js';

/** Decoded name plus the offset right after it in the original stream (not where pointers led). */
interface ReadName {
  name: string;
  next: number;
}

/**
 * Reads a possibly compressed name at `offset`. A pointer must point strictly
 * before the label that holds it, which rules out loops and forward
 * references; the 255-byte limit bounds the work.
 */
export function readName(buf: Uint8Array, offset: number): ReadName {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  let wireLen = 1; // the final root byte
  // Lowest offset a pointer may target: strictly before the current label run.
  let limit = offset;
  for (;;) {
    if (pos >= buf.length) throw new DnsParseError('name runs past the end of the packet', pos);
    const len = buf[pos]!;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new DnsParseError('truncated compression pointer', pos);
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (target >= limit) throw new DnsParseError(`compression pointer to ${target} does not point backwards`, pos);
      if (next < 0) next = pos + 2;
      pos = target;
      limit = target;
      continue;
    }
    if (kind !== 0) throw new DnsParseError(`unsupported label type 0x${kind.toString(16)}`, pos);
    if (len > MAX_LABEL) throw new DnsParseError(`label longer than ${MAX_LABEL} bytes`, pos);
    if (pos + 1 + len > buf.length) throw new DnsParseError('label runs past the end of the packet', pos);
    wireLen += len + 1;
    if (wireLen > MAX_NAME_WIRE) throw new DnsParseError(`name longer than ${MAX_NAME_WIRE} bytes`, pos);
    labels.push(labelToText(buf, pos + 1, len));
    pos += 1 + len;
  }
  return { name: labels.join('.'), next };
}

function labelToText(buf: Uint8Array, start: number, len: number): string {
  let plain = true;
  for (let i = start; i < start + len; i++) {
    const c = buf[i]!;
    if (c <= 0x20 || c >= 0x7f || c === 0x2e || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return String.fromCharCode.apply(null, Array.from(buf.subarray(start, start + len)));
  let s = '';
  for (let i = start; i < start + len; i++) {
    const c = buf[i]!;
    if (c === 0x2e || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c <= 0x20 || c >= 0x7f) s += '\\' + c.toString().padStart(3, '0');
    else s += String.fromCharCode(c);
  }
  return s;
}

/** Splits a presentation name into label byte arrays, undoing escapes; "" and "." are the root. */
export function nameToLabels(name: string): Uint8Array[] {
  if (name === '' || name === '.') return [];
  if (name.endsWith('.') && !name.endsWith('\\.')) name = name.slice(0, -1);
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  let total = 1;
  const flush = () => {
    if (cur.length === 0) throw new DnsEncodeError(`empty label in name "${name}"`);
    if (cur.length > MAX_LABEL) throw new DnsEncodeError(`label longer than ${MAX_LABEL} bytes in "${name}"`);
    total += cur.length + 1;
    labels.push(Uint8Array.from(cur));
    cur = [];
  };
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch === 0x2e) {
      flush();
      continue;
    }
    if (ch === 0x5c) {
      const d = name.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(d)) {
        cur.push(Number(d) & 0xff);
        i += 3;
        continue;
      }
      if (i + 1 < name.length) {
        cur.push(name.charCodeAt(i + 1) & 0xff);
        i += 1;
        continue;
      }
      throw new DnsEncodeError(`dangling escape at the end of "${name}"`);
    }
    cur.push(ch & 0xff);
  }
  flush();
  if (total > MAX_NAME_WIRE)
    throw new DnsEncodeError(`name "${name}" is longer than ${MAX_NAME_WIRE} bytes on the wire`);
  return labels;
}

/** ASCII-only lowercasing, as DNS compares names (RFC 4343); leaves escapes and other bytes alone. */
export function lowerName(name: string): string {
  // Fast path: most names are already lowercase.
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return name.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return name;
}

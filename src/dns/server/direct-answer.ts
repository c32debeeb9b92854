/**
 * The most common question a cluster DNS gets, A or AAAA of
 * <svc>.<ns>.svc.<zone> for a ClusterIP Service, answered straight from
 * the request bytes and the Service table: no parse into objects, no
 * stored reply. The reply is byte for byte what the full path serializes
 * (handler.test.ts compares them), and anything else (other names, other
 * types, the Service missing or without an address of that family) is
 * left to the full path by returning undefined.
 */
import { RRType } from '../wire/types.js';
import { ClusterIpServices } from '../zone/cluster-ips.js';
import { clusterIPs } from '../zone/records.js';
import type { DnsService } from '../zone/objects.js';
import { SlimService } from '../zone/slim-service.js';
import { ipv6ToBytes } from '../wire/writer.js';
import { MAX_UDP, type QuestionKey } from './answer-cache.js';

const TYPE_A = RRType.A,
  TYPE_AAAA = RRType.AAAA;
const NONE: string[] = [];

export class DirectAnswers {
  /** "svc" + the zone's labels, lowercase, in wire form (length-prefixed labels and the root). */
  private readonly tail: Uint8Array;

  constructor(
    domain: string,
    private readonly ttl: number,
    private readonly services: ReadonlyMap<string, DnsService>,
  ) {
    const labels = ['svc', ...domain.split('.')];
    this.tail = Buffer.concat([
      ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
      Buffer.from([0]),
    ]);
  }

  /** The reply to `req` (whose simple shape `key` was read from), or undefined for the full path. */
  answer(req: Buffer, key: QuestionKey): Buffer | undefined {
    const qend = key.qend;
    const qtype = (req[qend - 4]! << 8) | req[qend - 3]!;
    if ((qtype !== TYPE_A && qtype !== TYPE_AAAA) || req[qend - 2] !== 0 || req[qend - 1] !== 1) return undefined;
    // Two labels, then exactly "svc.<zone>".
    const nameStart = 13,
      nameEnd = 13 + req[12]!;
    const nsLen = req[nameEnd]!;
    const nsStart = nameEnd + 1,
      nsEnd = nsStart + nsLen;
    const tailStart = nsEnd;
    if (nsLen === 0 || tailStart + this.tail.length !== qend - 4) return undefined;
    for (let i = 0; i < this.tail.length; i++) {
      const c = req[tailStart + i]!;
      if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== this.tail[i]) return undefined;
    }
    const name = label(req, nameStart, nameEnd),
      ns = label(req, nsStart, nsEnd);
    if (name === undefined || ns === undefined) return undefined;
    const svc = this.services.get(`${ns}/${name}`);
    if (!ClusterIpServices.handles(svc)) return undefined;
    const want = qtype === TYPE_A ? 4 : 16;
    // The common case without strings: a single IPv4 ClusterIP kept as an integer.
    const v4 = svc instanceof SlimService ? svc.ipv4 : undefined;
    // One IPv4 address stays a number: no array per query.
    const ips: number | readonly string[] =
      v4 !== undefined
        ? want === 4
          ? v4
          : NONE
        : clusterIPs(svc).filter((ip) => (ip.includes(':') ? 16 : 4) === want);
    const count = typeof ips === 'number' ? 1 : ips.length;
    if (!count) return undefined; // NODATA: the full path adds the SOA
    const edns = (key.shape & 3) !== 0;
    const out = Buffer.allocUnsafe(qend + count * (12 + want) + (edns ? 11 : 0));
    out[0] = req[0]!;
    out[1] = req[1]!;
    out[2] = 0x84 | (req[2]! & 0x01); // QR, AA, the request's RD
    out[3] = 0x80 | (req[3]! & 0x10); // RA, the request's CD, NOERROR
    out.writeUInt32BE(0x00010000 | count, 4); // QDCOUNT 1, ANCOUNT
    out.writeUInt32BE(edns ? 1 : 0, 8); // NSCOUNT 0, ARCOUNT
    for (let i = 12; i < qend; i++) out[i] = req[i]!; // the question (Buffer.copy allocates a view per call)
    let at = qend;
    if (typeof ips === 'number') at = this.writeAddress(out, at, qtype, want, ips);
    else for (const ip of ips) at = this.writeAddress(out, at, qtype, want, ip);
    if (edns) {
      // OPT: root owner, our payload size, extended RCODE 0, version 0, the request's DO bit, no options.
      out[at] = 0;
      out.writeUInt16BE(RRType.OPT, at + 1);
      out.writeUInt16BE(MAX_UDP, at + 3);
      out.writeUInt32BE((key.shape & 2) !== 0 ? 0x8000 : 0, at + 5);
      out.writeUInt16BE(0, at + 9);
    }
    return out;
  }

  /** One A or AAAA record owned by the question's name; returns where the next one starts. */
  private writeAddress(out: Buffer, at: number, qtype: number, want: number, ip: number | string): number {
    out.writeUInt32BE((0xc00c0000 | qtype) >>> 0, at); // the owner is the question's name (pointer to offset 12)
    out.writeUInt16BE(1, at + 4);
    out.writeUInt32BE(this.ttl >>> 0, at + 6);
    out.writeUInt16BE(want, at + 10);
    if (typeof ip === 'number') out.writeInt32BE(ip, at + 12);
    else if (want === 4) {
      const p = ip.split('.');
      for (let i = 0; i < 4; i++) out[at + 12 + i] = Number(p[i]);
    } else out.set(ipv6ToBytes(ip), at + 12);
    return at + 12 + want;
  }
}

/** A label as a lowercase string, or undefined when it holds bytes no Service or namespace name has. */
function label(req: Buffer, start: number, end: number): string | undefined {
  let upper = false;
  for (let i = start; i < end; i++) {
    const c = req[i]!;
    if (c >= 65 && c <= 90) upper = true;
    else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45)) return undefined;
  }
  const s = req.toString('latin1', start, end);
  return upper ? s.toLowerCase() : s;
}

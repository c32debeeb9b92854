/** EDNS0 (RFC 6891): the OPT pseudo-record's fields, read from and written into a message. */
import { RRType, type EdnsOption, type Message, type ResourceRecord } from './types.js';

export interface Edns {
  /** The requester's UDP payload size (values under 512 count as 512). */
  udpSize: number;
  version: number;
  /** DNSSEC OK bit. */
  dnssecOk: boolean;
  extendedRcode: number;
  options: EdnsOption[];
}

/** The message's EDNS data, or undefined without an OPT record. */
export function getEdns(msg: Message): Edns | undefined {
  const opt = msg.additionals.find((r) => r.type === RRType.OPT);
  if (!opt) return undefined;
  return {
    udpSize: Math.max(512, opt.class),
    version: (opt.ttl >>> 16) & 0xff,
    dnssecOk: (opt.ttl & 0x8000) !== 0,
    extendedRcode: opt.ttl >>> 24,
    options: opt.data as EdnsOption[],
  };
}

/** An OPT record advertising `udpSize`; set the DO bit back when the client set it. */
export function optRecord(
  udpSize: number,
  dnssecOk = false,
  extendedRcode = 0,
  options: EdnsOption[] = [],
): ResourceRecord {
  return {
    name: '',
    type: RRType.OPT,
    class: udpSize,
    ttl: (((extendedRcode & 0xff) << 24) | (dnssecOk ? 0x8000 : 0)) >>> 0,
    data: options,
  };
}

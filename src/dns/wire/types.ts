/** DNS message vocabulary: record types, classes, rcodes and the decoded message shape. */

export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const RRClass = { IN: 1, CH: 3, ANY: 255 } as const;

export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export const Opcode = { QUERY: 0 } as const;

export interface Question {
  /** Presentation form without the trailing dot; the root is "". Case as received. */
  name: string;
  type: number;
  class: number;
}

interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}
interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}
export interface EdnsOption {
  code: number;
  data: Uint8Array;
}

/**
 * One resource record. `data` by type: A/AAAA an address string; CNAME/NS/PTR
 * a name; SRV SrvData; SOA SoaData; TXT the character-strings; OPT the
 * options; any other type its raw bytes.
 */
export type ResourceRecord =
  | { name: string; type: 1 | 28; class: number; ttl: number; data: string }
  | { name: string; type: 2 | 5 | 12; class: number; ttl: number; data: string }
  | { name: string; type: 33; class: number; ttl: number; data: SrvData }
  | { name: string; type: 6; class: number; ttl: number; data: SoaData }
  | { name: string; type: 16; class: number; ttl: number; data: string[] }
  | { name: string; type: 41; class: number; ttl: number; data: EdnsOption[] }
  | { name: string; type: number; class: number; ttl: number; data: Uint8Array };

export interface Message {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  /** The low 4 bits of the rcode (extended rcode bits live in the OPT record's ttl). */
  rcode: number;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

/** A message with every flag off and empty sections. */
export function emptyMessage(id = 0): Message {
  return {
    id,
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    ad: false,
    cd: false,
    rcode: 0,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
  };
}

/** Thrown for any packet that is not a well-formed DNS message; the server answers FORMERR or drops. */
export class DnsParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`malformed DNS message at byte ${offset}: ${message}`);
  }
}

/** Thrown when a message cannot be encoded (a name or label too long, bad address). */
export class DnsEncodeError extends Error {}

export const MAX_NAME_WIRE = 255;
export const MAX_LABEL = 63;

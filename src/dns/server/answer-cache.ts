/**
 * Serialized cluster answers keyed on the raw question, so a repeat query
 * is answered without parsing it into objects: walk the header and the
 * question bytes once (hashing them ASCII-lowercased), find the stored
 * reply, copy it and patch the ID, RD/CD and the question's case.
 *
 * Only the common shape takes this path: a standard query with one
 * uncompressed question and either no EDNS or a bare OPT (version 0, no
 * options). Anything else returns undefined from `questionKey` and goes
 * through the full parser. Entries are whole replies with the question at
 * offset 12, so the stored reply is its own key (compared case-insensitively).
 */

/** The request's question hash plus what else shapes the reply (EDNS, DO bit, size limit). */
export interface QuestionKey {
  hash: number;
  /** EDNS: 0 none, else (DO ? 2 : 1) | (maxSize << 2); TCP without EDNS is its own shape. */
  shape: number;
  /** Offset just past QCLASS (end of the question). */
  qend: number;
}

/** The UDP payload size we accept from EDNS clients (DNS flag day 2020). */
export const MAX_UDP = 1232;

/** One key object reused across calls: the hot path allocates nothing to look up. */
const scratch: QuestionKey = { hash: 0, shape: 0, qend: 0 };

/**
 * Reads the header and question of `req` without allocating. Returns the
 * shared scratch key (valid until the next call), or undefined when the
 * request is not the simple shape the cache serves.
 */
export function questionKey(req: Uint8Array, tcp: boolean): QuestionKey | undefined {
  const n = req.length;
  // QR=0, opcode QUERY, QDCOUNT=1, ANCOUNT=NSCOUNT=0, ARCOUNT 0 or 1.
  if (
    n < 17 ||
    (req[2]! & 0xf8) !== 0 ||
    req[4] !== 0 ||
    req[5] !== 1 ||
    req[6] !== 0 ||
    req[7] !== 0 ||
    req[8] !== 0 ||
    req[9] !== 0 ||
    req[10] !== 0 ||
    req[11]! > 1
  )
    return undefined;
  let h = 0x811c9dc5; // FNV-1a
  let i = 12;
  for (;;) {
    if (i >= n) return undefined;
    const len = req[i]!;
    if (len === 0) break;
    if (len > 63 || i + 1 + len >= n) return undefined; // compression pointers, bad lengths: full parser
    h = Math.imul(h ^ len, 0x01000193);
    for (let j = i + 1; j <= i + len; j++) {
      let c = req[j]!;
      if (c >= 65 && c <= 90) c |= 0x20;
      h = Math.imul(h ^ c, 0x01000193);
    }
    i += 1 + len;
  }
  i++; // root label
  if (i + 4 > n) return undefined;
  for (let j = i; j < i + 4; j++) h = Math.imul(h ^ req[j]!, 0x01000193); // QTYPE, QCLASS
  const qend = i + 4;
  let shape = tcp ? 1 << 20 : 0;
  if (req[11] === 1) {
    // A bare OPT: root name, TYPE 41, CLASS = UDP size, TTL = ext-rcode/version/flags, RDLENGTH 0.
    if (
      n !== qend + 11 ||
      req[qend] !== 0 ||
      req[qend + 1] !== 0 ||
      req[qend + 2] !== 41 ||
      req[qend + 6] !== 0 ||
      req[qend + 9] !== 0 ||
      req[qend + 10] !== 0
    )
      return undefined;
    const udp = Math.max(512, (req[qend + 3]! << 8) | req[qend + 4]!);
    const dnssecOk = (req[qend + 7]! & 0x80) !== 0;
    const maxSize = tcp ? 65535 : Math.min(udp, MAX_UDP);
    shape = (dnssecOk ? 2 : 1) | (maxSize << 2);
  } else if (n !== qend) return undefined;
  scratch.hash = h | 0; // int32: a small-integer Map key, no heap number per lookup
  scratch.shape = shape;
  scratch.qend = qend;
  return scratch;
}

/** Replies are copied into chunks of this size; the largest reply kept is much smaller. */
const CHUNK = 256 * 1024;
/** Larger replies (big TCP answers) are rare and answered by the full path. */
export const MAX_CACHED_REPLY = 4096;

/**
 * The stored replies live in a few large chunks and the per-entry facts in
 * typed arrays, so an entry is its bytes plus ~20: a Buffer per entry (a
 * slice of Node's shared 8 KiB pool) pinned whole pools that were mostly
 * transient replies, ~680 B per entry at 100k names.
 */
export class AnswerCache {
  /** Question hash -> newest entry with it; older ones chain through `next`. */
  private readonly newest = new Map<number, number>();
  private next = new Int32Array(0);
  private shapeOf = new Int32Array(0);
  private qendOf = new Uint16Array(0);
  private lengthOf = new Uint16Array(0);
  /** chunk index * CHUNK + offset in the chunk. */
  private offsetOf = new Uint32Array(0);
  private chunks: Buffer[] = [];
  private used = CHUNK;
  private count = 0;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.newest.clear();
    this.count = 0;
    this.chunks = this.chunks.slice(0, 1); // keep one chunk for the refill; return the rest
    this.used = this.chunks.length ? 0 : CHUNK;
  }

  /**
   * The reply for `req` as a fresh buffer (ID, RD, CD and the question's
   * case taken from the request), or undefined on a miss.
   */
  answer(req: Uint8Array, key: QuestionKey): Buffer | undefined {
    for (let e = this.newest.get(key.hash) ?? -1; e >= 0; e = this.next[e]!) {
      if (this.shapeOf[e] !== key.shape || this.qendOf[e] !== key.qend) continue;
      const at = this.offsetOf[e]!;
      const chunk = this.chunks[Math.floor(at / CHUNK)]!;
      const start = at % CHUNK,
        length = this.lengthOf[e]!;
      if (!sameQuestion(req, chunk, start, key.qend)) continue;
      const out = Buffer.allocUnsafe(length);
      chunk.copy(out, 0, start, start + length);
      out[0] = req[0]!;
      out[1] = req[1]!;
      out[2] = (out[2]! & 0xfe) | (req[2]! & 0x01);
      out[3] = (out[3]! & 0xef) | (req[3]! & 0x10);
      for (let j = 12; j < key.qend - 4; j++) out[j] = req[j]!; // keep the question's case
      return out;
    }
    return undefined;
  }

  /** Stores a copy of `reply` (a serialized answer to the question `key` was read from); ignored once full or when too large. */
  set(key: QuestionKey, reply: Uint8Array): void {
    if (this.count >= this.maxEntries || reply.length > MAX_CACHED_REPLY) return;
    if (this.count === this.next.length) this.grow();
    if (this.used + reply.length > CHUNK) {
      this.chunks.push(Buffer.allocUnsafeSlow(CHUNK));
      this.used = 0;
    }
    const e = this.count++;
    const c = this.chunks.length - 1;
    this.chunks[c]!.set(reply, this.used);
    this.offsetOf[e] = c * CHUNK + this.used;
    this.lengthOf[e] = reply.length;
    this.used += reply.length;
    this.shapeOf[e] = key.shape;
    this.qendOf[e] = key.qend;
    this.next[e] = this.newest.get(key.hash) ?? -1;
    this.newest.set(key.hash, e);
  }

  private grow(): void {
    const size = Math.min(this.maxEntries, Math.max(1024, this.next.length * 2));
    const widen = <A extends Int32Array | Uint32Array | Uint16Array>(a: A, make: (n: number) => A): A => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.next = widen(this.next, (n) => new Int32Array(n));
    this.shapeOf = widen(this.shapeOf, (n) => new Int32Array(n));
    this.qendOf = widen(this.qendOf, (n) => new Uint16Array(n));
    this.lengthOf = widen(this.lengthOf, (n) => new Uint16Array(n));
    this.offsetOf = widen(this.offsetOf, (n) => new Uint32Array(n));
  }
}

/** The question bytes [12, qend) of the request and of the reply stored at `at` match: the name ASCII case folded, QTYPE and QCLASS exactly. */
function sameQuestion(req: Uint8Array, chunk: Uint8Array, at: number, qend: number): boolean {
  for (let i = qend - 4; i < qend; i++) if (req[i] !== chunk[at + i]) return false;
  for (let i = 12; i < qend - 4; i++) {
    const a = req[i]!,
      b = chunk[at + i]!;
    if (a === b) continue;
    const la = a | 0x20;
    if (la !== (b | 0x20) || la < 0x61 || la > 0x7a) return false;
  }
  return true;
}

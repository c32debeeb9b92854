/**
 * The answer cache for forwarded queries: positive answers for the
 * smallest TTL in them, negative ones (NXDOMAIN, NODATA) for the SOA's
 * min(TTL, MINIMUM) per RFC 2308, both capped; least recently used entries
 * go first when full. TTLs count down in what it returns.
 */
import { RRType, Rcode, type Message, type ResourceRecord } from '../wire/types.js';

export interface CacheOptions {
  maxEntries: number;
  maxTtl: number;
  maxNegativeTtl: number;
}

interface Entry {
  msg: Message;
  storedAt: number;
  expiresAt: number;
  /** NXDOMAIN or NODATA (CoreDNS's "denial" cache type), else "success". */
  denial: boolean;
}

export class AnswerCache {
  // A Map iterates in insertion order: re-inserting on hit makes it an LRU.
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly opts: CacheOptions,
    private readonly now: () => number = Date.now,
  ) {}

  private denials = 0;

  get size(): number {
    return this.entries.size;
  }

  /** Entries by CoreDNS's cache type. */
  counts(): { success: number; denial: number } {
    return { success: this.entries.size - this.denials, denial: this.denials };
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    if (e.denial) this.denials--;
  }

  /** The cached response with TTLs reduced by its age, or undefined. */
  get(key: string): Message | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const t = this.now();
    if (t >= e.expiresAt) {
      this.drop(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    const age = Math.floor((t - e.storedAt) / 1000);
    const dec = (rr: ResourceRecord) => ({ ...rr, ttl: Math.max(0, rr.ttl - age) });
    return {
      ...e.msg,
      answers: e.msg.answers.map(dec),
      authorities: e.msg.authorities.map(dec),
      additionals: e.msg.additionals.map(dec),
    };
  }

  /** Stores a response if it is cacheable (NOERROR or NXDOMAIN, not truncated, TTL > 0). */
  put(key: string, msg: Message): void {
    const ttl = this.ttlOf(msg);
    if (ttl === undefined || ttl <= 0) return;
    const t = this.now();
    this.drop(key);
    const denial = msg.rcode === Rcode.NXDOMAIN || msg.answers.length === 0;
    this.entries.set(key, {
      msg: { ...msg, additionals: msg.additionals.filter((r) => r.type !== RRType.OPT) },
      storedAt: t,
      expiresAt: t + ttl * 1000,
      denial,
    });
    if (denial) this.denials++;
    while (this.entries.size > this.opts.maxEntries) this.drop(this.entries.keys().next().value!);
  }

  private ttlOf(msg: Message): number | undefined {
    if (msg.tc || (msg.rcode !== Rcode.NOERROR && msg.rcode !== Rcode.NXDOMAIN)) return undefined;
    if (msg.rcode === Rcode.NOERROR && msg.answers.length) {
      return Math.min(this.opts.maxTtl, ...msg.answers.map((r) => r.ttl));
    }
    // Negative (RFC 2308 section 5): TTL from the SOA in authority; without one, do not cache.
    const soa = msg.authorities.find((r) => r.type === RRType.SOA);
    if (!soa) return undefined;
    const minimum = (soa.data as { minimum: number }).minimum;
    return Math.min(this.opts.maxNegativeTtl, soa.ttl, minimum);
  }
}

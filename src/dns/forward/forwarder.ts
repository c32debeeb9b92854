/**
 * Forwards questions outside the cluster to upstream resolvers: cache
 * first, then each upstream in turn over UDP (TCP when the reply is
 * truncated or the client came over TCP), all within one deadline after
 * which the answer is SERVFAIL — a client never waits longer than that.
 */
import { randomInt } from 'node:crypto';
import { getEdns, optRecord } from '../wire/edns.js';
import { lowerName } from '../wire/name.js';
import { parseMessage, serializeMessage } from '../wire/message.js';
import { emptyMessage, Rcode, type Message, type Question } from '../wire/types.js';
import { AnswerCache, type CacheOptions } from './cache.js';
import { exchangeTcp, exchangeUdp, type Upstream } from './upstream.js';

export interface ForwarderOptions {
  upstreams: Upstream[];
  /** Whole budget for one question across upstreams and retries (default 2000 ms). */
  deadlineMs?: number;
  /** Per-attempt timeout (default 700 ms). */
  attemptMs?: number;
  cache?: Partial<CacheOptions>;
  /** Called for every exchange an upstream answered (its ip:port, the rcode, seconds). */
  onExchange?: (to: string, rcode: number, seconds: number) => void;
}

export interface ForwardResult {
  msg: Message;
  cacheHit: boolean;
}

/** The UDP payload size we advertise upstream (the DNS flag day 2020 value). */
const EDNS_SIZE = 1232;

export class Forwarder {
  readonly cache: AnswerCache;
  private readonly deadlineMs: number;
  private readonly attemptMs: number;
  private next = 0;

  constructor(private readonly opts: ForwarderOptions) {
    this.cache = new AnswerCache({ maxEntries: 10_000, maxTtl: 3600, maxNegativeTtl: 300, ...opts.cache });
    this.deadlineMs = opts.deadlineMs ?? 2000;
    this.attemptMs = opts.attemptMs ?? 700;
  }

  /**
   * Resolves one question upstream. `request` supplies RD/CD and the
   * client's EDNS (DO bit, options), passed through. Never rejects: failure
   * is a SERVFAIL message.
   */
  async resolve(q: Question, request: Message, tcp: boolean): Promise<ForwardResult> {
    const edns = getEdns(request);
    const key = `${lowerName(q.name)}|${q.type}|${q.class}|${edns?.dnssecOk ? 1 : 0}|${request.cd ? 1 : 0}`;
    const hit = this.cache.get(key);
    if (hit) return { msg: hit, cacheHit: true };
    const query = emptyMessage(randomInt(0, 0x10000));
    query.rd = request.rd;
    query.cd = request.cd;
    query.questions.push(q);
    query.additionals.push(optRecord(EDNS_SIZE, edns?.dnssecOk ?? false, 0, edns?.options ?? []));
    const bytes = serializeMessage(query);
    const started = Date.now();
    const errors: string[] = [];
    for (let i = 0; i < Math.max(1, this.opts.upstreams.length * 2); i++) {
      const left = this.deadlineMs - (Date.now() - started);
      if (left <= 0 || !this.opts.upstreams.length) break;
      const up = this.opts.upstreams[(this.next + i) % this.opts.upstreams.length]!;
      try {
        const t0 = performance.now();
        let reply = parseMessage(
          tcp
            ? await exchangeTcp(up, bytes, Math.min(this.attemptMs, left))
            : await exchangeUdp(up, bytes, Math.min(this.attemptMs, left)),
        );
        if (reply.tc && !tcp) {
          reply = parseMessage(
            await exchangeTcp(
              up,
              bytes,
              Math.max(1, Math.min(this.attemptMs, this.deadlineMs - (Date.now() - started))),
            ),
          );
        }
        this.opts.onExchange?.(`${up.host}:${up.port}`, reply.rcode, (performance.now() - t0) / 1000);
        if (reply.rcode === Rcode.SERVFAIL || reply.rcode === Rcode.REFUSED) {
          errors.push(`${up.host}: ${reply.rcode}`);
          continue;
        }
        this.next = (this.next + i) % this.opts.upstreams.length; // stick with the one that answered
        this.cache.put(key, reply);
        return { msg: reply, cacheHit: false };
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    const fail = emptyMessage(query.id);
    fail.qr = true;
    fail.rcode = Rcode.SERVFAIL;
    fail.questions.push(q);
    this.lastError = errors.length
      ? errors.join('; ')
      : 'no upstream resolvers configured (--upstream, or nameservers in /etc/resolv.conf)';
    return { msg: fail, cacheHit: false };
  }

  /** The most recent reason forwarding failed (logged by the server, rate limited). */
  lastError = '';
}

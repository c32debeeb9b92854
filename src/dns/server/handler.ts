/**
 * Request bytes in, response bytes out (or nothing: drop). Checks the
 * request, answers from the cluster tables or the forwarder, keeps the
 * question's case, sizes the reply for the transport. Cluster answers are
 * kept serialized until the tables change: `answerFast` serves repeats of
 * the common query shape straight from the request bytes (answer-cache.ts);
 * other shapes and namespace-dependent answers use a cache keyed on the
 * parsed question (name, type, EDNS shape[, namespace]).
 */
import { AnswerCache, MAX_UDP, questionKey } from './answer-cache.js';
import { DirectAnswers } from './direct-answer.js';
import { getEdns, optRecord } from '../wire/edns.js';
import { lowerName } from '../wire/name.js';
import { parseMessage, serializeMessage } from '../wire/message.js';
import { DnsParseError, Opcode, RRClass, RRType, Rcode, type Message } from '../wire/types.js';
import type { DnsState } from '../state.js';
import type { Forwarder } from '../forward/forwarder.js';
import { Plugin, type DnsMetrics } from './metrics.js';

export interface HandlerDeps {
  state: DnsState;
  forwarder: Forwarder;
  metrics: DnsMetrics;
  /** True once the informer caches synced; before, cluster questions get SERVFAIL, never a wrong NXDOMAIN. */
  synced: () => boolean;
  /** Cluster answers cached serialized (bounded; cleared on every table change). */
  answerCacheSize?: number;
  /** Entries of the raw-question cache behind answerFast (default 200,000: every name of a large cluster). */
  fastCacheSize?: number;
}

export class DnsHandler {
  private answerCache = new Map<string, Buffer>();
  private answerGeneration = -1;
  private readonly answerCacheSize: number;
  private readonly fast: AnswerCache;
  private fastGeneration = -1;
  private readonly direct: DirectAnswers;

  constructor(private readonly d: HandlerDeps) {
    this.answerCacheSize = d.answerCacheSize ?? 50_000;
    this.fast = new AnswerCache(d.fastCacheSize ?? 200_000);
    this.direct = new DirectAnswers(d.state.cfg.domain, d.state.cfg.ttl, d.state.services);
  }

  /**
   * The reply to a ClusterIP Service's A/AAAA question or to a repeat of a
   * cached cluster question, synchronously and without parsing; undefined
   * means "call handle()".
   */
  answerFast(req: Buffer, tcp: boolean): Buffer | undefined {
    const started = performance.now();
    const gen = this.d.state.answerGeneration;
    if (this.fastGeneration !== gen) {
      this.fast.clear();
      this.fastGeneration = gen;
    }
    const key = questionKey(req, tcp);
    if (!key) return undefined;
    let out = this.d.synced() ? this.direct.answer(req, key) : undefined;
    const m = this.d.metrics;
    let plugin: number = Plugin.kubernetes;
    if (!out && this.fast.size > 0) {
      out = this.fast.answer(req, key);
      if (out) {
        m.answerCacheHits++;
        plugin = Plugin.cache;
      }
    }
    if (!out) return undefined;
    const qtype = (req[key.qend - 4]! << 8) | req[key.qend - 3]!;
    m.request(tcp ? 'tcp' : 'udp', qtype);
    m.response(out[3]! & 0xf, (performance.now() - started) / 1000, qtype, plugin);
    return out;
  }

  async handle(req: Buffer, clientIp: string, tcp: boolean): Promise<Buffer | undefined> {
    const started = process.hrtime.bigint();
    let msg: Message;
    try {
      msg = parseMessage(req);
    } catch (e) {
      if (!(e instanceof DnsParseError)) throw e;
      this.d.metrics.malformed++;
      // Answer FORMERR only to something that looks like a query (12+ bytes, QR clear); drop the rest.
      if (req.length < 12 || (req[2]! & 0x80) !== 0) return undefined;
      const h = Buffer.alloc(12);
      h.writeUInt16BE(req.readUInt16BE(0), 0);
      h[2] = 0x80 | (req[2]! & 0x79);
      h[3] = Rcode.FORMERR;
      return h;
    }
    if (msg.qr) return undefined; // never answer a response (reflection)
    const q = msg.questions[0];
    this.d.metrics.request(tcp ? 'tcp' : 'udp', q?.type ?? 0);
    const edns = getEdns(msg);
    const maxSize = tcp ? 65535 : edns ? Math.min(edns.udpSize, MAX_UDP) : 512;
    const qtype = q?.type ?? 0;
    const reply = (rcode: number, body?: Partial<Message>, extRcode = 0, plugin: number = Plugin.server): Buffer => {
      const r: Message = {
        id: msg.id,
        qr: true,
        opcode: msg.opcode,
        aa: false,
        tc: false,
        rd: msg.rd,
        ra: true,
        ad: false,
        cd: msg.cd,
        rcode,
        questions: msg.questions.slice(0, 1),
        answers: [],
        authorities: [],
        additionals: [],
        ...body,
      };
      if (edns)
        r.additionals = [
          ...r.additionals.filter((x) => x.type !== RRType.OPT),
          optRecord(MAX_UDP, edns.dnssecOk, extRcode),
        ];
      return this.done(serializeMessage(r, { maxSize }), rcode, started, qtype, plugin);
    };

    if (msg.opcode !== Opcode.QUERY) return reply(Rcode.NOTIMP, { questions: [] });
    if (!q || msg.questions.length !== 1) return reply(Rcode.FORMERR);
    if (edns && edns.version > 0) return reply(0, {}, 1); // BADVERS (16) = extended 1 << 4
    if (q.class !== RRClass.IN && q.class !== RRClass.ANY) return reply(Rcode.REFUSED);
    if (q.type === RRType.AXFR || q.type === RRType.IXFR) return reply(Rcode.REFUSED);
    if (!this.d.synced()) return reply(Rcode.SERVFAIL);

    const clientNs = this.d.state.pods.namespaceOf(clientIp);
    const lname = lowerName(q.name);
    const shape = `${q.type}|${q.class}|${edns ? `${edns.dnssecOk ? 'D' : 'E'}${maxSize}` : tcp ? 'T' : 'U'}`;
    if (this.answerGeneration !== this.d.state.generation) {
      this.answerCache.clear();
      this.answerGeneration = this.d.state.generation;
    }
    const cached =
      this.answerCache.get(`${lname}|${shape}`) ??
      (clientNs !== undefined ? this.answerCache.get(`${lname}|${shape}|${clientNs}`) : undefined);
    if (cached && sameQname(req, cached)) {
      const out = Buffer.from(cached);
      out.writeUInt16BE(msg.id, 0);
      out[2] = (out[2]! & 0xfe) | (msg.rd ? 1 : 0);
      out[3] = (out[3]! & 0xef) | (msg.cd ? 0x10 : 0);
      // Keep the question's case: the cached reply has the same name (case-insensitively) at the same offset.
      req.copy(out, 12, 12, 12 + qnameWireLength(cached));
      this.d.metrics.answerCacheHits++;
      return this.done(out, out[3] & 0xf, started, qtype, Plugin.cache);
    }

    const res = this.d.state.resolver.resolve(q, clientNs);
    if (res.kind === 'local') {
      let body: Partial<Message> = {
        aa: res.aa,
        answers: res.answers,
        authorities: res.authorities,
        additionals: res.additionals,
      };
      let rcode = res.rcode;
      if (res.chase) {
        // ExternalName pointing outside the zone: our CNAME(s), then what upstream says for the target.
        const { msg: up } = await this.forward(res.chase, msg, tcp);
        rcode = up.rcode;
        body = { aa: false, answers: [...res.answers, ...up.answers], authorities: up.authorities, additionals: [] };
        return reply(rcode, body, 0, Plugin.kubernetes);
      }
      const out = reply(rcode, body, 0, Plugin.kubernetes);
      if (out[2]! & 0x02) return out; // truncated: the client retries over TCP
      if (!res.viewDependent) {
        // The same for every client: the raw-question cache serves its repeats when the request has the common shape.
        const key = questionKey(req, tcp);
        if (key) {
          if (this.fastGeneration === this.d.state.answerGeneration) this.fast.set(key, out);
          return out;
        }
      }
      const cacheable = this.answerCache.size < this.answerCacheSize && (!res.viewDependent || clientNs !== undefined);
      // Exact-size copy: `out` is a view of the serializer's larger buffer.
      if (cacheable)
        this.answerCache.set(
          res.viewDependent ? `${lname}|${shape}|${clientNs}` : `${lname}|${shape}`,
          Buffer.from(out),
        );
      return out;
    }
    const up = await this.forward(q, msg, tcp);
    return reply(
      up.msg.rcode,
      {
        aa: false,
        answers: up.msg.answers,
        authorities: up.msg.authorities,
        additionals: up.msg.additionals.filter((r) => r.type !== RRType.OPT),
      },
      0,
      up.cacheHit ? Plugin.cache : Plugin.forward,
    );
  }

  private async forward(
    q: Message['questions'][number],
    msg: Message,
    tcp: boolean,
  ): Promise<{ msg: Message; cacheHit: boolean }> {
    const r = await this.d.forwarder.resolve(q, msg, tcp);
    const m = r.msg;
    const denial = m.rcode === Rcode.NXDOMAIN || (m.rcode === Rcode.NOERROR && m.answers.length === 0);
    this.d.metrics.cacheLookup(r.cacheHit ? (denial ? 'denial' : 'success') : undefined);
    if (!r.cacheHit && m.rcode === Rcode.SERVFAIL) this.d.metrics.forwardBroken++;
    return r;
  }

  private done(out: Buffer, rcode: number, started: bigint, qtype: number, plugin: number): Buffer {
    this.d.metrics.response(rcode, Number(process.hrtime.bigint() - started) / 1e9, qtype, plugin);
    return out;
  }
}

/** Bytes of the first question name at offset 12 in a message we serialized (never compressed there). */
function qnameWireLength(msg: Buffer): number {
  let i = 12;
  while (i < msg.length && msg[i] !== 0) i += msg[i]! + 1;
  return i + 1 - 12;
}

/** The request's question name is byte-for-byte the cached one, ASCII case folded (so it can be copied over). */
function sameQname(req: Buffer, cached: Buffer): boolean {
  const n = qnameWireLength(cached);
  if (req.length < 12 + n) return false;
  for (let i = 12; i < 12 + n; i++) {
    const a = req[i]!,
      b = cached[i]!;
    if (a !== b && ((a | 0x20) !== (b | 0x20) || (a | 0x20) < 0x61 || (a | 0x20) > 0x7a)) return false;
  }
  return true;
}

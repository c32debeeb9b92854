/**
 * Fuzz the parser: random packets and mutations of valid ones must either
 * parse (and then re-serialize) or throw DnsParseError — never anything
 * else, never hang. Deterministic seed so CI failures reproduce.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, serializeMessage } from './message.js';
import { DnsEncodeError, DnsParseError, emptyMessage, RRType } from './types.js';
import { optRecord } from './edns.js';

/** mulberry32: small, seedable, good enough for fuzzing. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seeds(): Buffer[] {
  const q = emptyMessage(7);
  q.questions.push({ name: 'web.default.svc.cluster.local', type: RRType.A, class: 1 });
  q.additionals.push(optRecord(4096));
  const r = emptyMessage(7);
  r.qr = true;
  r.questions.push({ name: '_http._tcp.web.default.svc.cluster.local', type: RRType.SRV, class: 1 });
  r.answers.push({
    name: '_http._tcp.web.default.svc.cluster.local',
    type: RRType.SRV,
    class: 1,
    ttl: 5,
    data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' },
  });
  r.answers.push({
    name: 'web.default.svc.cluster.local',
    type: RRType.CNAME,
    class: 1,
    ttl: 5,
    data: 'x.default.svc.cluster.local',
  });
  r.authorities.push({
    name: 'cluster.local',
    type: RRType.SOA,
    class: 1,
    ttl: 5,
    data: {
      mname: 'ns.dns.cluster.local',
      rname: 'hostmaster.cluster.local',
      serial: 1,
      refresh: 2,
      retry: 3,
      expire: 4,
      minimum: 5,
    },
  });
  r.additionals.push({ name: 'web.default.svc.cluster.local', type: RRType.TXT, class: 1, ttl: 5, data: ['hello'] });
  r.additionals.push({ name: 'web.default.svc.cluster.local', type: RRType.AAAA, class: 1, ttl: 5, data: 'fd00::1' });
  return [serializeMessage(q), serializeMessage(r)];
}

function check(bytes: Buffer): 'ok' | 'rejected' {
  try {
    const m = parseMessage(bytes);
    try {
      parseMessage(serializeMessage(m));
    } catch (e) {
      // Parsed input may hold names that cannot be re-encoded identically (e.g. an empty label); that must be a typed error.
      if (!(e instanceof DnsEncodeError) && !(e instanceof DnsParseError)) throw e;
    }
    return 'ok';
  } catch (e) {
    if (e instanceof DnsParseError) return 'rejected';
    throw new Error(`parser threw ${String(e)} for ${bytes.toString('hex')}`, { cause: e });
  }
}

test('fuzz: random and mutated packets parse or fail with DnsParseError', () => {
  const rand = rng(0x5eed);
  const base = seeds();
  const counts = { ok: 0, rejected: 0 };
  const started = Date.now();
  for (let i = 0; i < 5000; i++) {
    let bytes: Buffer;
    if (i % 3 === 0) {
      bytes = Buffer.alloc(Math.floor(rand() * 300));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
      if (bytes.length >= 12 && rand() < 0.7)
        for (let j = 4; j < 12; j++) bytes[j] = rand() < 0.8 ? 0 : Math.floor(rand() * 4);
    } else {
      bytes = Buffer.from(base[i % base.length]!);
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) {
        const at = Math.floor(rand() * bytes.length);
        const op = rand();
        if (op < 0.5) bytes[at] = Math.floor(rand() * 256);
        else if (op < 0.7)
          bytes[at] = 0xc0 | Math.floor(rand() * 4); // pointer bytes
        else if (op < 0.85) bytes = bytes.subarray(0, at);
        else bytes[at] = 63 + Math.floor(rand() * 3);
      }
    }
    counts[check(bytes)]++;
  }
  assert.ok(counts.ok > 100 && counts.rejected > 100, `both outcomes exercised: ${JSON.stringify(counts)}`);
  assert.ok(Date.now() - started < 20_000, 'no pathological slowness');
});

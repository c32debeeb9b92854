import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsState } from '../state.js';
import { Forwarder } from '../forward/forwarder.js';
import { DnsHandler } from './handler.js';
import { DnsMetrics } from './metrics.js';
import { startFakeUpstream } from '../testing/fake-upstream.js';
import { parseMessage, serializeMessage } from '../wire/message.js';
import { emptyMessage, RRType, Rcode } from '../wire/types.js';

function q(name: string, type: number = RRType.A): Buffer {
  const m = emptyMessage(99);
  m.rd = true;
  m.questions.push({ name, type, class: 1 });
  return serializeMessage(m);
}

function handler(synced: boolean, forwarder = new Forwarder({ upstreams: [] })) {
  const state = new DnsState({ domain: 'cluster.local', ttl: 5, podRecords: 'disabled' });
  state.setService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.20' } });
  return new DnsHandler({ state, forwarder, metrics: new DnsMetrics(), synced: () => synced });
}

test('before the informer caches sync: SERVFAIL, never NXDOMAIN', async () => {
  const h = handler(false);
  for (const name of ['web.default.svc.cluster.local', 'nope.default.svc.cluster.local']) {
    const r = parseMessage((await h.handle(q(name), '10.0.0.1', false))!);
    assert.equal(r.rcode, Rcode.SERVFAIL, name);
  }
  const ready = parseMessage((await handler(true).handle(q('web.default.svc.cluster.local'), '10.0.0.1', false))!);
  assert.equal(ready.rcode, Rcode.NOERROR);
});

test('upstream down (nothing listening) -> SERVFAIL quickly', async () => {
  const h = handler(true, new Forwarder({ upstreams: [{ host: '127.0.0.1', port: 9 }], deadlineMs: 2000 }));
  const t0 = Date.now();
  const r = parseMessage((await h.handle(q('example.test'), '10.0.0.1', false))!);
  assert.equal(r.rcode, Rcode.SERVFAIL);
  assert.ok(Date.now() - t0 < 5000, `answered in ${Date.now() - t0} ms`);
});

test('upstream silent (drops everything) -> SERVFAIL within the deadline, not a hang', async () => {
  const up = await startFakeUpstream('127.0.0.54', []);
  up.silent = true;
  try {
    const h = handler(true, new Forwarder({ upstreams: [{ host: up.host, port: up.port }], deadlineMs: 1500, attemptMs: 500 }));
    const t0 = Date.now();
    const r = parseMessage((await h.handle(q('example.test'), '10.0.0.1', false))!);
    const took = Date.now() - t0;
    assert.equal(r.rcode, Rcode.SERVFAIL);
    assert.ok(up.udpQueries >= 2, 'retried');
    assert.ok(took < 5000, `answered in ${took} ms`);
  } finally {
    await up.close();
  }
});

test('responses are never answered; non-QUERY opcodes get NOTIMP; multiple questions FORMERR', async () => {
  const h = handler(true);
  const resp = Buffer.from(q('web.default.svc.cluster.local'));
  resp[2]! |= 0x80;
  assert.equal(await h.handle(resp, '10.0.0.1', false), undefined);
  const notify = Buffer.from(q('cluster.local'));
  notify[2] = (notify[2]! & 0x87) | (4 << 3);
  assert.equal(parseMessage((await h.handle(notify, '10.0.0.1', false))!).rcode, Rcode.NOTIMP);
  const two = emptyMessage(5);
  two.questions.push({ name: 'a.test', type: 1, class: 1 }, { name: 'b.test', type: 1, class: 1 });
  assert.equal(parseMessage((await h.handle(serializeMessage(two), '10.0.0.1', false))!).rcode, Rcode.FORMERR);
});

test('repeat queries come from the answer cache with the new ID and question case', async () => {
  const h = handler(true);
  await h.handle(q('web.default.svc.cluster.local'), '10.0.0.1', false);
  const again = Buffer.from(q('WEB.default.svc.cluster.local'));
  again.writeUInt16BE(1234, 0);
  const r = parseMessage((await h.handle(again, '10.0.0.1', false))!);
  assert.equal(r.id, 1234);
  assert.equal(r.questions[0]!.name, 'WEB.default.svc.cluster.local');
  assert.equal(r.answers[0]!.name, 'WEB.default.svc.cluster.local');
  assert.equal(r.answers[0]!.data, '10.96.0.20');
});

test('answerFast: repeats served from the raw question (ID, RD, case, type, EDNS shape), dropped on any table change', async () => {
  const state = new DnsState({ domain: 'cluster.local', ttl: 5, podRecords: 'disabled' });
  const svc = (ip: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: ip } });
  state.setService(svc('10.96.0.20'));
  const h = new DnsHandler({ state, forwarder: new Forwarder({ upstreams: [] }), metrics: new DnsMetrics(), synced: () => true });
  const name = 'web.default.svc.cluster.local';
  assert.equal(h.answerFast(q(name), false), undefined, 'nothing cached yet');
  await h.handle(q(name), '10.0.0.1', false);

  const again = Buffer.from(q('Web.DEFAULT.svc.cluster.local'));
  again.writeUInt16BE(4321, 0);
  again[2] = again[2]! & 0xfe; // RD off
  const hit = h.answerFast(again, false);
  assert.ok(hit, 'served from the raw-question cache');
  const r = parseMessage(hit);
  assert.equal(r.id, 4321);
  assert.equal(r.rd, false);
  assert.equal(r.questions[0]!.name, 'Web.DEFAULT.svc.cluster.local');
  assert.equal(r.answers[0]!.data, '10.96.0.20');

  assert.equal(h.answerFast(q(name, RRType.AAAA), false), undefined, 'another type is another question');
  const edns = emptyMessage(7);
  edns.questions.push({ name, type: RRType.A, class: 1 });
  edns.additionals.push({ name: '', type: RRType.OPT, class: 4096, ttl: 0, data: [] });
  assert.equal(h.answerFast(serializeMessage(edns), false), undefined, 'an EDNS query is another shape');
  await h.handle(serializeMessage(edns), '10.0.0.1', false);
  const ednsHit = h.answerFast(serializeMessage(edns), false);
  assert.ok(ednsHit);
  assert.equal(parseMessage(ednsHit).additionals.find((x) => x.type === RRType.OPT)?.class, 1232, 'our EDNS size, from the EDNS-shaped entry');

  state.setService(svc('10.96.0.21'));
  assert.equal(h.answerFast(q(name), false), undefined, 'a table change empties the cache');
  const fresh = parseMessage((await h.handle(q(name), '10.0.0.1', false))!);
  assert.equal(fresh.answers[0]!.data, '10.96.0.21');
  assert.equal(parseMessage(h.answerFast(q(name), false)!).answers[0]!.data, '10.96.0.21');
  const truncatedName = Buffer.from(q(name)).subarray(0, 20);
  assert.equal(h.answerFast(truncatedName, false), undefined, 'a cut-off question never matches');
});

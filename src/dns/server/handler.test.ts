import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsState } from '../state.js';
import { Forwarder } from '../forward/forwarder.js';
import { DnsHandler } from './handler.js';
import { slimService } from '../zone/slim.js';
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
  state.setService({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { clusterIP: '10.96.0.20' },
  });
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
    const h = handler(
      true,
      new Forwarder({ upstreams: [{ host: up.host, port: up.port }], deadlineMs: 1500, attemptMs: 500 }),
    );
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
  // SRV: not a question the direct path answers, so repeats come from the cache.
  const svc = (port: number) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port }] },
  });
  state.setService(svc(80));
  const h = new DnsHandler({
    state,
    forwarder: new Forwarder({ upstreams: [] }),
    metrics: new DnsMetrics(),
    synced: () => true,
  });
  const name = '_http._tcp.web.default.svc.cluster.local';
  const port = (reply: Buffer) => (parseMessage(reply).answers[0]!.data as { port: number }).port;
  assert.equal(h.answerFast(q(name, RRType.SRV), false), undefined, 'nothing cached yet');
  await h.handle(q(name, RRType.SRV), '10.0.0.1', false);

  const again = Buffer.from(q('_HTTP._tcp.Web.DEFAULT.svc.cluster.local', RRType.SRV));
  again.writeUInt16BE(4321, 0);
  again[2] = again[2]! & 0xfe; // RD off
  const hit = h.answerFast(again, false);
  assert.ok(hit, 'served from the raw-question cache');
  const r = parseMessage(hit);
  assert.equal(r.id, 4321);
  assert.equal(r.rd, false);
  assert.equal(r.questions[0]!.name, '_HTTP._tcp.Web.DEFAULT.svc.cluster.local');
  assert.equal(port(hit), 80);

  assert.equal(h.answerFast(q(name, RRType.TXT), false), undefined, 'another type is another question');
  const edns = emptyMessage(7);
  edns.questions.push({ name, type: RRType.SRV, class: 1 });
  edns.additionals.push({ name: '', type: RRType.OPT, class: 4096, ttl: 0, data: [] });
  assert.equal(h.answerFast(serializeMessage(edns), false), undefined, 'an EDNS query is another shape');
  await h.handle(serializeMessage(edns), '10.0.0.1', false);
  const ednsHit = h.answerFast(serializeMessage(edns), false);
  assert.ok(ednsHit);
  assert.equal(
    parseMessage(ednsHit).additionals.find((x) => x.type === RRType.OPT)?.class,
    1232,
    'our EDNS size, from the EDNS-shaped entry',
  );

  state.setService(svc(81));
  assert.equal(h.answerFast(q(name, RRType.SRV), false), undefined, 'a table change empties the cache');
  assert.equal(port((await h.handle(q(name, RRType.SRV), '10.0.0.1', false))!), 81);
  assert.equal(port(h.answerFast(q(name, RRType.SRV), false)!), 81);
  const truncatedName = Buffer.from(q(name, RRType.SRV)).subarray(0, 20);
  assert.equal(h.answerFast(truncatedName, false), undefined, 'a cut-off question never matches');
});

test('direct answers for ClusterIP Services are byte for byte what the full path sends', async () => {
  const state = new DnsState({ domain: 'cluster.local', ttl: 5, podRecords: 'disabled' });
  // Through the informer's transform, as podnet dns holds them (an IPv4 ClusterIP as an integer).
  const add = (name: string, spec: object) =>
    state.setService(slimService({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec }));
  add('web', { clusterIP: '10.96.200.1' });
  add('dual', { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', 'fd00::5'] });
  add('six', { clusterIP: 'fd00::6', clusterIPs: ['fd00::6'] });
  add('db', { clusterIP: 'None' });
  const h = new DnsHandler({
    state,
    forwarder: new Forwarder({ upstreams: [] }),
    metrics: new DnsMetrics(),
    synced: () => true,
  });
  const withEdns = (name: string, type: number, dnssecOk: boolean) => {
    const m = emptyMessage(77);
    m.rd = true;
    m.questions.push({ name, type, class: 1 });
    m.additionals.push({ name: '', type: RRType.OPT, class: 4096, ttl: dnssecOk ? 0x8000 : 0, data: [] });
    return serializeMessage(m);
  };
  const answered: [string, Buffer, boolean][] = [
    ['A', q('web.shop.svc.cluster.local'), false],
    ['A over TCP', q('web.shop.svc.cluster.local'), true],
    ['A, EDNS', withEdns('web.shop.svc.cluster.local', RRType.A, false), false],
    ['A, EDNS with DO', withEdns('web.shop.svc.cluster.local', RRType.A, true), false],
    ['dual-stack A', q('dual.shop.svc.cluster.local'), false],
    ['dual-stack AAAA', q('dual.shop.svc.cluster.local', RRType.AAAA), false],
    ['IPv6 AAAA, EDNS', withEdns('six.shop.svc.cluster.local', RRType.AAAA, false), false],
  ];
  for (const [what, req, tcp] of answered) {
    const direct = h.answerFast(req, tcp);
    assert.ok(direct, `${what}: answered directly`);
    assert.equal(direct.toString('hex'), (await h.handle(req, '10.0.0.1', tcp))!.toString('hex'), what);
  }
  const mixed = q('Web.SHOP.svc.Cluster.local');
  const r = parseMessage(h.answerFast(mixed, false)!);
  assert.equal(r.questions[0]!.name, 'Web.SHOP.svc.Cluster.local');
  assert.deepEqual([r.aa, r.rcode, r.answers.map((a) => a.data)], [true, Rcode.NOERROR, ['10.96.200.1']]);
  // Left to the full path: NODATA, headless, unknown Services, names outside the pattern, other types.
  for (const req of [
    q('web.shop.svc.cluster.local', RRType.AAAA),
    q('db.shop.svc.cluster.local'),
    q('nope.shop.svc.cluster.local'),
    q('x.web.shop.svc.cluster.local'),
    q('web.shop.svc.cluster.localx'),
    q('web_1.shop.svc.cluster.local'),
    q('web.shop.svc.cluster.local', RRType.TXT),
  ]) {
    assert.equal(h.answerFast(req, false), undefined, parseMessage(req).questions[0]!.name);
  }
  const notSynced = new DnsHandler({
    state,
    forwarder: new Forwarder({ upstreams: [] }),
    metrics: new DnsMetrics(),
    synced: () => false,
  });
  assert.equal(
    notSynced.answerFast(q('web.shop.svc.cluster.local'), false),
    undefined,
    'before sync: the full path (SERVFAIL)',
  );
});

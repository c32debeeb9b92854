import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, serializeMessage } from './message.js';
import { getEdns, optRecord } from './edns.js';
import { lowerName, nameToLabels } from './name.js';
import { bytesToIpv6, ipv6ToBytes } from './writer.js';
import { DnsParseError, emptyMessage, RRType, type Message } from './types.js';

const IN = 1;

function sample(): Message {
  const m = emptyMessage(0xbeef);
  Object.assign(m, { qr: true, aa: true, rd: true, ra: true, rcode: 0 });
  m.questions.push({ name: 'web.default.svc.cluster.local', type: RRType.A, class: IN });
  m.answers.push(
    { name: 'web.default.svc.cluster.local', type: RRType.A, class: IN, ttl: 5, data: '10.96.0.12' },
    { name: 'web.default.svc.cluster.local', type: RRType.AAAA, class: IN, ttl: 5, data: 'fd00::a' },
    {
      name: 'alias.default.svc.cluster.local',
      type: RRType.CNAME,
      class: IN,
      ttl: 5,
      data: 'web.default.svc.cluster.local',
    },
    {
      name: '_http._tcp.web.default.svc.cluster.local',
      type: RRType.SRV,
      class: IN,
      ttl: 5,
      data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' },
    },
    { name: '12.0.96.10.in-addr.arpa', type: RRType.PTR, class: IN, ttl: 5, data: 'web.default.svc.cluster.local' },
    { name: 'dns-version.cluster.local', type: RRType.TXT, class: IN, ttl: 28800, data: ['1.1.0', 'a b\u00ff'] },
  );
  m.authorities.push(
    {
      name: 'cluster.local',
      type: RRType.SOA,
      class: IN,
      ttl: 5,
      data: {
        mname: 'ns.dns.cluster.local',
        rname: 'hostmaster.cluster.local',
        serial: 4294967295,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: 5,
      },
    },
    { name: 'cluster.local', type: RRType.NS, class: IN, ttl: 5, data: 'ns.dns.cluster.local' },
  );
  m.additionals.push(optRecord(1232, true, 0, [{ code: 10, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }]));
  m.additionals.push({ name: 'x.example', type: 99, class: IN, ttl: 1, data: Uint8Array.from([9, 9]) });
  return m;
}

test('every record type round-trips through serialize and parse', () => {
  const m = sample();
  const back = parseMessage(serializeMessage(m));
  assert.deepEqual(back, m);
});

test('names are compressed on output (repeated suffixes become pointers)', () => {
  const m = sample();
  const bytes = serializeMessage(m);
  // The first answer's owner equals the question name (case-insensitively): a pointer to offset 12.
  const answerAt = 12 + 31 + 4;
  assert.deepEqual([...bytes.subarray(answerAt, answerAt + 2)], [0xc0, 0x0c]);
  const one = serializeMessage({ ...m, answers: m.answers.slice(0, 1), authorities: [], additionals: [] });
  assert.equal(one.length, 12 + 31 + 4 + 2 + 10 + 4, 'the answer costs a pointer, fixed fields and 4 address bytes');
});

test('a label over 63 bytes or a name over 255 cannot be encoded', () => {
  const m = emptyMessage(1);
  m.questions.push({ name: `${'a'.repeat(64)}.example`, type: RRType.A, class: IN });
  assert.throws(() => serializeMessage(m), /label longer than 63/);
  m.questions[0]!.name = Array.from({ length: 5 }, () => 'b'.repeat(60)).join('.');
  assert.throws(() => serializeMessage(m), /longer than 255/);
});

test('owner names compressed against the question take its case (case kept for the client)', () => {
  const m = sample();
  m.questions[0]!.name = 'WEB.default.SVC.cluster.local';
  assert.equal(parseMessage(serializeMessage(m)).answers[0]!.name, 'WEB.default.SVC.cluster.local');
});

test('EDNS fields are read from OPT', () => {
  const e = getEdns(sample())!;
  assert.equal(e.udpSize, 1232);
  assert.equal(e.dnssecOk, true);
  assert.equal(e.options[0]!.code, 10);
});

test('too large for maxSize: TC set, sections dropped, OPT kept', () => {
  const m = sample();
  for (let i = 0; i < 60; i++)
    m.answers.push({
      name: `h${i}.web.default.svc.cluster.local`,
      type: RRType.A,
      class: IN,
      ttl: 5,
      data: `10.0.0.${i}`,
    });
  const bytes = serializeMessage(m, { maxSize: 512 });
  assert.ok(bytes.length <= 512);
  const back = parseMessage(bytes);
  assert.equal(back.tc, true);
  assert.equal(back.answers.length, 0);
  assert.equal(back.additionals.length, 1);
  assert.equal(back.additionals[0]!.type, RRType.OPT);
});

test('labels with dots and binary bytes round-trip escaped', () => {
  const m = emptyMessage(1);
  m.questions.push({ name: 'a\\.b.c\\000d.example', type: RRType.A, class: IN });
  assert.equal(parseMessage(serializeMessage(m)).questions[0]!.name, 'a\\.b.c\\000d.example');
  assert.deepEqual(
    nameToLabels('x.y.').map((l) => l.length),
    [1, 1],
  );
});

test('IPv6 text <-> bytes', () => {
  for (const [text, canon] of [
    ['::1', '::1'],
    ['fd00:0:0:0:0:0:0:a', 'fd00::a'],
    ['::ffff:10.1.2.3', '::ffff:a01:203'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['::', '::'],
  ]) {
    assert.equal(bytesToIpv6(ipv6ToBytes(text!)), canon);
  }
  for (const bad of ['1::2::3', 'g::1', '1:2:3:4:5:6:7:8:9', '1.2.3.4']) assert.throws(() => ipv6ToBytes(bad));
});

test('lowerName lowercases ASCII only', () => {
  assert.equal(lowerName('WeB.Default'), 'web.default');
  assert.equal(lowerName('already.lower'), 'already.lower');
});

/** Header with given counts followed by `rest`. */
function packet(counts: [number, number, number, number], rest: number[]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0x1234, 0);
  counts.forEach((c, i) => h.writeUInt16BE(c, 4 + i * 2));
  return Buffer.concat([h, Buffer.from(rest)]);
}

const malformed: { name: string; bytes: Buffer; message: RegExp }[] = [
  { name: 'shorter than a header', bytes: Buffer.from([1, 2, 3]), message: /shorter than the 12-byte header/ },
  {
    name: 'pointer to itself',
    bytes: packet([1, 0, 0, 0], [0xc0, 12, 0, 1, 0, 1]),
    message: /does not point backwards/,
  },
  {
    name: 'forward pointer',
    bytes: packet([1, 0, 0, 0], [0xc0, 20, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    message: /does not point backwards/,
  },
  {
    name: 'pointer loop via two names',
    bytes: packet([2, 0, 0, 0], [1, 97, 0xc0, 16, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1]),
    message: /does not point backwards/,
  },
  {
    name: 'length byte 64 (0x40, a reserved label type)',
    bytes: packet([1, 0, 0, 0], [64, ...new Array(64).fill(97), 0, 0, 1, 0, 1]),
    message: /unsupported label type/,
  },
  {
    name: 'name longer than 255',
    bytes: packet(
      [1, 0, 0, 0],
      [...Array.from({ length: 5 }, () => [63, ...new Array(63).fill(97)]).flat(), 0, 0, 1, 0, 1],
    ),
    message: /name longer than 255/,
  },
  { name: 'truncated label', bytes: packet([1, 0, 0, 0], [9, 97, 97, 97, 97, 97]), message: /label runs past the end/ },
  { name: 'counts that lie', bytes: packet([0, 65535, 0, 0], [0, 0, 1, 0, 1]), message: /section counts/ },
  {
    name: 'truncated RDATA',
    bytes: packet([0, 1, 0, 0], [0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 0]),
    message: /more bytes/,
  },
  {
    name: 'A with 3 bytes',
    bytes: packet([0, 1, 0, 0], [0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 3, 10, 0, 0]),
    message: /not 4 bytes/,
  },
  {
    name: 'reserved label type 0x40',
    bytes: packet([1, 0, 0, 0], [0x41, 0, 0, 1, 0, 1]),
    message: /unsupported label type/,
  },
  {
    name: 'CNAME name beyond RDLENGTH',
    bytes: packet([0, 1, 0, 0], [0, 0, 5, 0, 1, 0, 0, 0, 5, 0, 1, 3, 97, 98, 99, 0]),
    message: /runs past its RDLENGTH/,
  },
];

for (const c of malformed) {
  test(`malformed: ${c.name} -> DnsParseError`, () => {
    assert.throws(
      () => parseMessage(c.bytes),
      (e: unknown) => e instanceof DnsParseError && c.message.test((e as Error).message),
    );
  });
}

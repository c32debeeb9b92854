import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { scenarioState } from '../scenario.js';
import { fullSyncOps, splitFullSync } from './diff.js';
import { emptyTable } from './model.js';
import { elementBatch, encodeValue, isElementOp, parseVerdict, setLayout, type FieldType } from './netlink.js';
import { applyOps } from './ops.js';
import { renderNft } from './render.js';

describe('nftables over netlink: set layouts', () => {
  const cases: [string, ReturnType<typeof setLayout>][] = [
    ['type ipv4_addr ;', { key: ['ipv4'] }],
    ['type ipv4_addr . ipv4_addr ;', { key: ['ipv4', 'ipv4'] }],
    ['type ipv4_addr . inet_proto . inet_service : verdict ;', { key: ['ipv4', 'proto', 'port'], data: 'verdict' }],
    [
      'typeof ip daddr . tcp dport . numgen random mod 1 : ip daddr . tcp dport ;',
      { key: ['ipv4', 'port', 'u32'], data: ['ipv4', 'port'] },
    ],
    [
      'typeof ip daddr . udp dport . numgen random mod 1 : ip daddr . udp dport ;',
      { key: ['ipv4', 'port', 'u32'], data: ['ipv4', 'port'] },
    ],
    // Anything more is left to nft.
    ['type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ;', undefined],
    ['type ipv4_addr ; flags interval ;', undefined],
    ['type ipv6_addr ;', undefined],
    ['typeof ip daddr : verdict ;', undefined],
    ['typeof ct mark ;', undefined],
  ];
  for (const [spec, want] of cases) test(spec, () => assert.deepEqual(setLayout(spec), want));
});

describe('nftables over netlink: values', () => {
  const cases: [FieldType[], string, string | undefined][] = [
    [['ipv4'], '10.96.0.1', '0a600001'],
    // Concatenations pad every field to 4 bytes; ports are network order, numgen slots host order.
    [['ipv4', 'proto', 'port'], '10.96.0.10 . tcp . 53', '0a60000a' + '06000000' + '00350000'],
    [['ipv4', 'proto', 'port'], '10.96.0.10 . udp . 53', '0a60000a' + '11000000' + '00350000'],
    [['ipv4', 'proto', 'port'], '10.96.0.10 . sctp . 65535', '0a60000a' + '84000000' + 'ffff0000'],
    [['ipv4', 'port', 'u32'], '10.96.0.1 . 80 . 3', '0a600001' + '00500000' + '03000000'],
    [['ipv4', 'port'], '10.244.1.2 . 8080', '0af40102' + '1f900000'],
    [['ipv4', 'ipv4'], '10.244.1.2 . 10.244.1.2', '0af40102' + '0af40102'],
    [['ipv4'], '10.96.0.256', undefined],
    [['ipv4'], '10.96.0', undefined],
    [['ipv4', 'port'], '10.244.1.2 . 65536', undefined],
    [['ipv4', 'port'], '10.244.1.2', undefined],
    [['ipv4', 'proto', 'port'], '10.96.0.1 . bogus . 80', undefined],
    [['ipv4', 'proto', 'port'], '10.96.0.1 . 6 . 80', '0a600001' + '06000000' + '00500000'],
    [['ipv4', 'proto', 'port'], '10.96.0.1 . constructor . 80', undefined],
    [['ipv4'], '1.2.3.4.5', undefined],
    [['ipv4'], '10.96..1', undefined],
    [['ipv4'], '10.96.0.1 ', undefined],
    [['ipv4', 'port', 'u32'], '10.96.0.1 . 80 . 3 . 4', undefined],
    [['ipv4', 'port', 'u32'], '10.96.0.1 . 80 .  3', undefined],
    [['ipv4', 'port', 'u32'], '10.96.0.1 . 80 . 4294967295', '0a600001' + '00500000' + 'ffffffff'],
  ];
  for (const [types, text, hex] of cases) {
    test(`${types.join(' . ')}: ${text}`, () => assert.equal(encodeValue(types, text)?.toString('hex'), hex));
  }

  const verdicts: [string, ReturnType<typeof parseVerdict>][] = [
    ['goto cluster-spread-tcp-10', { code: -4, chain: 'cluster-spread-tcp-10' }],
    ['jump svc-abc', { code: -3, chain: 'svc-abc' }],
    ['drop', { code: 0 }],
    ['accept', { code: 1 }],
    ['goto', undefined],
    ['dnat to 1.2.3.4', undefined],
  ];
  for (const [text, want] of verdicts) test(`verdict ${text}`, () => assert.deepEqual(parseVerdict(text), want));
});

interface Message {
  type: number;
  flags: number;
  seq: number;
  family: number;
  resId: number;
  attrs: Map<number, Buffer>;
}

/** A reader of the batch, independent of the writer: header fields and top-level attributes. */
function readBatch(bytes: Uint8Array): Message[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Message[] = [];
  for (let at = 0; at < b.length;) {
    const len = b.readUInt32LE(at);
    assert.ok(len >= 20 && at + len <= b.length, `message at ${at} has a sane length`);
    const attrs = new Map<number, Buffer>();
    for (let a = at + 20; a < at + len;) {
      const alen = b.readUInt16LE(a);
      attrs.set(b.readUInt16LE(a + 2), b.subarray(a + 4, a + alen));
      a += (alen + 3) & ~3;
    }
    out.push({
      type: b.readUInt16LE(at + 4),
      flags: b.readUInt16LE(at + 6),
      seq: b.readUInt32LE(at + 8),
      family: b[at + 16]!,
      resId: b.readUInt16BE(at + 18),
      attrs,
    });
    at += (len + 3) & ~3;
  }
  return out;
}

/** Elements in a NFTA_SET_ELEM_LIST_ELEMENTS payload. */
function countElements(list: Buffer): number {
  let n = 0;
  for (let a = 0; a < list.length; a += (list.readUInt16LE(a) + 3) & ~3) n++;
  return n;
}

describe('nftables over netlink: the batch', () => {
  const specs = new Map([
    ['service-ips', 'type ipv4_addr . inet_proto . inet_service : verdict ;'],
    ['spread-tcp-2', 'typeof ip daddr . tcp dport . numgen random mod 1 : ip daddr . tcp dport ;'],
    ['affinity', 'type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ;'],
  ]);

  test('begin, a flush, elements split into messages under the 16-bit attribute limit, end', () => {
    const elements: [string, string][] = [];
    for (let i = 0; i < 5000; i++)
      elements.push([`10.96.${i >> 8}.${i & 255} . 80 . ${i % 2}`, `10.244.0.${i % 250} . 8080`]);
    const batch = elementBatch(
      [
        { op: 'flush-set', name: 'spread-tcp-2', kind: 'map' },
        { op: 'add-elements', set: 'spread-tcp-2', kind: 'map', elements },
        {
          op: 'add-elements',
          set: 'service-ips',
          kind: 'map',
          elements: [['10.96.0.1 . tcp . 80', 'goto cluster-spread-tcp-2']],
        },
      ],
      specs,
    )!;
    const msgs = readBatch(batch.bytes);
    assert.deepEqual([msgs[0]!.type, msgs[0]!.resId, msgs[0]!.family], [16, 10, 0], 'BATCH_BEGIN for nf_tables');
    assert.deepEqual([msgs.at(-1)!.type, msgs.at(-1)!.resId], [17, 10], 'BATCH_END');
    const body = msgs.slice(1, -1);
    assert.equal(batch.acks, body.length);
    assert.deepEqual(
      body.map((m) => m.seq),
      body.map((_, i) => i + 2),
      'consecutive sequence numbers',
    );
    assert.ok(
      body.every((m) => m.family === 2 && (m.flags & 0x5) === 0x5),
      'IPv4 family, request + ack',
    );
    const flush = body[0]!;
    assert.equal(flush.type, (10 << 8) | 14, 'DELSETELEM');
    assert.equal(flush.attrs.get(1)!.toString('latin1'), 'podnet\0');
    assert.equal(flush.attrs.get(2)!.toString('latin1'), 'spread-tcp-2\0');
    assert.equal(flush.attrs.has(3 | 0x8000), false, 'no element list: a flush');
    const adds = body.slice(1);
    assert.ok(
      adds.every((m) => m.type === ((10 << 8) | 12) && (m.flags & 0x400) !== 0),
      'NEWSETELEM with NLM_F_CREATE',
    );
    const spreadAdds = adds.filter((m) => m.attrs.get(2)!.toString('latin1') === 'spread-tcp-2\0');
    assert.ok(spreadAdds.length > 1, '5,000 elements take several messages');
    assert.ok(spreadAdds.every((m) => m.attrs.get(3 | 0x8000)!.length < 65535));
    assert.equal(
      spreadAdds.reduce((n, m) => n + countElements(m.attrs.get(3 | 0x8000)!), 0),
      5000,
    );
    assert.match(batch.messages.get(2)!, /flush map spread-tcp-2/);
  });

  test('a verdict element carries the code and the chain', () => {
    const batch = elementBatch(
      [
        {
          op: 'add-elements',
          set: 'service-ips',
          kind: 'map',
          elements: [['10.96.0.1 . tcp . 80', 'goto cluster-spread-tcp-2']],
        },
      ],
      specs,
    )!;
    const hex = Buffer.from(batch.bytes).toString('hex');
    assert.ok(hex.includes('fffffffc'), 'NFT_GOTO (-4), big-endian');
    assert.ok(Buffer.from(batch.bytes).includes(Buffer.from('cluster-spread-tcp-2\0', 'latin1')));
    assert.ok(hex.includes('0a600001' + '06000000' + '00500000'), 'the key');
  });

  const refused: [string, Parameters<typeof elementBatch>[0]][] = [
    ['a set with flags', [{ op: 'add-elements', set: 'affinity', kind: 'set', elements: [['10.0.0.1', '']] }]],
    ['an unknown set', [{ op: 'add-elements', set: 'nope', kind: 'set', elements: [['10.0.0.1', '']] }]],
    [
      'an element that does not parse',
      [{ op: 'add-elements', set: 'service-ips', kind: 'map', elements: [['10.96.0.1 . tcp', 'drop']] }],
    ],
    [
      'a value that is not a verdict',
      [
        {
          op: 'add-elements',
          set: 'service-ips',
          kind: 'map',
          elements: [['10.96.0.1 . tcp . 80', 'dnat to 1.2.3.4']],
        },
      ],
    ],
    [
      'a map declared as a set',
      [{ op: 'add-elements', set: 'service-ips', kind: 'set', elements: [['10.96.0.1 . tcp . 80', '']] }],
    ],
  ];
  for (const [name, ops] of refused)
    test(`left to nft: ${name}`, () => assert.equal(elementBatch(ops, specs), undefined));
});

describe('nftables over netlink: a full sync in three transactions', () => {
  test('structure, then elements, then removals: each applies, and together they equal the one transaction', () => {
    const before = renderNft(scenarioState());
    // Drop one Service so its pool or chains go stale.
    const after = renderNft({ ...scenarioState(), ports: scenarioState().ports.slice(1) });
    const existing = {
      chains: [...before.chains.keys()],
      sets: [...before.sets.values()].map((s) => ({ name: s.name, kind: s.kind })),
    };
    const ops = fullSyncOps(after, existing);
    const split = splitFullSync(ops);
    assert.ok(split.elements.every(isElementOp));
    assert.equal(split.structure.length + split.elements.length + split.removals.length, ops.length);
    const oneShot = applyOps(before, ops);
    const stepwise = applyOps(applyOps(applyOps(before, split.structure), split.elements), split.removals);
    assert.deepEqual(stepwise, oneShot);
    assert.deepEqual(oneShot, applyOps(emptyTable(), fullSyncOps(after, { chains: [], sets: [] })));
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRangeResponse } from './range-codec.js';

/** Protobuf by hand: a varint, and fields of the three wire types the reply uses. */
function varint(n: bigint): Buffer {
  const out: number[] = [];
  do {
    const low = Number(n & 0x7fn);
    n >>= 7n;
    out.push(n > 0n ? low | 0x80 : low);
  } while (n > 0n);
  return Buffer.from(out);
}
const num = (field: number, n: bigint | number) => Buffer.concat([varint(BigInt(field * 8)), varint(BigInt(n))]);
const bytes = (field: number, b: Buffer | string) => {
  const body = Buffer.from(b);
  return Buffer.concat([varint(BigInt(field * 8 + 2)), varint(BigInt(body.length)), body]);
};

const header = (revision: number) =>
  bytes(
    1,
    Buffer.concat([num(1, 0xcdef_0123_4567_89abn), num(2, 0xffff_ffff_ffff_ffffn), num(3, revision), num(4, 7)]),
  );
const kv = (key: string, value: string, create: number, mod: number) =>
  bytes(2, Buffer.concat([bytes(1, key), num(2, create), num(3, mod), num(4, 3), bytes(5, value), num(6, 0)]));

test('a RangeResponse decodes to its revision, keys, values, revisions, more and count', () => {
  const big = 2 ** 40 + 5; // past 32 bits: read as a number, exactly
  const cases = [
    {
      name: 'two keys, more',
      wire: Buffer.concat([
        header(big + 1),
        kv('/registry/a', '{"a":1}', 17, 42),
        kv('/registry/b', 'ü', 300, big),
        num(3, 1),
        num(4, 9),
      ]),
      want: {
        revision: big + 1,
        kvs: [
          { key: '/registry/a', value: '{"a":1}', createRevision: 17, modRevision: 42 },
          { key: '/registry/b', value: 'ü', createRevision: 300, modRevision: big },
        ],
        more: true,
        count: 9,
      },
    },
    { name: 'empty', wire: header(5), want: { revision: 5, kvs: [], more: false, count: 0 } },
    {
      name: 'an empty value and an unknown field',
      wire: Buffer.concat([header(8), kv('/k', '', 8, 8), bytes(15, 'later field'), num(4, 1)]),
      want: { revision: 8, kvs: [{ key: '/k', value: '', createRevision: 8, modRevision: 8 }], more: false, count: 1 },
    },
  ];
  for (const c of cases) {
    const got = decodeRangeResponse(c.wire);
    assert.deepEqual(
      {
        ...got,
        kvs: got.kvs.map((k) => ({ ...k, key: k.key.toString('utf8'), value: k.value.toString('utf8') })),
      },
      c.want,
      c.name,
    );
  }
});

test('a cut RangeResponse is an error, not a short list', () => {
  const wire = Buffer.concat([header(3), kv('/registry/a', 'x'.repeat(100), 1, 2)]);
  assert.throws(() => decodeRangeResponse(wire.subarray(0, wire.length - 10)), /truncated/);
});

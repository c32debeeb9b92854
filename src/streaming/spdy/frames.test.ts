import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adler32 } from './adler32.testing.js';
import { SPDY3_DICTIONARY } from './dictionary.js';
import {
  decodeFrame,
  decodeHeaderBlock,
  encodeData,
  encodeGoaway,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  encodeSynStream,
  FrameParser,
  type Frame,
} from './frames.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('SPDY/3 frames', () => {
  test('the dictionary is the spec one (adler32 0xE3C6A7C2, 1423 bytes)', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(adler32(SPDY3_DICTIONARY), 0xe3c6a7c2);
  });

  const cases: [string, Buffer, Frame][] = [
    // Captured from kubectl 1.32: SYN_STREAM 1 (its header block elided to 2 bytes here).
    [
      'SYN_STREAM',
      hex('80030001 0000000c 00000001 00000000 0000 7801'),
      { kind: 'synStream', streamId: 1, assocId: 0, priority: 0, flags: 0, headerBlock: hex('7801') },
    ],
    ['SYN_REPLY', encodeSynReply(3, hex('aa')), { kind: 'synReply', streamId: 3, flags: 0, headerBlock: hex('aa') }],
    ['RST_STREAM CANCEL', hex('80030003 00000008 00000005 00000005'), { kind: 'rstStream', streamId: 5, status: 5 }],
    ['PING', hex('80030006 00000004 00000001'), { kind: 'ping', id: 1 }],
    ['GOAWAY', hex('80030007 00000008 00000000 00000000'), { kind: 'goaway', lastGoodStreamId: 0, status: 0 }],
    ['SETTINGS', hex('80030004 00000004 00000000'), { kind: 'settings' }],
    ['WINDOW_UPDATE', hex('80030009 00000008 00000001 00010000'), { kind: 'windowUpdate', streamId: 1, delta: 65536 }],
    ['DATA with FIN', hex('00000003 01000002 6869'), { kind: 'data', streamId: 3, flags: 1, data: Buffer.from('hi') }],
    ['empty DATA', hex('00000007 00000000'), { kind: 'data', streamId: 7, flags: 0, data: Buffer.alloc(0) }],
  ];
  for (const [name, bytes, frame] of cases) test(`decodes ${name}`, () => assert.deepEqual(decodeFrame(bytes), frame));

  test('encoders produce what the decoder reads back', () => {
    const round = (b: Buffer | Buffer[]) => decodeFrame(Buffer.concat([b].flat()));
    assert.deepEqual(round(encodePing(9)), { kind: 'ping', id: 9 });
    assert.deepEqual(round(encodeGoaway(7, 0)), { kind: 'goaway', lastGoodStreamId: 7, status: 0 });
    assert.deepEqual(round(encodeRstStream(3, 5)), { kind: 'rstStream', streamId: 3, status: 5 });
    assert.deepEqual(round(encodeSynStream(5, hex('01'), { flags: 1 })), {
      kind: 'synStream',
      streamId: 5,
      assocId: 0,
      priority: 0,
      flags: 1,
      headerBlock: hex('01'),
    });
    assert.deepEqual(round(encodeData(3, Buffer.from('x'), true)), {
      kind: 'data',
      streamId: 3,
      flags: 1,
      data: Buffer.from('x'),
    });
  });

  test('large data is split into frames of at most 2^24-1 bytes, FIN on the last only', () => {
    const parts = encodeData(1, Buffer.alloc(0xffffff + 10), true);
    const frames = new FrameParser().push(Buffer.concat(parts));
    assert.deepEqual(
      frames.map((f) => (f.kind === 'data' ? [f.data.length, f.flags] : [])),
      [
        [0xffffff, 0],
        [10, 1],
      ],
    );
  });

  test('the parser takes frames split anywhere, even into empty pieces (the WebSocket tunnel)', () => {
    const stream = Buffer.concat([
      encodePing(1),
      ...encodeData(3, Buffer.from('hello'), true),
      ...encodeData(5, Buffer.alloc(0), true),
      encodeGoaway(3),
    ]);
    for (const size of [1, 2, 3, 7, 100]) {
      const p = new FrameParser();
      const got: Frame[] = [];
      got.push(...p.push(Buffer.alloc(0)));
      for (let i = 0; i < stream.length; i += size) got.push(...p.push(stream.subarray(i, i + size)));
      // DATA comes out as it arrives: pieces of stream 3 that join to the payload, FIN on the last one only.
      const kinds = got.map((f) => (f.kind === 'data' ? `data${f.streamId}` : f.kind));
      assert.deepEqual([...new Set(kinds)], ['ping', 'data3', 'data5', 'goaway'], `pieces of ${size}`);
      const data3 = got.filter((f) => f.kind === 'data' && f.streamId === 3) as Extract<Frame, { kind: 'data' }>[];
      assert.equal(Buffer.concat(data3.map((f) => f.data)).toString(), 'hello');
      assert.deepEqual(
        data3.map((f) => f.flags),
        data3.map((_, i) => (i === data3.length - 1 ? 1 : 0)),
      );
      assert.ok(data3.every((f) => f.data.length > 0));
      assert.equal(p.pending, 0);
    }
  });

  test('DATA payloads are views of the bytes given, not copies', () => {
    const bytes = Buffer.concat(encodeData(1, Buffer.from('abcdef')));
    const [f] = new FrameParser().push(bytes);
    assert.ok(f?.kind === 'data');
    assert.equal(f.data.buffer, bytes.buffer);
  });

  test('rejects another version and short control frames', () => {
    assert.throws(() => decodeFrame(hex('80020006 00000004 00000001')), /unsupported version 2/);
    assert.throws(() => decodeFrame(hex('80030003 00000004 00000001')), /RST_STREAM frame too short/);
  });

  test('header blocks: lower-case names, several values joined by NUL', () => {
    const block = encodeHeaderBlock({ streamtype: ['data'], Port: ['80'], multi: ['a', 'b'] });
    assert.deepEqual(decodeHeaderBlock(block), { streamtype: ['data'], port: ['80'], multi: ['a', 'b'] });
    assert.deepEqual(decodeHeaderBlock(hex('00000000')), {});
    assert.throws(() => decodeHeaderBlock(hex('00000001 00000005 6162')), /truncated/);
  });
});

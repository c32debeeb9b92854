import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HeaderCompression } from './compression.js';
import {
  decodeHeaderBlock,
  encodeData,
  encodeGoaway,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSynStream,
  FrameParser,
  type Frame,
} from './frames.js';
import { SpdySession, type SpdyStream } from './session.js';

/** A client like spdystream: its own zlib contexts, frames in, frames out. */
class Client {
  readonly z = new HeaderCompression();
  readonly parser = new FrameParser();
  readonly frames: Frame[] = [];
  ended = false;
  session: SpdySession;
  streams: SpdyStream[] = [];
  constructor() {
    this.session = new SpdySession(
      { write: (b) => this.frames.push(...this.parser.push(b)), end: () => (this.ended = true) },
      (s) => this.streams.push(s),
    );
  }
  async open(id: number, headers: Record<string, string[]>, fin = false) {
    const block = await this.z.compress(encodeHeaderBlock(headers));
    this.session.receive(encodeSynStream(id, block, { flags: fin ? 1 : 0 }));
  }
  async settle() {
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SPDY session (server side)', () => {
  test('replies to each SYN_STREAM at once, in order, with a header block the client can inflate', async () => {
    const c = new Client();
    await c.open(1, { streamtype: ['error'] });
    await c.open(3, { streamtype: ['stdout'] });
    await c.settle();
    assert.deepEqual(
      c.streams.map((s) => [s.id, s.header('streamtype')]),
      [
        [1, 'error'],
        [3, 'stdout'],
      ],
    );
    const replies = c.frames.filter((f) => f.kind === 'synReply');
    assert.deepEqual(
      replies.map((f) => f.streamId),
      [1, 3],
    );
    for (const r of replies) assert.deepEqual(decodeHeaderBlock(await c.z.decompress(r.headerBlock)), {});
  });

  test('data and FIN reach the stream; our writes and end go out as DATA frames', async () => {
    const c = new Client();
    await c.open(1, { streamtype: ['stdin'] });
    // Data right behind the SYN_STREAM, in the same chunk: must wait for the stream to exist.
    c.session.receive(Buffer.concat(encodeData(1, Buffer.from('abc'), true)));
    await c.settle();
    const s = c.streams[0]!;
    const got: string[] = [];
    s.on('data', (b: Buffer) => got.push(b.toString()));
    let ended = false;
    s.on('end', () => (ended = true));
    await c.open(3, { streamtype: ['x'] });
    c.session.receive(Buffer.concat([...encodeData(3, Buffer.from('q')), ...encodeData(3, Buffer.alloc(0), true)]));
    await c.settle();
    const s3 = c.streams[1]!;
    assert.equal(s3.remoteEnded, true);
    s3.write(Buffer.from('out'));
    s3.end();
    const data = c.frames.filter((f) => f.kind === 'data');
    assert.deepEqual(
      data.map((f) => [f.streamId, f.flags, f.data.toString()]),
      [
        [3, 0, 'out'],
        [3, 1, ''],
      ],
    );
    assert.equal(s.remoteEnded, true);
    void got;
    void ended;
  });

  test('pings from the client are echoed; RST_STREAM resets; GOAWAY ends the connection', async () => {
    const c = new Client();
    c.session.receive(encodePing(5));
    await c.settle();
    assert.deepEqual(c.frames.at(-1), { kind: 'ping', id: 5 });
    await c.open(1, { streamtype: ['data'] });
    await c.settle();
    let reset = false;
    c.streams[0]!.on('reset', () => (reset = true));
    c.session.receive(encodeRstStream(1, 5));
    await c.settle();
    assert.equal(reset, true);
    c.session.receive(encodeGoaway(0));
    await c.settle();
    assert.equal(c.ended, true);
    assert.equal(c.frames.at(-1)?.kind, 'goaway');
  });

  test('a stream id that does not increase is refused', async () => {
    const c = new Client();
    await c.open(3, { a: ['1'] });
    await c.open(1, { a: ['2'] });
    await c.settle();
    assert.equal(c.streams.length, 1);
    assert.deepEqual(c.frames.at(-1), { kind: 'rstStream', streamId: 1, status: 1 });
  });

  test('a client silent past the idle timeout is dropped; any byte keeps it', async () => {
    let ended = false;
    const session = new SpdySession({ write: () => undefined, end: () => (ended = true) }, undefined, 80);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 40));
      session.receive(encodePing(1));
    }
    assert.equal(ended, false);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(ended, true);
  });

  test('a closed transport resets the open streams', async () => {
    const c = new Client();
    await c.open(1, { a: ['1'] });
    await c.settle();
    let reset = false;
    c.streams[0]!.on('reset', () => (reset = true));
    c.session.transportClosed();
    assert.equal(reset, true);
  });
});

/**
 * The server side of a SPDY/3.1 connection as kubectl's spdystream speaks
 * it: the client opens streams (odd ids) with SYN_STREAM, we answer each
 * with SYN_REPLY at once (the client blocks until it arrives, so streams come
 * one at a time), echo PINGs, and carry DATA with FIN as half-close. No flow
 * control: spdystream never sends WINDOW_UPDATE, so enforcing the 64 KiB
 * window would stall; TCP does the back-pressure.
 *
 * The transport is any byte pipe: an upgraded TLS socket, or the byte stream
 * inside WebSocket messages (kubectl's port-forward tunnel).
 */
import { EventEmitter } from 'node:events';
import { HeaderCompression } from './compression.js';
import {
  decodeHeaderBlock,
  encodeData,
  encodeGoaway,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  FLAG_FIN,
  FrameParser,
  RstStatus,
  type Frame,
} from './frames.js';

interface ByteTransport {
  write(b: Buffer): void;
  /** Several buffers as one write (a DATA frame's header and payload without copying them together). */
  writev?(list: Buffer[]): void;
  /** Ends the connection (flushes what was written). */
  end(): void;
  /** True while written bytes wait in user space (the session emits 'drain' when the owner says so). */
  congested?(): boolean;
  /** Stop and restart reading from the client (back-pressure from a slow stream consumer). */
  pause?(): void;
  resume?(): void;
}

/** One stream the client opened. Events: 'data' (Buffer), 'end' (client half-closed), 'reset'. */
export class SpdyStream extends EventEmitter {
  remoteEnded = false;
  localEnded = false;
  reset = false;

  constructor(
    readonly id: number,
    readonly headers: Record<string, string[]>,
    private readonly session: SpdySession,
  ) {
    super();
  }

  /** First value of a header (names are lower-case). */
  header(name: string): string | undefined {
    return this.headers[name]?.[0];
  }

  write(data: Buffer): void {
    if (this.localEnded || this.reset || data.length === 0) return;
    this.session.send(encodeData(this.id, data));
  }

  /** Half-closes our side: an empty DATA frame with FIN (spdystream's Close). */
  end(data?: Buffer): void {
    if (this.localEnded || this.reset) return;
    this.localEnded = true;
    this.session.send(encodeData(this.id, data ?? Buffer.alloc(0), true));
    this.session.maybeForget(this);
  }

  /** RST_STREAM: abandons the stream both ways. */
  abort(status: number = RstStatus.CANCEL): void {
    if (this.reset) return;
    this.reset = true;
    this.session.send([encodeRstStream(this.id, status)]);
    this.session.forget(this);
  }
}

export class SpdySession extends EventEmitter {
  private readonly parser = new FrameParser();
  private readonly compression = new HeaderCompression();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly queue: Frame[] = [];
  private pumping = false;
  private lastStreamId = 0;
  private idle: NodeJS.Timeout | undefined;
  private holds = 0;
  closed = false;

  /** Every new stream is emitted as 'stream' (and given to onStream) after its SYN_REPLY is sent. */
  constructor(
    private readonly transport: ByteTransport,
    private readonly onStream?: (s: SpdyStream) => void,
    /** Close after this long without a byte from the client (kubectl pings every 5-10 s); 0: never. */
    private readonly idleTimeoutMs = 0,
  ) {
    super();
    this.touch();
  }

  private touch(): void {
    if (!this.idleTimeoutMs) return;
    if (this.idle) this.idle.refresh();
    else this.idle = setTimeout(() => this.close(), this.idleTimeoutMs);
  }

  congested(): boolean {
    return this.transport.congested?.() ?? false;
  }

  /**
   * Stops reading the connection until the returned release is called: a
   * stream's consumer that cannot keep up holds the whole connection, as
   * spdystream's reader blocks (SPDY here has no per-stream windows).
   */
  hold(): () => void {
    if (this.holds++ === 0) this.transport.pause?.();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0) this.transport.resume?.();
    };
  }

  /** Feeds bytes from the client. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    this.touch();
    try {
      this.queue.push(...this.parser.push(chunk));
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    void this.pump();
  }

  /** Frames are handled strictly in order; only header blocks wait (zlib is asynchronous). */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length && !this.closed) await this.handle(this.queue.shift()!);
    } catch (e) {
      this.fail(e as Error);
    } finally {
      this.pumping = false;
    }
  }

  private async handle(f: Frame): Promise<void> {
    switch (f.kind) {
      case 'synStream': {
        const headers = decodeHeaderBlock(await this.compression.decompress(f.headerBlock));
        if (f.streamId <= this.lastStreamId || f.streamId % 2 === 0) {
          this.send([encodeRstStream(f.streamId, RstStatus.PROTOCOL_ERROR)]);
          return;
        }
        this.lastStreamId = f.streamId;
        const s = new SpdyStream(f.streamId, headers, this);
        this.streams.set(f.streamId, s);
        const reply = await this.compression.compress(encodeHeaderBlock({}));
        if (this.closed) return;
        this.send([encodeSynReply(f.streamId, reply)]);
        if (f.flags & FLAG_FIN) s.remoteEnded = true;
        this.onStream?.(s);
        this.emit('stream', s);
        if (s.remoteEnded) s.emit('end');
        return;
      }
      case 'headers':
        // Keep the inflate context in step even though the headers themselves are not used.
        await this.compression.decompress(f.headerBlock);
        return;
      case 'synReply':
        await this.compression.decompress(f.headerBlock);
        return;
      case 'data': {
        const s = this.streams.get(f.streamId);
        if (!s) return; // data for a stream that was reset: dropped, as spdystream does
        if (f.data.length) s.emit('data', f.data);
        if (f.flags & FLAG_FIN && !s.remoteEnded) {
          s.remoteEnded = true;
          s.emit('end');
          this.maybeForget(s);
        }
        return;
      }
      case 'rstStream': {
        const s = this.streams.get(f.streamId);
        if (!s) return;
        s.reset = true;
        this.forget(s);
        s.emit('reset');
        return;
      }
      case 'ping':
        // Odd ids are the client's pings: echo them. Even ids would answer pings of ours (we send none).
        if (f.id % 2 === 1) this.send([encodePing(f.id)]);
        return;
      case 'goaway':
        this.close();
        return;
      case 'settings':
      case 'windowUpdate':
      case 'unknown':
        return;
    }
  }

  /** @internal */
  send(frames: Buffer[]): void {
    if (this.closed) return;
    if (frames.length === 1) this.transport.write(frames[0]!);
    else if (this.transport.writev) this.transport.writev(frames);
    else this.transport.write(Buffer.concat(frames));
  }

  /** @internal */
  maybeForget(s: SpdyStream): void {
    if (s.localEnded && s.remoteEnded) this.forget(s);
  }

  /** @internal */
  forget(s: SpdyStream): void {
    this.streams.delete(s.id);
  }

  /** Ends the connection: GOAWAY, then the transport. Streams still open see 'reset'. */
  close(): void {
    if (this.closed) return;
    this.transport.write(encodeGoaway(this.lastStreamId));
    this.closed = true;
    this.shutdown();
  }

  /** The transport went away underneath us. */
  transportClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.shutdown();
  }

  private shutdown(): void {
    clearTimeout(this.idle);
    this.transport.end();
    this.compression.close();
    const open = [...this.streams.values()];
    this.streams.clear();
    for (const s of open) {
      s.reset = true;
      s.emit('reset');
    }
    this.emit('close');
  }

  private fail(e: Error): void {
    this.emit('protocolError', e);
    this.close();
  }
}

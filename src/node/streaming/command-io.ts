/**
 * The streams of one exec or attach session, whichever protocol carries
 * them: WebSocket channels (v5/v4.channel.k8s.io) or SPDY streams. Exec and
 * attach only see CommandIO: stdin in, stdout/stderr out, resizes, the final
 * Status, and 'close' when the client went away first.
 *
 * Stdin goes to the handler given to input(); events: 'resize' (TerminalSize), 'close'
 * (the client left before finish), 'drain' (output may flow again), 'end'
 * (the session is over, either way).
 */
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import {
  Channel,
  decodeChannel,
  encodeChannel,
  parseResizeStream,
  PROTOCOL_V5,
  type TerminalSize,
} from '../../streaming/channel.js';
import type { SpdySession, SpdyStream } from '../../streaming/spdy/session.js';
import type { CommandStatus } from '../../streaming/status.js';
import type { CommandOptions } from '../../streaming/options.js';

/** Output waiting in user space above this pauses the process's pipes. */
const HIGH_WATER = 1 << 20;

export abstract class CommandIO extends EventEmitter {
  protected finished = false;
  protected gone = false;
  private resizeText = '';
  /** Input that arrived before the session's consumer was ready (the client does not wait). */
  private early: (Buffer | null)[] | undefined = [];
  private onInput?: (b: Buffer | null) => void;
  /** The latest terminal size the client sent (it may come before the session's consumer listens). */
  size: TerminalSize | undefined;

  constructor(readonly opts: CommandOptions) {
    super();
  }

  abstract writeStdout(b: Buffer): void;
  abstract writeStderr(b: Buffer): void;
  /** Writes the Status and ends the session. */
  abstract finish(status: CommandStatus): void;
  /** True while more output should wait for 'drain'. */
  abstract congested(): boolean;
  /** Ends the session without a status (the server is shutting down). */
  abstract abort(): void;
  /** Stops reading the client until the returned release (stdin faster than the command reads it). */
  abstract hold(): () => void;

  get closed(): boolean {
    return this.finished || this.gone;
  }

  /** Delivers stdin (null: end of stdin), starting with what was queued so far. */
  input(handler: (b: Buffer | null) => void): void {
    this.onInput = handler;
    const queued = this.early ?? [];
    this.early = undefined;
    for (const b of queued) handler(b);
  }

  protected stdinData(b: Buffer | null): void {
    if (this.early) this.early.push(b);
    else this.onInput?.(b);
  }

  protected resizeData(b: Buffer): void {
    const { sizes, rest } = parseResizeStream(this.resizeText + b.toString());
    this.resizeText = rest.length > 4096 ? '' : rest;
    for (const s of sizes) {
      this.size = s;
      this.emit('resize', s);
    }
  }

  protected clientGone(): void {
    if (this.finished || this.gone) return;
    this.gone = true;
    this.emit('close');
    this.emit('end');
  }
}

/** v5.channel.k8s.io (or v4): one WebSocket, a channel byte in front of every message. */
export class WebSocketCommandIO extends CommandIO {
  private pending = 0;
  private readonly v5: boolean;

  constructor(
    private readonly ws: WebSocket,
    opts: CommandOptions,
  ) {
    super(opts);
    this.v5 = ws.protocol === PROTOCOL_V5;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      const m = decodeChannel(data, this.v5);
      if (m.kind === 'close' && m.channel === Channel.stdin) this.stdinData(null);
      else if (m.kind === 'data' && m.channel === Channel.stdin && opts.stdin) this.stdinData(m.payload);
      else if (m.kind === 'data' && m.channel === Channel.resize) this.resizeData(m.payload);
    });
    // The server pings it (heartbeat in server.ts); a client that stops answering is terminated and ends here.
    ws.on('close', () => this.clientGone());
    ws.on('error', () => ws.terminate());
    // The first message says the streams are ready: an empty one on the lowest channel the client reads.
    this.send(opts.stdout ? Channel.stdout : opts.stderr ? Channel.stderr : Channel.error, Buffer.alloc(0));
  }

  private send(channel: number, b: Buffer): void {
    if (this.closed) return;
    const msg = encodeChannel(channel, b);
    this.pending += msg.length;
    this.ws.send(msg, { binary: true }, () => {
      const was = this.pending >= HIGH_WATER;
      this.pending -= msg.length;
      if (was && this.pending < HIGH_WATER) this.emit('drain');
    });
  }

  writeStdout(b: Buffer): void {
    if (this.opts.stdout) this.send(Channel.stdout, b);
  }
  writeStderr(b: Buffer): void {
    if (this.opts.stderr) this.send(Channel.stderr, b);
  }
  congested(): boolean {
    return this.pending >= HIGH_WATER;
  }
  finish(status: CommandStatus): void {
    if (this.closed) return;
    this.send(Channel.error, Buffer.from(JSON.stringify(status)));
    this.finished = true;
    this.emit('end');
    // Clients read stdout/stderr to EOF, which only a normal close gives them.
    this.ws.close(1000);
  }
  abort(): void {
    this.ws.terminate();
  }
  hold(): () => void {
    this.ws.pause();
    return () => this.ws.resume();
  }
}

/** How long a SPDY client has to open its streams (the kubelet's 30 s). */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;

/**
 * SPDY/3.1 with v4.channel.k8s.io: one stream per channel, opened by the
 * client in the order error, stdin, stdout, stderr, resize. Resolves once all
 * the options call for are there.
 */
export function spdyCommandIO(session: SpdySession, opts: CommandOptions): Promise<SpdyCommandIO> {
  const want = new Set(['error']);
  if (opts.stdin) want.add('stdin');
  if (opts.stdout) want.add('stdout');
  if (opts.stderr) want.add('stderr');
  if (opts.tty) want.add('resize');
  const got = new Map<string, SpdyStream>();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.close();
      reject(new Error('timed out waiting for client to create streams'));
    }, STREAM_CREATION_TIMEOUT_MS);
    session.on('close', () => {
      clearTimeout(timer);
      reject(new Error('the client closed the connection before creating its streams'));
    });
    session.on('stream', (s: SpdyStream) => {
      const type = s.header('streamtype') ?? '';
      if (!want.has(type) || got.has(type)) {
        s.abort();
        return;
      }
      got.set(type, s);
      if (got.size === want.size) {
        clearTimeout(timer);
        resolve(new SpdyCommandIO(session, opts, got));
      }
    });
  });
}

class SpdyCommandIO extends CommandIO {
  private readonly error: SpdyStream;
  private readonly stdout?: SpdyStream;
  private readonly stderr?: SpdyStream;

  constructor(
    private readonly session: SpdySession,
    opts: CommandOptions,
    streams: Map<string, SpdyStream>,
  ) {
    super(opts);
    this.error = streams.get('error')!;
    this.stdout = streams.get('stdout');
    this.stderr = streams.get('stderr');
    const stdin = streams.get('stdin');
    if (stdin) {
      stdin.on('data', (b: Buffer) => this.stdinData(b));
      stdin.on('end', () => this.stdinData(null));
      if (stdin.remoteEnded) this.stdinData(null);
    }
    streams.get('resize')?.on('data', (b: Buffer) => this.resizeData(b));
    session.on('close', () => this.clientGone());
    session.on('drain', () => this.emit('drain'));
  }

  writeStdout(b: Buffer): void {
    if (!this.closed) this.stdout?.write(b);
  }
  writeStderr(b: Buffer): void {
    if (!this.closed) this.stderr?.write(b);
  }
  congested(): boolean {
    return this.session.congested();
  }
  finish(status: CommandStatus): void {
    if (this.closed) return;
    this.finished = true;
    this.stdout?.end();
    this.stderr?.end();
    this.error.end(Buffer.from(JSON.stringify(status)));
    this.session.close();
    this.emit('end');
  }
  abort(): void {
    this.session.close();
  }
  hold(): () => void {
    return this.session.hold();
  }
}

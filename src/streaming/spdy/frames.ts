/**
 * SPDY/3.1 framing (pure): the frames kubectl's spdystream and the kubelet
 * exchange. Big-endian throughout.
 *
 *   control: [1|version:15=3][type:16][flags:8][length:24][payload]
 *   data:    [0|streamId:31][flags:8][length:24][data]
 *
 * Header blocks inside SYN_STREAM / SYN_REPLY / HEADERS stay compressed here;
 * headers.ts inflates them with the connection's zlib context.
 */

const SPDY_VERSION = 3;

const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;

/** RST_STREAM status codes. */
export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
} as const;

/** A DATA frame can carry at most 2^24 - 1 bytes. */
const MAX_FRAME_PAYLOAD = 0xffffff;

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'synStream'; streamId: number; assocId: number; priority: number; flags: number; headerBlock: Buffer }
  | { kind: 'synReply'; streamId: number; flags: number; headerBlock: Buffer }
  | { kind: 'rstStream'; streamId: number; status: number }
  | { kind: 'ping'; id: number }
  | { kind: 'goaway'; lastGoodStreamId: number; status: number }
  | { kind: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { kind: 'settings' }
  | { kind: 'windowUpdate'; streamId: number; delta: number }
  | { kind: 'unknown'; type: number };

class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(`SPDY protocol error: ${message}`);
    this.name = 'SpdyProtocolError';
  }
}

/**
 * Splits a byte stream into frames. Bytes may arrive in any pieces (the
 * WebSocket tunnel delivers frames split across 0..n-byte messages; kubectl
 * sends each DATA frame's header in two 4-byte messages and its payload in a
 * third). A DATA frame's payload is passed on as it arrives, as views of the
 * pieces given (no copy): one frame on the wire may come out as several DATA
 * frames of the same stream, FIN on the last only. Control frames come out
 * whole.
 */
export class FrameParser {
  /** The 8-byte frame header being gathered. */
  private readonly head = Buffer.alloc(8);
  private headLength = 0;
  /** Payload bytes of the current DATA frame still to come. */
  private dataLeft = 0;
  private dataStreamId = 0;
  private dataFlags = 0;
  /** The current control frame (header included) and how much of it has arrived. */
  private control: Buffer | undefined;
  private controlLength = 0;

  /** Adds bytes and returns every frame (or DATA piece) now complete, in order. */
  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    let off = 0;
    while (off < chunk.length) {
      if (this.dataLeft > 0) {
        const n = Math.min(this.dataLeft, chunk.length - off);
        this.dataLeft -= n;
        const flags = this.dataLeft === 0 ? this.dataFlags : this.dataFlags & ~FLAG_FIN;
        out.push({ kind: 'data', streamId: this.dataStreamId, flags, data: chunk.subarray(off, off + n) });
        off += n;
      } else if (this.control) {
        const n = chunk.copy(this.control, this.controlLength, off);
        this.controlLength += n;
        off += n;
        if (this.controlLength === this.control.length) {
          out.push(decodeFrame(this.control));
          this.control = undefined;
        }
      } else {
        const n = chunk.copy(this.head, this.headLength, off, off + 8 - this.headLength);
        this.headLength += n;
        off += n;
        if (this.headLength === 8) this.startFrame(out);
      }
    }
    return out;
  }

  private startFrame(out: Frame[]): void {
    this.headLength = 0;
    const length = this.head.readUInt32BE(4) & 0xffffff;
    if ((this.head[0]! & 0x80) === 0) {
      this.dataStreamId = this.head.readUInt32BE(0) & 0x7fffffff;
      this.dataFlags = this.head[4]!;
      if (length > 0) this.dataLeft = length;
      else out.push({ kind: 'data', streamId: this.dataStreamId, flags: this.dataFlags, data: Buffer.alloc(0) });
      return;
    }
    const frame = Buffer.allocUnsafe(8 + length);
    this.head.copy(frame, 0);
    if (length === 0) {
      out.push(decodeFrame(frame));
      return;
    }
    this.control = frame;
    this.controlLength = 8;
  }

  /** Bytes received that do not form a whole frame (or DATA piece) yet. */
  get pending(): number {
    return this.headLength + (this.control ? this.controlLength : 0);
  }
}

/** Decodes one whole frame (8-byte header + payload). */
export function decodeFrame(f: Buffer): Frame {
  const flags = f[4]!;
  const p = f.subarray(8);
  if ((f[0]! & 0x80) === 0) return { kind: 'data', streamId: f.readUInt32BE(0) & 0x7fffffff, flags, data: p };
  const version = f.readUInt16BE(0) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported version ${version}`);
  const type = f.readUInt16BE(2);
  const need = (n: number, what: string) => {
    if (p.length < n) throw new SpdyProtocolError(`${what} frame too short (${p.length} bytes)`);
  };
  switch (type) {
    case FrameType.SYN_STREAM:
      need(10, 'SYN_STREAM');
      return {
        kind: 'synStream',
        streamId: p.readUInt32BE(0) & 0x7fffffff,
        assocId: p.readUInt32BE(4) & 0x7fffffff,
        priority: p[8]! >> 5,
        flags,
        headerBlock: p.subarray(10),
      };
    case FrameType.SYN_REPLY:
      need(4, 'SYN_REPLY');
      return { kind: 'synReply', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, headerBlock: p.subarray(4) };
    case FrameType.RST_STREAM:
      need(8, 'RST_STREAM');
      return { kind: 'rstStream', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.SETTINGS:
      return { kind: 'settings' };
    case FrameType.PING:
      need(4, 'PING');
      return { kind: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GOAWAY:
      need(8, 'GOAWAY');
      return { kind: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.HEADERS:
      need(4, 'HEADERS');
      return { kind: 'headers', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, headerBlock: p.subarray(4) };
    case FrameType.WINDOW_UPDATE:
      need(8, 'WINDOW_UPDATE');
      return {
        kind: 'windowUpdate',
        streamId: p.readUInt32BE(0) & 0x7fffffff,
        delta: p.readUInt32BE(4) & 0x7fffffff,
      };
    default:
      return { kind: 'unknown', type };
  }
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`control frame payload too large`);
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([h, payload]);
}

/** The 8-byte header of a DATA frame carrying length bytes. */
function encodeDataHeader(streamId: number, length: number, fin = false): Buffer {
  const h = Buffer.allocUnsafe(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h.writeUInt32BE((((fin ? FLAG_FIN : 0) & 0xff) << 24) | length, 4);
  return h;
}

/** DATA frames (header, payload, header, payload...): data longer than a frame can hold is split, FIN only on the last. */
export function encodeData(streamId: number, data: Buffer, fin = false): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  do {
    const piece = data.subarray(off, off + MAX_FRAME_PAYLOAD);
    off += piece.length;
    out.push(encodeDataHeader(streamId, piece.length, fin && off >= data.length), piece);
  } while (off < data.length);
  return out;
}

export function encodeSynStream(
  streamId: number,
  headerBlock: Buffer,
  opts: { flags?: number; assocId?: number; priority?: number } = {},
): Buffer {
  const p = Buffer.alloc(10);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE((opts.assocId ?? 0) & 0x7fffffff, 4);
  p[8] = ((opts.priority ?? 0) & 7) << 5;
  return control(FrameType.SYN_STREAM, opts.flags ?? 0, Buffer.concat([p, headerBlock]));
}

export function encodeSynReply(streamId: number, headerBlock: Buffer, flags = 0): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  return control(FrameType.SYN_REPLY, flags, Buffer.concat([p, headerBlock]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return control(FrameType.RST_STREAM, 0, p);
}

export function encodePing(id: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(id >>> 0, 0);
  return control(FrameType.PING, 0, p);
}

export function encodeGoaway(lastGoodStreamId: number, status = 0): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return control(FrameType.GOAWAY, 0, p);
}

/** The uncompressed name/value block: u32 count, then u32-length-prefixed names and values (values joined by NUL). */
export function encodeHeaderBlock(headers: Record<string, string[]>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n, 0);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'latin1');
    const v = Buffer.from(values.join('\0'), 'latin1');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(b: Buffer): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let off = 0;
  const u32 = () => {
    if (off + 4 > b.length) throw new SpdyProtocolError('header block truncated');
    const v = b.readUInt32BE(off);
    off += 4;
    return v;
  };
  const bytes = (n: number) => {
    if (off + n > b.length) throw new SpdyProtocolError('header block truncated');
    const s = b.toString('latin1', off, off + n);
    off += n;
    return s;
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32());
    const value = bytes(u32());
    if (!name) throw new SpdyProtocolError('empty header name');
    out[name] = value.split('\0');
  }
  return out;
}

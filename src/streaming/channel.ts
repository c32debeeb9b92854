/**
 * The Kubernetes channel protocol (pure): every WebSocket binary message is
 * [channel:u8][payload]. v4.channel.k8s.io and v5.channel.k8s.io share the
 * layout; v5 adds the client's [255, ch] that half-closes channel ch (how
 * `kubectl cp` says its tar stream on stdin has ended).
 */

export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export const PROTOCOL_V5 = 'v5.channel.k8s.io';
export const PROTOCOL_V4 = 'v4.channel.k8s.io';
/** What kubectl's port-forward tunnel negotiates: SPDY/3.1 frames inside WebSocket messages. */
export const PROTOCOL_PORTFORWARD_TUNNEL = 'SPDY/3.1+portforward.k8s.io';
/** SPDY sub-protocols (X-Stream-Protocol-Version) for exec/attach and for port-forward. */
export const SPDY_REMOTECOMMAND_V4 = 'v4.channel.k8s.io';
export const SPDY_PORTFORWARD = 'portforward.k8s.io';

export function encodeChannel(channel: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const b = Buffer.allocUnsafe(p.length + 1);
  b[0] = channel;
  p.copy(b, 1);
  return b;
}

export type ChannelMessage =
  { kind: 'data'; channel: number; payload: Buffer } | { kind: 'close'; channel: number } | { kind: 'empty' };

/** Decodes a client message; `close` only exists under v5 (under v4 channel 255 is just an unknown channel). */
export function decodeChannel(msg: Buffer, v5: boolean): ChannelMessage {
  if (msg.length === 0) return { kind: 'empty' };
  const channel = msg[0]!;
  if (v5 && channel === Channel.close && msg.length === 2) return { kind: 'close', channel: msg[1]! };
  return { kind: 'data', channel, payload: msg.subarray(1) };
}

/** The port-forward channel protocol (v4.channel.k8s.io, the JS client's): port i uses data channel 2i and error 2i+1; each channel's first server message carries the port (u16 little-endian). */
export function portPrefix(channel: number, port: number): Buffer {
  const b = Buffer.alloc(3);
  b[0] = channel;
  b.writeUInt16LE(port, 1);
  return b;
}

export interface TerminalSize {
  width: number;
  height: number;
}

/**
 * Terminal sizes from a resize stream: kubectl sends Go's json.Encoder output
 * ({"Width":100,"Height":30}\n), the JS client {"height":30,"width":100}; Go
 * decodes keys without regard to case and objects may arrive concatenated or
 * split. Returns the sizes complete so far and the unparsed rest.
 */
export function parseResizeStream(text: string): { sizes: TerminalSize[]; rest: string } {
  const sizes: TerminalSize[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && depth > 0 && --depth === 0) {
      const size = sizeOf(text.slice(start, i + 1));
      if (size) sizes.push(size);
    }
  }
  return { sizes, rest: depth > 0 ? text.slice(start) : '' };
}

function sizeOf(json: string): TerminalSize | undefined {
  let o: unknown;
  try {
    o = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!o || typeof o !== 'object') return undefined;
  let width: number | undefined, height: number | undefined;
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535) continue;
    if (k.toLowerCase() === 'width') width = v;
    if (k.toLowerCase() === 'height') height = v;
  }
  return width !== undefined && height !== undefined ? { width, height } : undefined;
}

/**
 * One exchange with one upstream resolver over UDP or TCP. A fresh UDP
 * socket per query gives a random source port (spoofing defence) and never
 * mixes answers; the reply must match the ID and question or it is ignored.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { isIPv6 } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

/** "1.2.3.4", "1.2.3.4:5353", "[::1]:53", "::1" -> Upstream. Throws with what to write instead. */
export function parseUpstream(text: string): Upstream {
  const s = text.trim();
  let host = s,
    port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) {
    host = bracket[1]!;
    port = bracket[2] ? Number(bracket[2]) : 53;
  } else if (!isIPv6(s) && s.includes(':')) {
    host = s.slice(0, s.lastIndexOf(':'));
    port = Number(s.slice(s.lastIndexOf(':') + 1));
  }
  if (!net.isIP(host))
    throw new Error(`upstream "${text}": expected IP[:PORT] (e.g. 1.1.1.1 or 127.0.0.1:5353 or [::1]:53)`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`upstream "${text}": port must be 1-65535`);
  return { host, port };
}

/** The nameservers of a resolv.conf text (the host's upstreams by default). */
export function nameserversFromResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    try {
      out.push(parseUpstream(m[1]!.replace(/%.*$/, '')));
    } catch {
      /* not an IP: ignore like libc does */
    }
  }
  return out;
}

/** True when `reply` answers `query`: same ID and the same question bytes (case-insensitive). */
/**
 * Whether `reply` answers `query`: a response with the same ID and the same
 * question (the name compared ignoring ASCII case, type and class exactly),
 * so a stray or spoofed datagram for another question is ignored.
 */
export function answersQuery(query: Buffer, reply: Buffer): boolean {
  if (reply.length < 12 || query.length < 12 || reply.readUInt16BE(0) !== query.readUInt16BE(0)) return false;
  if ((reply[2]! & 0x80) === 0) return false;
  let i = 12;
  for (let len = query[i]; len !== undefined && len !== 0; len = query[i]) {
    if (len > 63) return false; // our own queries are never compressed
    for (let j = i + 1; j <= i + len; j++) {
      if (j >= reply.length || j >= query.length || foldAscii(query[j]!) !== foldAscii(reply[j]!)) return false;
    }
    if (reply[i] !== len) return false;
    i += 1 + len;
  }
  const end = i + 5; // the root label, then type and class
  if (end > query.length || end > reply.length) return false;
  return query.subarray(i, end).equals(reply.subarray(i, end));
}

const foldAscii = (b: number): number => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);

export function exchangeUdp(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(isIPv6(up.host) ? 'udp6' : 'udp4');
    const done = (err: Error | undefined, reply?: Buffer) => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(
      () => done(new Error(`upstream ${up.host}:${up.port} did not answer over UDP within ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.on('error', (e) => done(e));
    sock.on('message', (msg, rinfo) => {
      if (rinfo.port !== up.port || !answersQuery(query, msg)) return;
      done(undefined, msg);
    });
    sock.send(query, up.port, up.host);
  });
}

export function exchangeTcp(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: up.host, port: up.port });
    let buf = Buffer.alloc(0);
    let finished = false;
    const done = (err: Error | undefined, reply?: Buffer) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(
      () => done(new Error(`upstream ${up.host}:${up.port} did not answer over TCP within ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.on('error', (e) => done(e));
    sock.on('close', () =>
      done(new Error(`upstream ${up.host}:${up.port} closed the TCP connection without an answer`)),
    );
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2) return;
      const n = buf.readUInt16BE(0);
      if (buf.length < 2 + n) return;
      const reply = buf.subarray(2, 2 + n);
      if (answersQuery(query, reply)) done(undefined, reply);
      else done(new Error(`upstream ${up.host}:${up.port} sent a TCP reply that does not match the query`));
    });
  });
}

/**
 * UDP and TCP listeners on one address and port. TCP carries
 * length-prefixed messages (RFC 1035 4.2.2, several per connection, RFC
 * 7766) with an idle timeout and a connection cap so a flood of idle
 * sockets cannot exhaust the process.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { DnsHandler } from './handler.js';

export interface ListenOptions { host: string; port: number; maxTcpConnections?: number; tcpIdleMs?: number; log?: (m: string) => void }
export interface Listeners { host: string; port: number; close(): Promise<void> }

/**
 * With port 0 the kernel picks a free UDP port and TCP takes the same
 * number; if that TCP port is busy, try another (a few times).
 */
export async function startListeners(handler: DnsHandler, opts: ListenOptions): Promise<Listeners> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await listenOnce(handler, opts);
    } catch (e) {
      if (opts.port !== 0 || attempt >= 5 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
}

async function listenOnce(handler: DnsHandler, opts: ListenOptions): Promise<Listeners> {
  const log = opts.log ?? (() => {});
  const family = net.isIPv6(opts.host) ? 6 : 4;
  // Replies go to rinfo.address, always an IP literal: resolve it in place. The default
  // lookup defers every send by a tick (dns.lookup's nextTick), which costs a hop per answer.
  const lookup = (address: string, _family: unknown, cb: (err: Error | null, address: string, family: number) => void) => cb(null, address, family);
  const udp = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: false, lookup: lookup as never });
  udp.on('message', (msg, rinfo) => {
    // Repeats of cached cluster answers: synchronous, no parse, no promise.
    const fast = handler.answerFast(msg, false);
    if (fast) { udp.send(fast, rinfo.port, rinfo.address); return; }
    handler.handle(msg, rinfo.address, false).then((out) => {
      if (out) udp.send(out, rinfo.port, rinfo.address);
    }, (e: Error) => log(`dns: internal error answering ${rinfo.address}: ${e.stack ?? e.message}`));
  });
  udp.on('error', (e) => log(`dns: UDP socket error: ${e.message}`));
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(opts.port, opts.host, () => { udp.off('error', reject); resolve(); });
  });
  const port = udp.address().port;

  const sockets = new Set<net.Socket>();
  const maxConns = opts.maxTcpConnections ?? 1000;
  const tcp = net.createServer((sock) => {
    if (sockets.size >= maxConns) { sock.destroy(); return; }
    sockets.add(sock);
    sock.setTimeout(opts.tcpIdleMs ?? 10_000, () => sock.destroy());
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) break;
        const req = buf.subarray(2, 2 + n);
        buf = buf.subarray(2 + n);
        const write = (out: Buffer | undefined) => {
          if (!out) { sock.destroy(); return; } // garbage on a stream: the framing can no longer be trusted
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          if (!sock.destroyed) sock.write(Buffer.concat([len, out]));
        };
        const fast = handler.answerFast(req, true);
        if (fast) { write(fast); continue; }
        handler.handle(Buffer.from(req), sock.remoteAddress ?? '', true).then(write,
          (e: Error) => { log(`dns: internal error answering ${sock.remoteAddress} over TCP: ${e.stack ?? e.message}`); sock.destroy(); });
      }
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, opts.host, () => { tcp.off('error', reject); resolve(); });
    });
  } catch (e) {
    await new Promise<void>((r) => udp.close(() => r()));
    throw e;
  }

  return {
    host: opts.host,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]);
    },
  };
}

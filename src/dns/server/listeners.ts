/**
 * UDP and TCP listeners on one address and port. TCP carries
 * length-prefixed messages (RFC 1035 4.2.2, several per connection, RFC
 * 7766) with an idle timeout and a connection cap so a flood of idle
 * sockets cannot exhaust the process.
 */
import net from 'node:net';
import type { DnsHandler } from './handler.js';
import { loadNative } from '../../native/native.js';
import { startBatchedUdp } from './udp-batched.js';
import { startDgramUdp, type UdpServer } from './udp-dgram.js';
import { error } from '../../log/log.js';

export interface ListenOptions {
  host: string;
  port: number;
  maxTcpConnections?: number;
  tcpIdleMs?: number;
  log?: (m: string) => void;
  /** UDP through the native batch socket (default when it is built) or Node's dgram. */
  udp?: 'batched' | 'dgram';
}
export interface Listeners {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** The UDP side: batched when the native module is there (PODNET_DNS_UDP=dgram forces dgram). */
function startUdp(handler: DnsHandler, opts: ListenOptions, log: (m: string) => void): Promise<UdpServer> {
  const kind = opts.udp ?? (process.env.PODNET_DNS_UDP === 'dgram' || !loadNative() ? 'dgram' : 'batched');
  return kind === 'batched'
    ? startBatchedUdp(handler, opts.host, opts.port, log)
    : startDgramUdp(handler, opts.host, opts.port, log);
}

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
  const udp = await startUdp(handler, opts, log);
  const port = udp.port;

  const sockets = new Set<net.Socket>();
  const maxConns = opts.maxTcpConnections ?? 1000;
  const tcp = net.createServer((sock) => {
    if (sockets.size >= maxConns) {
      sock.destroy();
      return;
    }
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
          if (!out) {
            sock.destroy();
            return;
          } // garbage on a stream: the framing can no longer be trusted
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          if (!sock.destroyed) sock.write(Buffer.concat([len, out]));
        };
        const fast = handler.answerFast(req, true);
        if (fast) {
          write(fast);
          continue;
        }
        handler.handle(Buffer.from(req), sock.remoteAddress ?? '', true).then(write, (e: Error) => {
          error(log, `internal error answering ${sock.remoteAddress} over TCP: ${e.stack ?? e.message}`);
          sock.destroy();
        });
      }
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, opts.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await udp.close();
    throw e;
  }

  return {
    host: opts.host,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([udp.close(), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}

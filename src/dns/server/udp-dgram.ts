/** The UDP side of podnet dns over Node's dgram: one callback and one send per datagram (the fallback when the native batch socket is not built). */
import dgram from 'node:dgram';
import net from 'node:net';
import type { DnsHandler } from './handler.js';
import { error } from '../../log/log.js';

export interface UdpServer {
  port: number;
  close(): Promise<void>;
}

export async function startDgramUdp(
  handler: DnsHandler,
  host: string,
  port: number,
  log: (m: string) => void,
): Promise<UdpServer> {
  const family = net.isIPv6(host) ? 6 : 4;
  // Replies go to rinfo.address, always an IP literal: resolve it in place. The default
  // lookup defers every send by a tick (dns.lookup's nextTick), which costs a hop per answer.
  const lookup = (
    address: string,
    _family: unknown,
    cb: (err: Error | null, address: string, family: number) => void,
  ) => cb(null, address, family);
  const udp = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: false, lookup: lookup });
  udp.on('message', (msg, rinfo) => {
    // Direct answers and repeats of cached cluster answers: synchronous, no parse, no promise.
    const fast = handler.answerFast(msg, false);
    if (fast) {
      udp.send(fast, rinfo.port, rinfo.address);
      return;
    }
    handler.handle(msg, rinfo.address, false).then(
      (out) => {
        if (out) udp.send(out, rinfo.port, rinfo.address);
      },
      (e: Error) => error(log, `internal error answering ${rinfo.address}: ${e.stack ?? e.message}`),
    );
  });
  udp.on('error', (e) => error(log, `UDP socket error: ${e.message}`));
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  return { port: udp.address().port, close: () => new Promise<void>((r) => udp.close(() => r())) };
}

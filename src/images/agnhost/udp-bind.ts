/** Binds a UDP socket: the given address, or every address (IPv6 dual-stack, IPv4 when the pod has no IPv6). */
import dgram from 'node:dgram';
import { isIP } from 'node:net';

type LookupCallback = (err: Error | null, address: string, family: number) => void;

/**
 * dgram resolves even an IP literal through dns.lookup, and loading node:dns
 * was a fifth of netexec's start-up (once per pod): literals answer at once,
 * only a name loads the resolver.
 */
export function literalFirstLookup(address: string, family: unknown, callback: LookupCallback): void {
  const literal = isIP(address);
  if (literal) {
    callback(null, address, literal);
    return;
  }
  import('node:dns').then(
    (dns) => dns.lookup(address, family as number, callback),
    (e: Error) => callback(e, '', 0),
  );
}

export function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  const attempt = (type: 'udp4' | 'udp6', addr: string): Promise<dgram.Socket> =>
    new Promise((resolve, reject) => {
      const s = dgram.createSocket({ type, lookup: literalFirstLookup });
      s.once('error', (e) => {
        s.close();
        reject(e);
      });
      s.bind(port, addr, () => {
        s.removeAllListeners('error');
        resolve(s);
      });
    });
  if (address !== '') return attempt(address.includes(':') ? 'udp6' : 'udp4', address);
  return attempt('udp6', '::').catch(() => attempt('udp4', '0.0.0.0'));
}

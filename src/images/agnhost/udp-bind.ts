/** Binds a UDP socket: the given address, or every address (IPv6 dual-stack, IPv4 when the pod has no IPv6). */
import dgram from 'node:dgram';

export function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  const attempt = (type: 'udp4' | 'udp6', addr: string): Promise<dgram.Socket> =>
    new Promise((resolve, reject) => {
      const s = dgram.createSocket(type);
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

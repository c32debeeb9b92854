/**
 * The controller's own sockets: /healthz, /readyz and /metrics over HTTP,
 * and the access log HAProxy sends as syslog datagrams, printed to stdout
 * one JSON line per request (so `kubectl logs` shows it).
 */
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BATCH_SLOT_BYTES, loadNative } from '../native/native.js';

export interface Listening {
  port: number;
  close(): Promise<void>;
}

export async function serveHttp(
  host: string,
  port: number,
  ready: () => boolean,
  metrics: () => string,
): Promise<Listening> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    else if (path === '/readyz') {
      const ok = ready();
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ok ? 'ok\n' : 'not ready: informers not synced or HAProxy not started\n');
    } else if (path === '/metrics') res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics());
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz, /readyz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * Receives HAProxy's raw-format syslog datagrams and passes them on as
 * lines, several at a time: with the native module one wakeup reads up to
 * 64 datagrams (recvmmsg) and they leave in one write, where Node's dgram
 * pays a callback and a write per request logged.
 */
export async function receiveAccessLog(host: string, port: number, write: (lines: string) => void): Promise<Listening> {
  const native = loadNative();
  if (native) {
    const bufs: { data: Buffer; lengths: Int32Array } = { data: Buffer.alloc(0), lengths: new Int32Array(0) };
    const sock = native.open(host, port, (count) => {
      let text = '';
      for (let i = 0; i < count; i++) {
        const at = i * BATCH_SLOT_BYTES;
        text += lineOf(bufs.data.toString('utf8', at, at + bufs.lengths[i]!));
      }
      write(text);
    });
    const b = sock.buffers();
    bufs.data = Buffer.from(b.data);
    bufs.lengths = b.lengths;
    return {
      port: sock.port(),
      close: () => Promise.resolve(sock.close()),
    };
  }
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  sock.on('message', (msg) => write(lineOf(msg.toString('utf8'))));
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, host, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  sock.on('error', () => undefined); // a receive error loses one log line; the socket stays open
  return {
    port: sock.address().port,
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

const lineOf = (datagram: string) => datagram.replace(/\n+$/, '') + '\n';

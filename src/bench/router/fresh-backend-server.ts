/**
 * The fresh backends, as their own process on the server core: an HTTP
 * server on BACKEND_PORT of every fresh address the parent names, each
 * answering with its own address. The parent arms an address before the
 * API write that adds it; the first request that reaches it afterwards is
 * reported with its arrival time on the monotonic clock
 * (`process.hrtime`, CLOCK_MONOTONIC, the same clock in every process of
 * the machine), so IPC delays do not enter the measurement.
 *
 * Messages in:  { op: 'listen', addresses } | { op: 'arm', address }
 * Messages out: { op: 'listening' } | { op: 'armed', address } | { op: 'hit', address, atNs } | { op: 'error', message }
 */
import { createServer, type Server } from 'node:http';
import { BACKEND_PORT } from './net.js';

export type FreshIn = { op: 'listen'; addresses: string[] } | { op: 'arm'; address: string };
export type FreshOut =
  | { op: 'listening' }
  | { op: 'armed'; address: string }
  | { op: 'hit'; address: string; atNs: string }
  | { op: 'error'; message: string };

const send = (m: FreshOut) => process.send!(m);
const armed = new Set<string>();
const servers: Server[] = [];

const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
  const at = process.hrtime.bigint();
  const address = req.socket.localAddress ?? '';
  if (armed.delete(address)) send({ op: 'hit', address, atNs: at.toString() });
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`fresh ${address}\n`);
};

async function listen(addresses: string[]): Promise<void> {
  for (const a of addresses) {
    const s = createServer({ keepAliveTimeout: 300_000 }, handler);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(BACKEND_PORT, a, 4096, resolve);
    });
    servers.push(s);
  }
}

process.on('message', (m: FreshIn) => {
  if (m.op === 'arm') {
    armed.add(m.address);
    send({ op: 'armed', address: m.address });
  } else if (m.op === 'listen')
    listen(m.addresses).then(
      () => send({ op: 'listening' }),
      (e: Error) => send({ op: 'error', message: e.message }),
    );
});
// The parent going away ends us (the IPC channel closes).
process.on('disconnect', () => process.exit(0));

/**
 * agnhost serve-hostname: answers every request with the hostname over
 * HTTP (default), or raw TCP / UDP with --tcp / --udp (and --http=false).
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { remoteAddr } from './addr.js';
import { parseFlags, type FlagSpec } from './flags.js';
import { fatal, log } from './log.js';
import { exitOnTermination } from './signals.js';
import { bindUdp } from './udp-bind.js';

export const SERVE_HOSTNAME_FLAGS: FlagSpec = {
  tcp: { type: 'bool', default: false, help: 'Serve raw over TCP.' },
  udp: { type: 'bool', default: false, help: 'Serve raw over UDP.' },
  http: { type: 'bool', default: true, help: 'Serve HTTP.' },
  close: { type: 'bool', default: false, help: 'Close connection per each HTTP request.' },
  port: { type: 'int', default: 9376, help: 'Port number.' },
};

export function serveHostname(args: string[]): void {
  const parsed = parseFlags(args, SERVE_HOSTNAME_FLAGS);
  if (!parsed.ok) fatal(`Error: ${parsed.message}`);
  const f = parsed.values;
  if (f.http && (f.tcp || f.udp)) fatal("Can't serve TCP/UDP mode and HTTP mode at the same time (add --http=false)");
  const name = hostname();
  const port = f.port as number;
  const closers: (() => void)[] = [];
  exitOnTermination(() => closers.forEach((c) => c()));
  const listening = (what: string, p: number): void => log(`Serving ${what} on port ${p}.`);

  if (f.tcp) {
    const server = net.createServer((conn) => {
      log(`TCP request from ${remoteAddr(conn.remoteAddress, conn.remotePort)}`);
      conn.end(name);
    });
    server.on('error', (e) => fatal(`Error from net.Listen(): ${e.message}`));
    server.listen(port, () => listening('TCP', (server.address() as AddressInfo).port));
    closers.push(() => server.close());
  }
  if (f.udp) {
    void bindUdp('', port).then(
      (sock) => {
        sock.on('error', (e) => fatal(`Error from ReadFrom(): ${e.message}`));
        sock.on('message', (_m, r) => {
          log(`UDP request from ${remoteAddr(r.address, r.port)}`);
          sock.send(name, r.port, r.address);
        });
        closers.push(() => sock.close());
        listening('UDP', sock.address().port);
      },
      (e: Error) => fatal(`Error from ListenUDP(): ${e.message}`),
    );
  }
  if (f.http) {
    const server = http.createServer((req, res) => {
      log(`HTTP request from ${remoteAddr(req.socket.remoteAddress, req.socket.remotePort)}`);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', ...(f.close ? { Connection: 'close' } : {}) });
      res.end(name);
    });
    server.on('error', (e) => fatal(`Error from ListenAndServe(): ${e.message}`));
    server.listen(port, () => listening('HTTP', (server.address() as AddressInfo).port));
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
  }
}

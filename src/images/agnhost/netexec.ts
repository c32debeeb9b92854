/**
 * agnhost netexec: the HTTP server (netexec-http.ts) plus the UDP server,
 * on all addresses. With port 0 the kernel picks one and the start-up log
 * line names it (tests read it from there).
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { remoteAddr } from './addr.js';
import { parseFlags, type FlagSpec } from './flags.js';
import { fatal, log } from './log.js';
import { netexecHandler } from './netexec-http.js';
import { exitOnTermination } from './signals.js';
import { udpAnswer } from './udp-commands.js';
import { bindUdp } from './udp-bind.js';

export const NETEXEC_FLAGS: FlagSpec = {
  'http-port': { type: 'int', default: 8080, help: 'HTTP Listen Port' },
  'udp-port': { type: 'int', default: 8081, help: 'UDP Listen Port (-1 turns the UDP server off)' },
  'sctp-port': { type: 'int', default: -1, help: "SCTP Listen Port (not supported by podnet's agnhost)" },
  'tls-cert-file': { type: 'string', default: '', help: 'File containing an x509 certificate for HTTPS' },
  'tls-private-key-file': {
    type: 'string',
    default: '',
    help: 'File containing an x509 private key matching --tls-cert-file',
  },
  'http-override': {
    type: 'string',
    default: '',
    help: 'Override the HTTP handler to always respond as if it were a GET with this path & params',
  },
  'udp-listen-addresses': {
    type: 'string',
    default: '',
    help: 'A comma separated list of ip addresses the udp servers listen from',
  },
};

function serveUdp(sock: dgram.Socket): void {
  sock.on('message', (msg, rinfo) => {
    const client = remoteAddr(rinfo.address, rinfo.port);
    const answer = udpAnswer(msg.toString(), hostname(), client);
    if (answer === undefined) {
      if (msg.toString().trim() !== '')
        log(`Unknown UDP command received from ${client}: ${msg.toString().trim().toLowerCase()}`);
      return;
    }
    log(`UDP ${msg.toString().trim().toLowerCase().split(' ')[0]} from ${client}`);
    sock.send(answer, rinfo.port, rinfo.address);
  });
  sock.on('error', (e) => fatal(`Error occurred: UDP server failed: ${e.message}`));
}

export async function netexec(args: string[]): Promise<void> {
  const parsed = parseFlags(args, NETEXEC_FLAGS);
  if (!parsed.ok) fatal(`Error: ${parsed.message}`);
  const f = parsed.values;
  if (f['sctp-port'] !== -1)
    fatal("Error: --sctp-port is not supported by podnet's agnhost (Node.js has no SCTP sockets)");

  let udpReady = f['udp-port'] === -1;
  const udpSockets: dgram.Socket[] = [];
  const certFile = f['tls-cert-file'] as string;
  const handler = netexecHandler({
    ready: () => udpReady,
    shutdown: (code, timeoutMs) => {
      setTimeout(() => process.exit(code), timeoutMs).unref();
      server.close(() => {
        log('Graceful shutdown completed');
        process.exit(code);
      });
      server.closeIdleConnections();
    },
    ...(f['http-override'] ? { override: f['http-override'] as string } : {}),
  });
  const server = certFile
    ? https.createServer(
        { cert: readFileSync(certFile), key: readFileSync((f['tls-private-key-file'] as string) || certFile) },
        handler,
      )
    : http.createServer(handler);

  exitOnTermination(async () => {
    for (const s of udpSockets) s.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  server.on('error', (e) => fatal(`Error occurred: HTTP server failed: ${e.message}`));
  server.listen(f['http-port'] as number, () =>
    log(`Started HTTP server on port ${(server.address() as AddressInfo).port}`),
  );

  if (f['udp-port'] !== -1) {
    const addresses = [...new Set((f['udp-listen-addresses'] as string).split(',').map((a) => a.trim()))];
    for (const address of addresses) {
      const sock = await bindUdp(address, f['udp-port'] as number).catch((e: Error) =>
        fatal(`Error occurred: failed to create listener for UDP address ${address}:${f['udp-port']}: ${e.message}`),
      );
      udpSockets.push(sock);
      serveUdp(sock);
      log(`Started UDP server on port ${address} ${sock.address().port}`);
    }
    udpReady = true;
  }
}

/**
 * Clients the router's end-to-end test talks to a node's port 80/443 with,
 * as a user's browser, curl or load tool would: HTTP with a Host header,
 * TLS with SNI, a WebSocket, raw bytes, and wrk counting every failed
 * request.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { createHash, randomBytes } from 'node:crypto';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function get(
  ip: string,
  host: string,
  path: string,
  opts: { headers?: Record<string, string>; agent?: http.Agent; timeoutMs?: number; method?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: ip,
        port: 80,
        path,
        method: opts.method ?? 'GET',
        headers: { ...opts.headers, host },
        agent: opts.agent ?? false,
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${ip} for ${host}${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/** The subject CN of the certificate a TLS server presents for this SNI name, and the ALPN it picked. */
export function tlsHello(
  ip: string,
  servername: string,
  alpn = ['h2', 'http/1.1'],
): Promise<{ cn: string; alpn: string }> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: ip, port: 443, servername, rejectUnauthorized: false, ALPNProtocols: alpn }, () => {
      const cert = s.getPeerCertificate();
      const cn = typeof cert.subject?.CN === 'string' ? cert.subject.CN : '';
      resolve({ cn, alpn: s.alpnProtocol || '' });
      s.end();
    });
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error(`TLS to ${ip} (${servername}) timed out`)));
  });
}

/** A GET over TLS with SNI = host, trusting only `ca` (so a wrong certificate fails). */
export function httpsGet(ip: string, host: string, path: string, ca: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: ip, port: 443, path, servername: host, ca, headers: { host }, agent: false, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${ip} for https://${host}${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket through the router, sends one text message, and returns the first message back. */
export function wsEcho(ip: string, host: string, path: string, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const sock = net.connect(80, ip);
    sock.setTimeout(10_000, () => sock.destroy(new Error('WebSocket echo timed out')));
    let buf = Buffer.alloc(0);
    let upgraded = false;
    sock.on('connect', () => {
      sock.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        if (!/^HTTP\/1\.1 101/.test(head) || !head.includes(accept)) {
          sock.destroy();
          return reject(new Error(`no WebSocket upgrade: ${head.split('\r\n')[0]}`));
        }
        upgraded = true;
        buf = buf.subarray(end + 4);
        const payload = Buffer.from(message);
        const mask = randomBytes(4);
        const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
        sock.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
      }
      if (buf.length >= 2 && buf.length >= 2 + (buf[1]! & 0x7f)) {
        resolve(buf.subarray(2, 2 + (buf[1]! & 0x7f)).toString());
        sock.end();
      }
    });
    sock.on('error', reject);
  });
}

/** The source of a WebSocket echo server (plain Node, no packages) for a pod: `node -e SCRIPT PORT`. */
export const WS_ECHO_SERVER = `
const http = require('http'), crypto = require('crypto');
const s = http.createServer((q, r) => r.end('ws-echo ' + require('os').hostname() + '\\n'));
s.on('upgrade', (req, sock) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  sock.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n');
  sock.on('data', (d) => {
    const len = d[1] & 0x7f, mask = d.subarray(2, 6), data = Buffer.from(d.subarray(6, 6 + len).map((b, i) => b ^ mask[i % 4]));
    sock.write(Buffer.concat([Buffer.from([0x81, data.length]), data]));
  });
});
s.listen(Number(process.argv[1] || 8080));
`;

/** Sends raw bytes and returns everything the server sends back until it closes (or the timeout). */
export function raw(ip: string, port: number, text: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(port, ip);
    let out = '';
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(out);
    };
    const timer = setTimeout(done, timeoutMs);
    sock.on('data', (d: Buffer) => (out += d.toString('latin1')));
    sock.on('close', done);
    sock.on('error', done);
    sock.write(text);
  });
}

export interface WrkResult {
  requests: number;
  non2xx: number;
  /** connect, read, write and timeout errors as wrk counts them */
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  output: string;
}

/**
 * wrk against one route in its own process (a load generator in this process would stall whenever the test
 * blocks on kubectl); stop() interrupts it and parses its summary.
 */
export function startWrk(
  ip: string,
  host: string,
  path: string,
  opts: { connections: number; newConnections?: boolean },
) {
  const args = ['-t', '1', '-c', String(opts.connections), '-d', '3600s', '--timeout', '5s', '-H', `Host: ${host}`];
  if (opts.newConnections) args.push('-H', 'Connection: close');
  const child = spawn('wrk', [...args, `http://${ip}${path}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  return {
    async stop(): Promise<WrkResult> {
      child.kill('SIGINT');
      await exited;
      const n = (re: RegExp) => Number(re.exec(output)?.[1] ?? 0);
      return {
        requests: n(/(\d+) requests in/),
        non2xx: n(/Non-2xx or 3xx responses: (\d+)/),
        socketErrors: {
          connect: n(/connect (\d+)/),
          read: n(/read (\d+)/),
          write: n(/write (\d+)/),
          timeout: n(/timeout (\d+)/),
        },
        output,
      };
    },
  };
}

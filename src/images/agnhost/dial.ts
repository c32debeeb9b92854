/**
 * netexec's /dial: the server itself connects to host:port (resolved with
 * the system resolver, i.e. the pod's /etc/resolv.conf), sends the request
 * `tries` times over HTTP or UDP, and reports what came back, in agnhost's
 * JSON shape and with Go-like error texts.
 */
import { lookup } from 'node:dns/promises';
import dgram from 'node:dgram';
import http from 'node:http';
import { isIP, isIPv6 } from 'node:net';
import { joinHostPort, remoteAddr } from './addr.js';

interface DialParams {
  host: string;
  port: number;
  request: string;
  protocol: 'http' | 'udp';
  tries: number;
}
interface DialReply {
  status: number;
  body: string;
}

const DIAL_TIMEOUT_MS = 5000;

/** Validates the query like agnhost, answering 400 with its messages. Pure. */
export function parseDialQuery(q: URLSearchParams): { ok: true; params: DialParams } | { ok: false; reply: DialReply } {
  const bad = (body: string): { ok: false; reply: DialReply } => ({
    ok: false,
    reply: { status: 400, body: `${body}\n` },
  });
  const triesText = q.get('tries') ?? '';
  const tries = triesText === '' ? 1 : /^[+-]?\d+$/.test(triesText) ? Number.parseInt(triesText, 10) : NaN;
  if (Number.isNaN(tries))
    return bad(`tries parameter is invalid. strconv.Atoi: parsing ${JSON.stringify(triesText)}: invalid syntax`);
  const request = q.get('request') ?? '';
  if (request === '') return bad('request parameter not specified. <nil>');
  const protocol = (q.get('protocol') ?? '').toLowerCase();
  if (protocol === 'sctp')
    return bad("unsupported protocol. sctp (podnet's agnhost has no SCTP: Node.js cannot open SCTP sockets)");
  if (protocol !== '' && protocol !== 'http' && protocol !== 'udp')
    return bad(`unsupported protocol. ${q.get('protocol')}`);
  const portText = q.get('port') ?? '';
  const port = /^\d+$/.test(portText) ? Number.parseInt(portText, 10) : NaN;
  if (!(port >= 0 && port <= 65535))
    return bad(
      `host and/or port param are invalid. ${protocol === 'udp' ? 'udp' : 'tcp'}: invalid port ${JSON.stringify(portText)}`,
    );
  return {
    ok: true,
    params: { host: q.get('host') ?? '', port, request, protocol: protocol === 'udp' ? 'udp' : 'http', tries },
  };
}

/** Go's JSON encoder escapes <, >, & and line separators; keep the bytes the same as agnhost's. */
const goJson = (v: unknown): string =>
  JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The caller-facing error text for a failed connection, in the words Go's net package uses. */
function goNetError(e: NodeJS.ErrnoException): string {
  const byCode: Record<string, string> = {
    ECONNREFUSED: 'connect: connection refused',
    EHOSTUNREACH: 'connect: no route to host',
    ENETUNREACH: 'connect: network is unreachable',
    ECONNRESET: 'read: connection reset by peer',
    ETIMEDOUT: 'i/o timeout',
  };
  return (e.code && byCode[e.code]) || e.message;
}

function dialHttp(ip: string, port: number, request: string): Promise<string> {
  const hostPort = joinHostPort(ip, port);
  const url = `http://${hostPort}/${request.replace(/^\//, '')}`;
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => reject(new Error(`Get ${JSON.stringify(url)}: ${why}`));
    const req = http.get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks).toString());
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        fail(e.message);
      });
    });
    // One deadline for connect + headers + body, like Go's http.Client.Timeout.
    const timer = setTimeout(() => {
      req.destroy();
      fail('context deadline exceeded (Client.Timeout exceeded while awaiting headers)');
    }, DIAL_TIMEOUT_MS);
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(`dial tcp ${hostPort}: ${goNetError(e)}`);
    });
  });
}

function dialUdp(ip: string, port: number, request: string): Promise<string> {
  const sock = dgram.createSocket(isIPv6(ip) ? 'udp6' : 'udp4');
  return new Promise<string>((resolve, reject) => {
    let local = '';
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `reading from udp connection failed. err:'read udp ${local}->${joinHostPort(ip, port)}: i/o timeout'`,
          ),
        ),
      DIAL_TIMEOUT_MS,
    );
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new Error(
          `reading from udp connection failed. err:'read udp ${local}->${joinHostPort(ip, port)}: recvfrom: ${goNetError(e).replace(/^\w+: /, '')}'`,
        ),
      );
    });
    sock.on('message', (msg) => {
      clearTimeout(timer);
      resolve(msg.toString());
    });
    sock.connect(port, ip, () => {
      const a = sock.address();
      local = remoteAddr(a.address, a.port);
      sock.send(request, (e) => {
        if (e) {
          clearTimeout(timer);
          reject(new Error(`udp connection write failed. err:${e.message}`));
        }
      });
    });
  }).finally(() => sock.close());
}

/** Resolves the host once (like agnhost), then performs the tries one after another. */
export async function dial(p: DialParams): Promise<DialReply> {
  let ip: string;
  try {
    // An empty host means this machine, as in Go's net.Dial.
    ip = p.host === '' ? '127.0.0.1' : isIP(p.host) ? p.host : (await lookup(p.host)).address;
  } catch (e) {
    return {
      status: 400,
      body: `host and/or port param are invalid. lookup ${p.host}: ${(e as NodeJS.ErrnoException).code === 'ENOTFOUND' ? 'no such host' : (e as Error).message}\n`,
    };
  }
  const responses: string[] = [];
  const errors: string[] = [];
  let last = '';
  for (let i = 0; i < p.tries; i++) {
    try {
      last = await (p.protocol === 'udp' ? dialUdp(ip, p.port, p.request) : dialHttp(ip, p.port, p.request));
      responses.push(last);
    } catch (e) {
      last = '';
      errors.push((e as Error).message);
    }
  }
  // agnhost's quirk, kept for tools that parse it: "responses" only when the last try got a non-empty answer.
  const output: Record<string, string[]> = {};
  if (errors.length > 0) output.errors = errors;
  if (last.length > 0) output.responses = responses;
  return { status: 200, body: goJson(output) };
}

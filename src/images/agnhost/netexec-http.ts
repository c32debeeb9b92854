/**
 * netexec's HTTP endpoints, answering like agnhost's: /hostname, /clientip,
 * /echo, /dial, /exit, /healthz, /redirect, /shell, /shutdown, and "/" (the
 * time) for every other path. /upload is left out: pods run on the node's
 * own filesystem, so it would write files anywhere on the node.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { remoteAddr } from './addr.js';
import { dial, parseDialQuery } from './dial.js';
import { parseGoDuration } from './go-duration.js';
import { log } from './log.js';
import { runShell } from './shell.js';

interface NetexecContext {
  /** /healthz is 200 only once the UDP server listens (or when it is off). */
  ready: () => boolean;
  /** Stops accepting, waits up to timeoutMs for open connections, exits with code. */
  shutdown: (code: number, timeoutMs: number) => void;
  /** --http-override: serve every request as a GET of this path. */
  override?: string;
}

const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Handler = (
  q: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: NetexecContext,
) => void | Promise<void>;

const routes: Record<string, Handler> = {
  '/hostname': (_q, req, res) => {
    log(`${req.method} /hostname`);
    send(res, 200, hostname());
  },
  '/hostName': (_q, req, res) => {
    log(`${req.method} /hostName`);
    send(res, 200, hostname());
  },
  '/clientip': (_q, req, res) => {
    log(`${req.method} /clientip`);
    send(res, 200, remoteAddr(req.socket.remoteAddress, req.socket.remotePort));
  },
  '/healthz': (_q, req, res, ctx) => {
    log(`${req.method} /healthz`);
    send(res, ctx.ready() ? 200 : 412, '');
  },
  '/echo': (q, req, res) => {
    const msg = q.get('msg') ?? '';
    const codeText = q.get('code') ?? '';
    log(`${req.method} /echo?msg=${msg}&code=${codeText}`);
    if (codeText === '') return send(res, 200, msg);
    const code = /^[+-]?\d+$/.test(codeText) ? Number.parseInt(codeText, 10) : NaN;
    if (Number.isNaN(code))
      return send(res, 200, `argument 'code' must be an integer or empty, got ${JSON.stringify(codeText)}\n`);
    if (code < 100 || code > 999) {
      req.socket.destroy();
      return;
    } // Go's WriteHeader rejects these; the client sees a dropped connection
    send(res, code, msg);
  },
  '/redirect': (q, req, res) => {
    const location = q.get('location') ?? '';
    const codeText = q.get('code') ?? '';
    log(`${req.method} /redirect?msg=${location}&code=${codeText}`);
    const code = codeText === '' ? 302 : /^\d+$/.test(codeText) ? Number.parseInt(codeText, 10) : NaN;
    if (Number.isNaN(code))
      return send(res, 200, `argument 'code' must be an integer or empty, got ${JSON.stringify(codeText)}\n`);
    send(res, code, req.method === 'GET' ? `<a href="${location.replace(/"/g, '&#34;')}">Redirect</a>.\n\n` : '', {
      Location: location,
      'Content-Type': 'text/html; charset=utf-8',
    });
  },
  '/dial': async (q, req, res) => {
    log(
      `${req.method} /dial?host=${q.get('host') ?? ''}&protocol=${q.get('protocol') ?? ''}&port=${q.get('port') ?? ''}&request=${q.get('request') ?? ''}&tries=${q.get('tries') ?? ''}`,
    );
    const parsed = parseDialQuery(q);
    const reply = parsed.ok ? await dial(parsed.params) : parsed.reply;
    send(res, reply.status, reply.body, reply.status === 200 ? { 'Content-Type': 'application/json' } : {});
  },
  '/exit': async (q, req, res, ctx) => {
    const [codeText, timeoutText, waitText] = [q.get('code') ?? '', q.get('timeout') ?? '', q.get('wait') ?? ''];
    log(`${req.method} /exit?code=${codeText}&timeout=${timeoutText}&wait=${waitText}`);
    const timeout = timeoutText === '' ? 0 : parseGoDuration(timeoutText);
    if (timeout === undefined)
      return send(
        res,
        200,
        `argument 'timeout' must be a valid golang duration or empty, got ${JSON.stringify(timeoutText)}\n`,
      );
    const wait = waitText === '' ? 0 : parseGoDuration(waitText);
    if (wait === undefined)
      return send(
        res,
        200,
        `argument 'wait' must be a valid golang duration or empty, got ${JSON.stringify(waitText)}\n`,
      );
    const code = codeText === '' ? 0 : /^[+-]?\d+$/.test(codeText) ? Number.parseInt(codeText, 10) : NaN;
    if (Number.isNaN(code))
      return send(res, 200, `argument 'code' must be an integer [0-127] or empty, got ${JSON.stringify(codeText)}\n`);
    log(
      `Will begin shutdown in ${waitText || '0s'}, allowing ${timeoutText || '0s'} for connections to close, then will exit with ${code}`,
    );
    if (wait > 0) await sleep(wait);
    // Like agnhost: no timeout means exit at once, without answering.
    if (timeout <= 0) process.exit(code);
    send(res, 200, '');
    ctx.shutdown(code, timeout);
  },
  '/shutdown': (_q, req) => {
    log(`${req.method} /shutdown`);
    process.exit(0);
  },
  '/shell': async (q, req, res) => {
    const command = q.get('shellCommand') || (q.get('cmd') ?? '');
    log(`${req.method} /shell?cmd=${command}`);
    const reply = await runShell(command);
    log(`Output: ${JSON.stringify(reply)}`);
    send(res, 200, JSON.stringify(reply), { 'Content-Type': 'application/json' });
  },
  '/upload': (_q, req, res) => {
    log(`${req.method} /upload (refused)`);
    send(res, 501, "podnet's agnhost does not implement /upload: pods share the node's filesystem\n");
  },
};

const root: Handler = (_q, req, res) => {
  log(`${req.method} /`);
  send(res, 200, `NOW: ${new Date().toISOString()}`);
};

export function netexecHandler(ctx: NetexecContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(ctx.override ?? req.url ?? '/', 'http://agnhost');
    const handler = routes[url.pathname] ?? root;
    Promise.resolve(handler(url.searchParams, req, res, ctx)).catch((e: Error) => {
      log(`error serving ${req.url}: ${e.message}`);
      if (!res.headersSent) send(res, 500, `${e.message}\n`);
      else res.destroy();
    });
  };
}

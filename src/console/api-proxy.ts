/**
 * Reads (lists, watches, pod logs) passed to the API server with the
 * browser user's token, streamed back as they come: a watch or a followed
 * log stays open until either side ends it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { failOver, serverCount, upstreamRequest, upstreamUrl, USER_AGENT, type Upstream } from './upstream.js';

/** Response headers worth passing back; hop-by-hop and cookies stay behind. */
const PASSED = ['content-type', 'content-encoding', 'warning'];

/** Reads only, so one the API server never answered may go to the next server (each at most once). */
export function proxyRead(up: Upstream, req: IncomingMessage, res: ServerResponse, token: string, tried = 1): void {
  const server = up.url;
  const target = upstreamUrl(up, req.url ?? '/');
  const outgoing = upstreamRequest(
    up,
    target,
    {
      method: req.method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: req.headers.accept ?? 'application/json',
        'user-agent': USER_AGENT,
      },
    },
    (answer) => {
      const headers: Record<string, string> = { 'cache-control': 'no-store' };
      for (const name of PASSED) {
        const v = answer.headers[name];
        if (typeof v === 'string') headers[name] = v;
      }
      res.writeHead(answer.statusCode ?? 502, headers);
      res.flushHeaders();
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    },
  );
  outgoing.on('error', (e) => {
    if (!res.headersSent && !res.destroyed && tried < serverCount(up) && failOver(up, server))
      return proxyRead(up, req, res, token, tried + 1);
    if (!res.headersSent) sendStatus(res, 502, `the API server at ${server.origin} cannot be reached: ${e.message}`);
    else res.destroy();
  });
  // The browser left (a view closed, a log viewer stopped): end the watch upstream too.
  res.on('close', () => outgoing.destroy());
  outgoing.end();
}

/** A Kubernetes-style Status body, so the page shows every error the same way. */
export function sendStatus(
  res: ServerResponse,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(statusBody(code, message));
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

export function statusBody(code: number, message: string): Record<string, unknown> {
  const reason = { 401: 'Unauthorized', 404: 'NotFound', 405: 'MethodNotAllowed', 502: 'ServiceUnavailable' }[code];
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    ...(reason ? { reason } : {}),
    code,
  };
}

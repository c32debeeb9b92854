/**
 * The console's HTTP server: the page and its modules for anyone, cluster
 * data and terminals only for a request with a token, and then only what
 * the API server lets that token see and do. The console has no credential
 * of its own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { proxyRead, sendStatus } from './api-proxy.js';
import { AssetCache, defaultAssetDirs, type AssetDirs } from './assets.js';
import { routeRequest, routeUpgrade } from './routes.js';
import { refuseUpgrade } from './refuse.js';
import { terminalRelay } from './terminal-relay.js';
import { watchRelay } from './watch-relay.js';
import { bearerFromHeader } from './token.js';
import type { Upstream } from './upstream.js';

interface ConsoleOptions {
  upstream: Upstream;
  log: (message: string) => void;
  assets?: AssetDirs;
}

/** What a page of the console may do in the browser: its own scripts, and talk to the console only. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export interface ConsoleServer {
  server: Server;
  close(): Promise<void>;
}

export function createConsoleServer(o: ConsoleOptions): ConsoleServer {
  const assets = new AssetCache(o.assets ?? defaultAssetDirs());
  const terminals = terminalRelay(o.upstream, o.log);
  const watches = watchRelay(o.upstream);

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://console').pathname;
    const route = routeRequest(req.method ?? 'GET', path);
    switch (route.kind) {
      case 'refused':
        return sendStatus(res, route.status, route.message, route.status === 405 ? { allow: 'GET, HEAD' } : {});
      case 'health':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end('ok');
      case 'asset': {
        const bytes = assets.read(route.asset);
        if (!bytes) return sendStatus(res, 404, `${path} is not a page of the console`);
        res.writeHead(200, {
          'content-type': route.asset.type,
          'content-length': String(bytes.length),
          'cache-control': 'no-cache',
          ...PAGE_HEADERS,
        });
        return void res.end(req.method === 'HEAD' ? undefined : bytes);
      }
      case 'api': {
        const token = bearerFromHeader(req.headers.authorization);
        if (!token)
          return sendStatus(res, 401, 'no token: log in to the console with a bearer token the API server accepts', {
            'www-authenticate': 'Bearer realm="podnet console"',
          });
        return proxyRead(o.upstream, req, res, token);
      }
      case 'terminal':
      case 'watch':
        return sendStatus(res, 405, 'this is a WebSocket');
    }
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://console');
    const route = routeUpgrade(url.pathname, url.searchParams);
    if (route.kind === 'terminal') return terminals.handle(req, socket, head);
    if (route.kind === 'watch') return watches.handle(req, socket, head);
    refuseUpgrade(socket, 404, route.kind === 'refused' ? route.message : 'not found');
  };

  const server = createServer(onRequest);
  server.on('upgrade', onUpgrade);
  // Watches and followed logs stay open as long as the page does.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        terminals.close();
        watches.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

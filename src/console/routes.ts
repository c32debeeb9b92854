/**
 * What the console does with a request, decided from its method and path
 * alone. Pure, so the whole surface is one table in routes.test.ts.
 *
 * The page, its scripts and xterm.js are public (they hold no cluster
 * data); everything about the cluster goes to the API server with the
 * browser user's token, read-only, and the one thing that writes, a
 * terminal, is a WebSocket to pods/exec or pods/attach.
 */

export type Asset =
  | { from: 'static'; file: 'index.html' | 'console.css'; type: string }
  | { from: 'web'; file: string; type: string }
  | { from: 'xterm'; file: 'lib/xterm.mjs' | 'css/xterm.css'; type: string };

export type Route =
  | { kind: 'asset'; asset: Asset }
  | { kind: 'health' }
  /** Read from the API server with the caller's token. */
  | { kind: 'api' }
  /** A watch, its events as WebSocket messages. */
  | { kind: 'watch' }
  /** A WebSocket relayed to the API server's pods/exec or pods/attach. */
  | { kind: 'terminal'; namespace: string; pod: string; subresource: 'exec' | 'attach' }
  | { kind: 'refused'; status: 404 | 405; message: string };

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

const TERMINAL = /^\/api\/v1\/namespaces\/([a-z0-9][a-z0-9.-]*)\/pods\/([a-z0-9][a-z0-9.-]*)\/(exec|attach)$/;
const WEB_MODULE = /^\/app\/([a-z][a-z0-9-]*\.js)$/;

const isApiPath = (path: string) =>
  path === '/api' || path.startsWith('/api/') || path === '/apis' || path.startsWith('/apis/') || path === '/version';

/** A plain HTTP request. */
export function routeRequest(method: string, path: string): Route {
  if (TERMINAL.test(path))
    return { kind: 'refused', status: 405, message: 'a terminal is a WebSocket: send an Upgrade request' };
  const read = method === 'GET' || method === 'HEAD';
  const asset = assetFor(path);
  if (asset || path === '/healthz' || isApiPath(path)) {
    if (!read) return { kind: 'refused', status: 405, message: `${method} is not allowed: the console only reads` };
    if (asset) return { kind: 'asset', asset };
    return path === '/healthz' ? { kind: 'health' } : { kind: 'api' };
  }
  return { kind: 'refused', status: 404, message: `${path} is not a page of the console` };
}

/** An HTTP Upgrade request: a terminal, or a watch (watch=1 or true). */
export function routeUpgrade(path: string, query = new URLSearchParams()): Route {
  const m = TERMINAL.exec(path);
  const watch = query.get('watch');
  if (!m && isApiPath(path) && (watch === '1' || watch === 'true')) return { kind: 'watch' };
  if (!m)
    return {
      kind: 'refused',
      status: 404,
      message: `${path} cannot be upgraded: only pods/exec, pods/attach and watches`,
    };
  return { kind: 'terminal', namespace: m[1]!, pod: m[2]!, subresource: m[3] as 'exec' | 'attach' };
}

function assetFor(path: string): Asset | undefined {
  if (path === '/' || path === '/index.html') return { from: 'static', file: 'index.html', type: HTML };
  if (path === '/console.css') return { from: 'static', file: 'console.css', type: CSS };
  if (path === '/vendor/xterm.mjs') return { from: 'xterm', file: 'lib/xterm.mjs', type: JS };
  if (path === '/vendor/xterm.css') return { from: 'xterm', file: 'css/xterm.css', type: CSS };
  const m = WEB_MODULE.exec(path);
  if (m && !m[1]!.endsWith('.test.js')) return { from: 'web', file: m[1]!, type: JS };
  return undefined;
}

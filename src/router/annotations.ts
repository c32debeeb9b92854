/**
 * The router's annotations (prefix podnet.io/), parsed with errors a user
 * can act on. Pure.
 *
 *   podnet.io/routes            on a Service: "host[/path], ..." served by its first port (or route-port)
 *   podnet.io/route-port        on a Service: the port (name or number) those routes go to
 *   podnet.io/balance           roundrobin (default) | leastconn
 *   podnet.io/connect-timeout   e.g. 500ms, 5s: time to connect to a pod
 *   podnet.io/response-timeout  e.g. 30s, 2m: time for the app to answer
 *   podnet.io/tunnel-timeout    e.g. 1h: idle time of a WebSocket before it is closed
 *   podnet.io/retries           requests (default: a failed connection, and an idempotent request whose pod
 *                               failed before answering, go to another pod) | connect (failed connections only)
 */
import type { Balance, BackendOptions, PathType, Retries } from './types.js';

export const ANNOTATION_ROUTES = 'podnet.io/routes';
export const ANNOTATION_ROUTE_PORT = 'podnet.io/route-port';
const ANNOTATION_BALANCE = 'podnet.io/balance';
const ANNOTATION_CONNECT_TIMEOUT = 'podnet.io/connect-timeout';
const ANNOTATION_RESPONSE_TIMEOUT = 'podnet.io/response-timeout';
const ANNOTATION_TUNNEL_TIMEOUT = 'podnet.io/tunnel-timeout';
const ANNOTATION_RETRIES = 'podnet.io/retries';

const BALANCES: Balance[] = ['roundrobin', 'leastconn'];
const RETRIES: Retries[] = ['requests', 'connect'];
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** HAProxy's timeouts are 32-bit milliseconds; a day is more than any route needs. */
const MAX_TIMEOUT_MS = 86_400_000;

/** "500ms", "5s", "2m", "1h" -> milliseconds; throws with the accepted forms. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
  if (!m || ms <= 0 || ms > MAX_TIMEOUT_MS)
    throw new Error(`"${text}" is not a duration between 1ms and 24h; write it as e.g. 500ms, 5s, 2m or 1h`);
  return ms;
}

/** Backend options from an object's annotations, and one message per annotation that was ignored. */
export function backendOptions(annotations: Record<string, string> | undefined): {
  options: BackendOptions;
  problems: string[];
} {
  const a = annotations ?? {};
  const problems: string[] = [];
  const options: BackendOptions = { balance: 'roundrobin' };
  const balance = a[ANNOTATION_BALANCE];
  if (balance !== undefined) {
    if (BALANCES.includes(balance.trim() as Balance)) options.balance = balance.trim() as Balance;
    else problems.push(`${ANNOTATION_BALANCE}: "${balance}" is not one of ${BALANCES.join(', ')}; using roundrobin`);
  }
  const retries = a[ANNOTATION_RETRIES];
  if (retries !== undefined) {
    const v = retries.trim() as Retries;
    if (!RETRIES.includes(v))
      problems.push(`${ANNOTATION_RETRIES}: "${retries}" is not one of ${RETRIES.join(', ')}; using requests`);
    else if (v !== 'requests') options.retries = v;
  }
  const timeouts: [string, 'connectTimeoutMs' | 'responseTimeoutMs' | 'tunnelTimeoutMs'][] = [
    [ANNOTATION_CONNECT_TIMEOUT, 'connectTimeoutMs'],
    [ANNOTATION_RESPONSE_TIMEOUT, 'responseTimeoutMs'],
    [ANNOTATION_TUNNEL_TIMEOUT, 'tunnelTimeoutMs'],
  ];
  for (const [key, field] of timeouts) {
    const v = a[key];
    if (v === undefined) continue;
    try {
      options[field] = parseDuration(v);
    } catch (e) {
      problems.push(`${key}: ${(e as Error).message}; using the router's default`);
    }
  }
  return { options, problems };
}

interface AnnotatedRoute {
  host: string;
  path: string;
  pathType: PathType;
}

/**
 * "shop.apps.example.com, shop.example.com/api" -> routes (Prefix paths,
 * "/" when none), and one message per entry that was not a host[/path].
 */
export function parseRoutesAnnotation(text: string): { routes: AnnotatedRoute[]; problems: string[] } {
  const routes: AnnotatedRoute[] = [];
  const problems: string[] = [];
  for (const raw of text.split(/[,\s]+/)) {
    const entry = raw.trim();
    if (!entry) continue;
    const slash = entry.indexOf('/');
    const host = (slash < 0 ? entry : entry.slice(0, slash)).toLowerCase();
    const path = slash < 0 ? '/' : entry.slice(slash);
    const hostProblem = checkHost(host);
    const pathProblem = checkPath(path);
    if (hostProblem || pathProblem) {
      problems.push(`${ANNOTATION_ROUTES}: "${entry}": ${hostProblem ?? pathProblem}`);
      continue;
    }
    routes.push({ host, path: normalizePrefix(path), pathType: 'Prefix' });
  }
  return { routes, problems };
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why a host is not a DNS name or "*." followed by one; undefined when it is. */
export function checkHost(host: string): string | undefined {
  if (!host) return 'the host is empty';
  if (host.length > 253) return 'the host is longer than 253 characters';
  const labels = host.split('.');
  if (labels[0] === '*') {
    if (labels.length < 3) return 'a wildcard host needs at least two labels after "*." (e.g. *.apps.example.com)';
    labels.shift();
  }
  const bad = labels.find((l) => !LABEL.test(l));
  return bad === undefined ? undefined : `"${host}" is not a valid host name (label "${bad}")`;
}

/** Why a path cannot be routed; undefined when it can. The same rules the API server applies to Ingress paths. */
export function checkPath(path: string): string | undefined {
  if (!path.startsWith('/')) return `the path "${path}" must start with "/"`;
  for (const seq of ['//', '/./', '/../', '%2f', '%2F'])
    if (path.includes(seq)) return `the path "${path}" must not contain "${seq}"`;
  if (path.endsWith('/..') || path.endsWith('/.')) return `the path "${path}" must not end with "/." or "/.."`;
  // HAProxy reads map files as whitespace-separated key and value.
  if (/[\s#]/.test(path)) return `the path "${path}" must not contain spaces or "#"`;
  return undefined;
}

/** A Prefix path matches whole elements, so "/a/" and "/a" are the same prefix; "/" stays "/". */
export function normalizePrefix(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed || '/';
}

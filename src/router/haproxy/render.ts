/**
 * The routing table -> HAProxy's files. Pure.
 *
 * Routing lives in two map files keyed by host + path (exact.map for Exact
 * paths, prefix.map for Prefix paths with a trailing "/" so only whole path
 * elements match), looked up in Kubernetes' order: the request's host, then
 * its wildcard ("*." + all but the first label), then any host; within
 * each, Exact before Prefix, and map_beg finds the longest prefix. Maps and
 * servers change at run time through the Runtime API; a new backend or a
 * change to the frame (global settings, frontends, TLS) takes a reload. The
 * frame's digest goes into the config's description, so a new controller
 * can tell whether a running HAProxy has the frame it wants; a backend's
 * section follows from its name (Service, port, options).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Backend, Certificate, Route, RouterState, Server } from '../types.js';

const STICKY_COOKIE = '__PODNET_ID__';
/** Not a secret: it only has to be the same on every router, so a cookie one router gave works on all. */
const STICKY_COOKIE_KEY = 'podnet-router';
export const ERROR_HEADER = 'X-Podnet-Router-Error';
/**
 * Request headers larger than this get 431; beyond what HAProxy's 16 KiB
 * buffer holds (about 15 KiB of headers) its parser answers 400. Larger
 * buffers would move that line, but every request replayable by an L7
 * retry is copied whole-buffer, so the buffer's size is paid per request.
 */
const MAX_HEADER_BYTES = 12288;

export interface Timeouts {
  connectMs: number;
  /** Time for the app to answer once the request is sent (HAProxy's "timeout server"). */
  responseMs: number;
  /** Time a client may take to send the request headers (slowloris). */
  headerMs: number;
  /** Time a client may stay silent in the middle of a request or response ("timeout client"). */
  clientMs: number;
  /** Idle time of a client keep-alive connection between requests. */
  keepAliveMs: number;
  /** Idle time of an upgraded connection (WebSocket). */
  tunnelMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: 5_000,
  responseMs: 60_000,
  headerMs: 10_000,
  clientMs: 60_000,
  keepAliveMs: 60_000,
  tunnelMs: 3_600_000,
};

export interface HaproxySettings {
  /** Where the config, maps, certificates and sockets live. */
  runDir: string;
  /** ADDR:PORT for plain HTTP (e.g. 0.0.0.0:80). */
  httpBinds: string[];
  /** ADDR:PORT for HTTPS; the certificates are chosen by SNI. */
  httpsBinds: string[];
  /** ADDR:PORT of HAProxy's own /metrics (Prometheus) and /healthz; none when undefined. */
  statsBind?: string;
  /**
   * Where HAProxy writes the access log: "stdout" (its own: the router's
   * when the router starts it, its container's log otherwise) or the
   * ADDR:PORT of a syslog server (UDP); none when undefined.
   */
  accessLog?: string;
  threads: number;
  timeouts: Timeouts;
}

export const paths = (runDir: string) => ({
  config: join(runDir, 'haproxy.cfg'),
  exactMap: join(runDir, 'maps', 'exact.map'),
  prefixMap: join(runDir, 'maps', 'prefix.map'),
  tlsDir: join(runDir, 'tls'),
  defaultCert: join(runDir, 'tls', 'default.pem'),
  crtList: join(runDir, 'tls', 'crt-list.txt'),
  adminSocket: join(runDir, 'admin.sock'),
  masterSocket: join(runDir, 'master.sock'),
  pidFile: join(runDir, 'haproxy.pid'),
  log: join(runDir, 'haproxy.log'),
});

/** Everything HAProxy reads, as text, plus the digest of the structure. */
export interface Rendered {
  config: string;
  /** Map key -> backend name. */
  exact: Map<string, string>;
  prefix: Map<string, string>;
  /** File name in the TLS dir -> content (certificates, then the crt-list). */
  tlsFiles: Map<string, string>;
  /** Digest of everything but the backends (whose sections follow from their names) and the servers. */
  frameHash: string;
  backends: string[];
  /** Empty backends with the default options, each of which a new route can take at run time. */
  standby: string[];
}

/** The map key of a route: host + path; Prefix keys end in "/" (whole path elements). */
export function mapKey(route: Pick<Route, 'host' | 'path' | 'pathType'>): string {
  if (route.pathType === 'Exact') return route.host + route.path;
  return route.host + (route.path === '/' ? '/' : `${route.path}/`);
}

const ms = (n: number) => `${n}ms`;

/** Options of every server line and `add server`: passive ejection, connection reuse. */
export const SERVER_OPTIONS =
  'check inter 5s fastinter 1s downinter 2s rise 2 fall 3 observe layer7 error-limit 10 on-error mark-down ' +
  'pool-max-conn -1 pool-purge-delay 5s';

/** A server line; its options come from default-server (the config's servers) or SERVER_OPTIONS (add server). */
function serverLine(s: Server): string {
  return `    server ${s.name} ${s.address}:${s.port}`;
}

function backendSection(b: Backend): string[] {
  const o = b.options;
  return [
    `backend ${b.name}`,
    `    balance ${o.balance}`,
    ...(o.retries === 'connect' ? ['    retry-on conn-failure'] : []),
    ...(o.connectTimeoutMs ? [`    timeout connect ${ms(o.connectTimeoutMs)}`] : []),
    ...(o.responseTimeoutMs ? [`    timeout server ${ms(o.responseTimeoutMs)}`] : []),
    ...(o.tunnelTimeoutMs ? [`    timeout tunnel ${ms(o.tunnelTimeoutMs)}`] : []),
    ...b.servers.map(serverLine),
    '',
  ];
}

/**
 * Standby backends: HAProxy cannot add a backend at run time, so the config
 * carries spare ones, empty and with the default options; a new route whose
 * backend has those options takes one (servers added, map entries pointed
 * at it) instead of waiting for a reload, which at 10,000 routes takes
 * seconds. The next reload gives it its own name. The names have no "_",
 * which every backend of a Service has, so they never collide.
 */
export const STANDBY_PREFIX = 'standby-';
export const standbyCount = (backends: number): number => 16 + Math.ceil(backends / 20);
const STANDBY_TEMPLATE: Backend = {
  name: 'standby',
  namespace: '',
  service: '',
  servicePort: '',
  options: { balance: 'roundrobin' },
  servers: [],
};
const sectionBody = (b: Backend) => backendSection({ ...b, name: '', servers: [] }).join('\n');
const STANDBY_BODY = sectionBody(STANDBY_TEMPLATE);

/** Whether a standby backend can serve this backend: the same section but for the name and servers (pure). */
export const fitsStandby = (b: Backend): boolean => sectionBody(b) === STANDBY_BODY;

const ACCESS_LOG_LINE_BYTES = 8192;
const ACCESS_LOG_FORMAT =
  '{"time":"%tr","client":"%ci:%cp","method":"%HM","host":"%[var(txn.host),json(utf8s)]",' +
  '"uri":"%[capture.req.uri,json(utf8s)]","status":%ST,"route":"%b","upstream":"%s","upstream_addr":"%si:%sp",' +
  '"bytes_in":%U,"bytes_out":%B,"request_ms":%TR,"queue_ms":%Tw,"connect_ms":%Tc,"response_ms":%Tr,"total_ms":%Ta,' +
  '"retries":"%rc","termination":"%tsc","request_id":"%[var(txn.rid),json(utf8s)]"}';

/** The config with a placeholder where the structure digest goes, and whether a line is a server line. */
function configLines(s: HaproxySettings): string[] {
  const p = paths(s.runDir);
  const t = s.timeouts;
  const idempotent = '!METH_GET !METH_HEAD !METH_OPTIONS !METH_PUT !METH_DELETE';
  const lines = [
    '# Written by podnet router; changes go through the Kubernetes API (podnet router config explains it).',
    'global',
    '    master-worker',
    `    stats socket ${p.adminSocket} mode 600 level admin`,
    '    stats timeout 2m',
    `    nbthread ${s.threads}`,
    // Old workers keep serving their WebSockets across a reload, but not forever.
    '    hard-stop-after 15m',
    '    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets',
    // HAProxy's default, stated: see MAX_HEADER_BYTES.
    '    tune.bufsize 16384',
    // One writev per line to stdout (no process of ours on the path); long URIs fit.
    ...(s.accessLog ? [`    log ${s.accessLog} len ${ACCESS_LOG_LINE_BYTES} format raw local0 info`] : []),
    '    description @STRUCTURE@',
    '',
    'defaults',
    '    mode http',
    ...(s.accessLog ? ['    log global'] : []),
    '    option forwardfor',
    '    option http-keep-alive',
    // On reload, old workers close idle keep-alive connections after their next response, not under a client.
    '    option idle-close-on-response',
    // Connection failures and empty answers are retried on another pod (l7 retries only for idempotent methods).
    '    option redispatch 1',
    '    retries 2',
    '    retry-on conn-failure empty-response response-timeout',
    `    timeout connect ${ms(t.connectMs)}`,
    `    timeout server ${ms(t.responseMs)}`,
    `    timeout client ${ms(t.clientMs)}`,
    `    timeout http-request ${ms(t.headerMs)}`,
    `    timeout http-keep-alive ${ms(t.keepAliveMs)}`,
    `    timeout tunnel ${ms(t.tunnelMs)}`,
    '    timeout queue 5s',
    // Sticky sessions, gorouter style: a response that sets JSESSIONID gets a cookie of ours (added in the
    // frontend), whose value HAProxy rewrites to the server's cookie; a request carrying it goes to that
    // server while it is up, else is load-balanced. Dynamic cookies are a hash of the key and the server's
    // address and port: the same on every router, given to servers added at run time too, and set in the
    // defaults so a backend's section carries no per-request rule (a use-server rule per backend was about
    // a tenth of HAProxy's start at 10,000 routes).
    `    cookie ${STICKY_COOKIE} rewrite dynamic`,
    `    dynamic-cookie-key ${STICKY_COOKIE_KEY}`,
    `    default-server ${SERVER_OPTIONS}`,
    `    http-error status 502 content-type text/plain string "502 Bad Gateway: the app's pod failed to answer\\n" hdr ${ERROR_HEADER} endpoint_failure`,
    `    http-error status 503 content-type text/plain string "503 Service Unavailable: no ready pod serves this route\\n" hdr ${ERROR_HEADER} endpoint_failure`,
    `    http-error status 504 content-type text/plain string "504 Gateway Timeout: the app did not answer in time\\n" hdr ${ERROR_HEADER} endpoint_timeout`,
    '',
    'frontend routes',
    ...s.httpBinds.map((b) => `    bind ${b}`),
    ...s.httpsBinds.map((b) => `    bind ${b} ssl crt-list ${p.crtList} alpn h2,http/1.1`),
    ...(s.accessLog ? ['    option dontlognull', `    log-format '${ACCESS_LOG_FORMAT}'`] : ['    no log']),
    `    http-request return status 431 content-type text/plain string "431 Request Header Fields Too Large: over ${MAX_HEADER_BYTES} bytes\\n" hdr ${ERROR_HEADER} header_too_large if { req.hdrs,length gt ${MAX_HEADER_BYTES} }`,
    '    http-request set-var(txn.host) req.hdr(host),field(1,:),lower',
    '    http-request set-var(txn.rid) req.hdr(x-request-id) if { req.hdr(x-request-id) -m found }',
    '    http-request set-var(txn.rid) uuid if !{ var(txn.rid) -m found }',
    '    http-request set-header X-Request-Id %[var(txn.rid)]',
    '    http-request set-header X-Forwarded-Proto %[ssl_fc,iif(https,http)]',
    '    http-request set-header X-Forwarded-Host %[req.hdr(host)]',
    '    http-request set-header X-Forwarded-Port %[dst_port]',
    `    http-request disable-l7-retry if ${idempotent}`,
    // Keys from sample expressions: a log-format string (set-var-fmt) costs a formatting pass per request.
    '    http-request set-var(txn.path) path',
    '    http-request set-var(txn.key) var(txn.host),concat(,txn.path)',
    `    http-request set-var(txn.be) var(txn.key),map_str(${p.exactMap})`,
    `    http-request set-var(txn.be) var(txn.key),concat(/),map_beg(${p.prefixMap}) if !{ var(txn.be) -m found }`,
    // The wildcard's key only for hosts that have no route of their own.
    '    http-request set-var-fmt(txn.wkey) "*.%[var(txn.host),field(2,.,0)]%[var(txn.path)]" if !{ var(txn.be) -m found }',
    `    http-request set-var(txn.be) var(txn.wkey),map_str(${p.exactMap}) if !{ var(txn.be) -m found }`,
    `    http-request set-var(txn.be) var(txn.wkey),concat(/),map_beg(${p.prefixMap}) if !{ var(txn.be) -m found }`,
    `    http-request set-var(txn.be) path,map_str(${p.exactMap}) if !{ var(txn.be) -m found }`,
    `    http-request set-var(txn.be) path,concat(/),map_beg(${p.prefixMap}) if !{ var(txn.be) -m found }`,
    `    http-request return status 404 content-type text/plain string "404 Not Found: no route for this host and path\\n" hdr ${ERROR_HEADER} unknown_route if !{ var(txn.be) -m found }`,
    `    http-response add-header Set-Cookie "${STICKY_COOKIE}=%[srv_name]; Path=/; HttpOnly" if { res.cook(JSESSIONID) -m found }`,
    // HAProxy's own 503: with no server chosen the route has no ready pod; with one, connecting failed even
    // after the retries, which like gorouter we call a 502.
    `    http-after-response set-header ${ERROR_HEADER} no_endpoints if { status 503 } { res.hdr(${ERROR_HEADER}) -m found } !{ srv_id -m found }`,
    `    http-after-response set-status 502 if { status 503 } { res.hdr(${ERROR_HEADER}) -m str endpoint_failure }`,
    '    http-after-response set-header X-Request-Id %[var(txn.rid)]',
    '    use_backend %[var(txn.be)]',
    '',
    ...(s.statsBind
      ? [
          'frontend stats',
          `    bind ${s.statsBind}`,
          '    no log',
          '    monitor-uri /healthz',
          '    http-request use-service prometheus-exporter if { path /metrics }',
          '    http-request return status 404 content-type text/plain string "podnet router: /metrics or /healthz\\n"',
          '',
        ]
      : []),
  ];
  return lines;
}

/** A backend's section follows from its name (namespace, Service, port and options), so the template is hashed once. */
const TEMPLATE_PROBE: Backend = {
  name: 'probe',
  namespace: 'ns',
  service: 'svc',
  servicePort: '80',
  options: { balance: 'leastconn', retries: 'connect', connectTimeoutMs: 1, responseTimeoutMs: 2, tunnelTimeoutMs: 3 },
  servers: [{ name: 's', address: '10.0.0.1', port: 1 }],
};

function sha256(...parts: string[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(part).update('\0');
  return h.digest('hex').slice(0, 32);
}

/** The frame: everything but the backends and routes; its digest says whether a reload is due. */
export function renderFrame(
  certificates: Certificate[],
  s: HaproxySettings,
): { lines: string[]; tlsFiles: Map<string, string>; frameHash: string } {
  const p = paths(s.runDir);
  const tlsFiles = new Map<string, string>();
  const crtList = [`${p.defaultCert} [alpn h2,http/1.1]`];
  for (const c of certificates) {
    tlsFiles.set(`${c.name}.pem`, c.pem);
    crtList.push(`${join(p.tlsDir, `${c.name}.pem`)} [alpn h2,http/1.1]${c.sni.length ? ` ${c.sni.join(' ')}` : ''}`);
  }
  tlsFiles.set('crt-list.txt', crtList.join('\n') + '\n');
  const lines = configLines(s);
  const frameHash = sha256(lines.join('\n'), backendSection(TEMPLATE_PROBE).join('\n'), ...[...tlsFiles].flat());
  return { lines, tlsFiles, frameHash };
}

export function renderHaproxy(
  state: RouterState,
  s: HaproxySettings,
  standby = standbyCount(state.backends.length),
): Rendered {
  const exact = new Map<string, string>();
  const prefix = new Map<string, string>();
  for (const r of state.routes) (r.pathType === 'Exact' ? exact : prefix).set(mapKey(r), r.backend);
  const { lines, tlsFiles, frameHash } = renderFrame(state.certificates, s);
  const standbyNames = Array.from({ length: standby }, (_, i) => `${STANDBY_PREFIX}${i + 1}`);
  const config =
    [
      ...lines,
      ...state.backends.flatMap(backendSection),
      '# Standby: a new route with the default options takes one of these at run time, without a reload.',
      ...standbyNames.flatMap((name) => backendSection({ ...STANDBY_TEMPLATE, name })),
    ]
      .join('\n')
      .replace('@STRUCTURE@', `podnet-frame=${frameHash}`) + '\n';
  return {
    config,
    exact,
    prefix,
    tlsFiles,
    frameHash,
    backends: state.backends.map((b) => b.name),
    standby: standbyNames,
  };
}

/** A map file's text: one "key value" line per entry, sorted for readable diffs. */
export function mapFile(entries: Map<string, string>): string {
  return [...entries]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k} ${v}\n`)
    .join('');
}

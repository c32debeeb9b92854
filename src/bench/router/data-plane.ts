/**
 * The processes every proxy shares or is compared with: two nginx
 * backends (Debian's nginx, a static 200 of a dozen bytes that names the
 * backend), the hand-written HAProxy (the "minimal config": one
 * thread, round-robin, keep-alive to the backends) and nginx as a proxy
 * (one worker, an upstream keep-alive pool). Neither proxy logs requests.
 * Both proxies and the backends allow any number of requests per
 * keep-alive connection, as HAProxy does: nginx's default of 1,000 would
 * make the keep-alive case reconnect for nginx alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startChild, waitUntil, type Child } from '../common/child.js';
import { BACKEND_PORT, BACKENDS, PROXY_IP, PROXY_PORTS } from './net.js';

const NGINX_MANY_REQUESTS = 'keepalive_requests 1000000000;';

function nginxFrame(dir: string, http: string[]): string {
  return [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 8192; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
    `  ${NGINX_MANY_REQUESTS}`,
    '  keepalive_timeout 300s;',
    ...http.map((l) => `  ${l}`),
    '}',
    '',
  ].join('\n');
}

function backendConfig(dir: string, address: string): string {
  return nginxFrame(dir, [
    `server { listen ${address}:${BACKEND_PORT} backlog=4096; location / { return 200 "ok ${address}\\n"; } }`,
  ]);
}

function nginxProxyConfig(dir: string): string {
  return nginxFrame(dir, [
    'upstream backends {',
    ...BACKENDS.map((b) => `  server ${b}:${BACKEND_PORT};`),
    '  keepalive 64;',
    `  ${NGINX_MANY_REQUESTS}`,
    '}',
    `server { listen ${PROXY_IP}:${PROXY_PORTS.nginx} backlog=4096; location / {`,
    '  proxy_pass http://backends; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host;',
    '} }',
  ]);
}

function haproxyConfig(): string {
  return [
    'global',
    '    nbthread 1',
    'defaults',
    '    mode http',
    '    option http-keep-alive',
    '    timeout connect 5s',
    '    timeout client 60s',
    '    timeout server 60s',
    'frontend bench',
    `    bind ${PROXY_IP}:${PROXY_PORTS.haproxy}`,
    '    default_backend backends',
    'backend backends',
    '    balance roundrobin',
    ...BACKENDS.map((b, i) => `    server b${i + 1} ${b}:${BACKEND_PORT}`),
    '',
  ].join('\n');
}

/** One TCP connect: is something listening there? */
export function connects(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

async function startListening(argv: string[], cpus: string, label: string, host: string, port: number): Promise<Child> {
  const child = startChild(argv, cpus, label, false);
  await waitUntil(child, `${label} listening on ${host}:${port}`, 10_000, () => connects(host, port));
  return child;
}

function nginxIn(dir: string, config: string, cpus: string, label: string, host: string, port: number) {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, config);
  return startListening(['nginx', '-c', conf], cpus, label, host, port);
}

export function startBackends(dir: string, cpus: string): Promise<Child[]> {
  return Promise.all(
    BACKENDS.map((b) =>
      nginxIn(
        join(dir, `backend-${b}`),
        backendConfig(join(dir, `backend-${b}`), b),
        cpus,
        `nginx ${b}`,
        b,
        BACKEND_PORT,
      ),
    ),
  );
}

export function startNginxProxy(dir: string, cpus: string): Promise<Child> {
  const d = join(dir, 'nginx-proxy');
  return nginxIn(d, nginxProxyConfig(d), cpus, 'nginx proxy', PROXY_IP, PROXY_PORTS.nginx);
}

/** In the foreground without master-worker: one process, the one thread that serves. */
export function startHandwrittenHaproxy(dir: string, cpus: string): Promise<Child> {
  mkdirSync(dir, { recursive: true });
  const cfg = join(dir, 'haproxy-handwritten.cfg');
  writeFileSync(cfg, haproxyConfig());
  return startListening(['haproxy', '-db', '-f', cfg], cpus, 'haproxy (hand-written)', PROXY_IP, PROXY_PORTS.haproxy);
}

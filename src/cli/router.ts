/** `podnet router`: apps on domains, from Ingresses and Service annotations, with HAProxy as the engine. */
import { readFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { KubeClient } from '../client/client.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { parseDuration } from '../router/annotations.js';
import { receiveAccessLog, serveHttp, type Listening } from '../router/endpoints.js';
import { DEFAULT_TIMEOUTS, paths, type HaproxySettings, type Timeouts } from '../router/haproxy/render.js';
import { startRouter } from '../router/router.js';
import { CliError } from './errors.js';

export const DEFAULT_RUN_DIR = '/run/podnet-router';

function hostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new CliError(`${flag} ${text}: expected ADDR:PORT, e.g. 0.0.0.0:80`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

const list = (v: string | undefined, flag: string): string[] =>
  v === undefined || v === 'off'
    ? []
    : v.split(',').map((s) => {
        hostPort(s.trim(), flag);
        return s.trim();
      });

function timeoutFlag(v: string | undefined, flag: string, fallback: number): number {
  if (v === undefined) return fallback;
  try {
    return parseDuration(v);
  } catch (e) {
    throw new CliError(`${flag}: ${(e as Error).message}`);
  }
}

/** `podnet router config`: the files HAProxy runs with, so an operator can see why a request went where. */
function printConfig(args: string[]): number {
  const { values } = parseArgs({ args, options: { 'run-dir': { type: 'string', default: DEFAULT_RUN_DIR } } });
  const p = paths(values['run-dir']);
  if (!existsSync(p.config))
    throw new CliError(`no router config in ${values['run-dir']}: is podnet router running with --run-dir there?`);
  for (const [title, file] of [
    ['HAProxy config', p.config],
    ['exact paths (host+path -> backend)', p.exactMap],
    ['prefix paths (host+path/ -> backend; the longest match wins)', p.prefixMap],
    ['TLS certificates by SNI (the first is the default)', p.crtList],
  ] as const) {
    process.stdout.write(`# ==> ${file}: ${title} <==\n`);
    process.stdout.write(existsSync(file) ? readFileSync(file, 'utf8') : '(missing)\n');
    process.stdout.write('\n');
  }
  return 0;
}

export async function runRouter(args: string[]): Promise<number> {
  if (args[0] === 'config') return printConfig(args.slice(1));
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        kubeconfig: { type: 'string' },
        server: { type: 'string' },
        token: { type: 'string' },
        'certificate-authority': { type: 'string' },
        'insecure-skip-tls-verify': { type: 'boolean', default: false },
        'run-dir': { type: 'string', default: DEFAULT_RUN_DIR },
        http: { type: 'string', default: '0.0.0.0:80' },
        https: { type: 'string', default: '0.0.0.0:443' },
        'stats-listen': { type: 'string', default: '127.0.0.1:8404' },
        'http-listen': { type: 'string', default: '0.0.0.0:10254' },
        'access-log': { type: 'string', default: '127.0.0.1:10514' },
        threads: { type: 'string' },
        'connect-timeout': { type: 'string' },
        'response-timeout': { type: 'string' },
        'header-timeout': { type: 'string' },
        'client-timeout': { type: 'string' },
        'keepalive-timeout': { type: 'string' },
        'tunnel-timeout': { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new CliError(`${(e as Error).message}; run "podnet help" for usage`);
  }
  const timeouts: Timeouts = {
    connectMs: timeoutFlag(values['connect-timeout'], '--connect-timeout', DEFAULT_TIMEOUTS.connectMs),
    responseMs: timeoutFlag(values['response-timeout'], '--response-timeout', DEFAULT_TIMEOUTS.responseMs),
    headerMs: timeoutFlag(values['header-timeout'], '--header-timeout', DEFAULT_TIMEOUTS.headerMs),
    clientMs: timeoutFlag(values['client-timeout'], '--client-timeout', DEFAULT_TIMEOUTS.clientMs),
    keepAliveMs: timeoutFlag(values['keepalive-timeout'], '--keepalive-timeout', DEFAULT_TIMEOUTS.keepAliveMs),
    tunnelMs: timeoutFlag(values['tunnel-timeout'], '--tunnel-timeout', DEFAULT_TIMEOUTS.tunnelMs),
  };
  const threads = values.threads === undefined ? Math.max(1, cpus().length) : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64)
    throw new CliError(`--threads ${values.threads}: must be an integer 1-64`);
  const accessLog = values['access-log'] === 'off' ? undefined : hostPort(values['access-log'], '--access-log');
  const stats = values['stats-listen'] === 'off' ? undefined : values['stats-listen'];
  if (stats) hostPort(stats, '--stats-listen');
  const settings: HaproxySettings = {
    runDir: values['run-dir'],
    httpBinds: list(values.http, '--http'),
    httpsBinds: list(values.https, '--https'),
    ...(stats ? { statsBind: stats } : {}),
    ...(accessLog ? { accessLog: `${accessLog.host}:${accessLog.port}` } : {}),
    threads,
    timeouts,
  };
  if (!settings.httpBinds.length && !settings.httpsBinds.length)
    throw new CliError('--http and --https are both off: the router would serve nothing');
  const client = clientFrom(values);

  const log = (m: string) => process.stderr.write(`${new Date().toISOString()} ${m}\n`);
  let accessLogSocket: Listening | undefined;
  if (accessLog)
    accessLogSocket = await receiveAccessLog(accessLog.host, accessLog.port, (line) =>
      process.stdout.write(line + '\n'),
    ).catch((e: Error) => {
      throw new CliError(`--access-log ${values['access-log']}: ${e.message}`);
    });
  const httpAddr = hostPort(values['http-listen'], '--http-listen');
  let ready = false;
  let metrics = () => '';
  const endpoints = await serveHttp(
    httpAddr.host,
    httpAddr.port,
    () => ready,
    () => metrics(),
  ).catch((e: Error) => {
    throw new CliError(`--http-listen ${values['http-listen']}: ${e.message}`);
  });
  log(`podnet router: waiting for the API (${client.server}); HAProxy files in ${settings.runDir}`);
  const router = await startRouter({ client, haproxy: settings, log }).catch((e: Error) => {
    throw new CliError(e.message);
  });
  metrics = () => router.metrics.render();
  ready = true;
  log(
    `podnet router: serving ${[...settings.httpBinds.map((b) => `http://${b}`), ...settings.httpsBinds.map((b) => `https://${b}`)].join(' ')}; ` +
      `/healthz /readyz /metrics on ${httpAddr.host}:${endpoints.port}${stats ? `, HAProxy's /metrics on ${stats}` : ''}`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  // HAProxy keeps serving: a restarted controller adopts it; deleting the pod stops it with the pod.
  await router.stop();
  await endpoints.close();
  await accessLogSocket?.close();
  client.close();
  return 0;
}

function clientFrom(values: {
  kubeconfig?: string;
  server?: string;
  token?: string;
  'certificate-authority'?: string;
  'insecure-skip-tls-verify'?: boolean;
}): KubeClient {
  if (values.kubeconfig) {
    try {
      return new KubeClient({ ...loadKubeconfig(values.kubeconfig), userAgent: 'podnet-router' });
    } catch (e) {
      throw new CliError(`--kubeconfig: ${(e as Error).message}`);
    }
  }
  if (!values.server)
    throw new CliError('podnet router needs --kubeconfig FILE, or --server URL (with --token T for HTTPS)');
  let caCertPem: string | undefined;
  if (values['certificate-authority']) {
    try {
      caCertPem = readFileSync(values['certificate-authority'], 'utf8');
    } catch (e) {
      throw new CliError(`cannot read --certificate-authority: ${(e as Error).message}`);
    }
  }
  return new KubeClient({
    server: values.server,
    token: values.token,
    caCertPem,
    insecureSkipTlsVerify: values['insecure-skip-tls-verify'],
    userAgent: 'podnet-router',
  });
}

/** `podnet router`: apps on domains, from Ingresses and Service annotations, with HAProxy as the engine. */
import { readFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { ApiserverDiscovery } from '../client/apiserver-discovery.js';
import { KubeClient } from '../client/client.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { parseDuration } from '../router/annotations.js';
import { serveHttp } from '../router/endpoints.js';
import { logger } from '../log/log.js';
import { processMetricsText } from '../metrics/process.js';
import { paths, type HaproxySettings, type Timeouts } from '../router/haproxy/render.js';
import { startRouter } from '../router/router.js';
import { router as routerCommand } from './commands.js';
import { CliError } from './errors.js';
import { inClusterAppliedLease } from '../client/endpoints-applied.js';
import { configureLoggingFromFlags } from './logging.js';
import { parseCommand } from './spec.js';

function hostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new CliError(`${flag} ${text}: expected ADDR:PORT, e.g. 0.0.0.0:80`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** --access-log: "stdout", a syslog server's ADDR:PORT, or off. */
function accessLogFlag(v: string): string | undefined {
  if (v === 'off') return undefined;
  if (v === 'stdout') return v;
  const { host, port } = hostPort(v, '--access-log');
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

const list = (v: string | undefined, flag: string): string[] =>
  v === undefined || v === 'off'
    ? []
    : v.split(',').map((s) => {
        hostPort(s.trim(), flag);
        return s.trim();
      });

function timeoutFlag(v: string, flag: string): number {
  try {
    return parseDuration(v);
  } catch (e) {
    throw new CliError(`${flag}: ${(e as Error).message}`);
  }
}

/** `podnet router config`: the files HAProxy runs with, so an operator can see why a request went where. */
function printConfig(runDir: string): number {
  const p = paths(runDir);
  if (!existsSync(p.config))
    throw new CliError(`no router config in ${runDir}: is podnet router running with --run-dir there?`);
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
  const { values, positionals } = parseCommand(routerCommand, args);
  if (positionals[0] !== undefined && positionals[0] !== 'config')
    throw new CliError(`unknown subcommand "${positionals[0]}"; the only one is "config"`);
  if (positionals[0] === 'config') return printConfig(values['run-dir']);
  configureLoggingFromFlags(values);
  const log = logger('router');
  const timeouts: Timeouts = {
    connectMs: timeoutFlag(values['connect-timeout'], '--connect-timeout'),
    responseMs: timeoutFlag(values['response-timeout'], '--response-timeout'),
    headerMs: timeoutFlag(values['header-timeout'], '--header-timeout'),
    clientMs: timeoutFlag(values['client-timeout'], '--client-timeout'),
    keepAliveMs: timeoutFlag(values['keepalive-timeout'], '--keepalive-timeout'),
    tunnelMs: timeoutFlag(values['tunnel-timeout'], '--tunnel-timeout'),
  };
  const threads = values.threads === undefined ? Math.max(1, cpus().length) : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64)
    throw new CliError(`--threads ${values.threads}: must be an integer 1-64`);
  const accessLog = accessLogFlag(values['access-log']);
  const stats = values['stats-listen'] === 'off' ? undefined : values['stats-listen'];
  if (stats) hostPort(stats, '--stats-listen');
  const settings: HaproxySettings = {
    runDir: values['run-dir'],
    httpBinds: list(values.http, '--http'),
    httpsBinds: list(values.https, '--https'),
    ...(stats ? { statsBind: stats } : {}),
    ...(accessLog ? { accessLog } : {}),
    threads,
    timeouts,
  };
  if (!settings.httpBinds.length && !settings.httpsBinds.length)
    throw new CliError('--http and --https are both off: the router would serve nothing');
  const client = clientFrom(values);
  // Every live API server, from the kubernetes Service's endpoints: the router fails over to any of them.
  const discovery = new ApiserverDiscovery(client, { log: (m) => log.info(m) });
  discovery.start();

  const httpAddr = hostPort(values['http-listen'], '--http-listen');
  let ready = false;
  let metrics = () => '';
  // A failure to start closes what is already open, so the process exits with its error instead of idling.
  const giveUp = (e: CliError): never => {
    discovery.stop();
    client.close();
    throw e;
  };
  const endpoints = await serveHttp(
    httpAddr.host,
    httpAddr.port,
    () => ready,
    () => metrics(),
  ).catch((e: Error) => giveUp(new CliError(`--http-listen ${values['http-listen']}: ${e.message}`)));
  log.info(`waiting for the API (${client.server}); HAProxy files in ${settings.runDir}`);
  const router = await startRouter({
    client,
    haproxy: settings,
    externalHaproxy: values['external-haproxy'],
    log,
    appliedLease: inClusterAppliedLease(process.env),
  }).catch(async (e: Error) => {
    await endpoints.close();
    return giveUp(new CliError(e.message));
  });
  metrics = () => router.metrics.render() + processMetricsText();
  ready = true;
  log.info(
    `serving ${[...settings.httpBinds.map((b) => `http://${b}`), ...settings.httpsBinds.map((b) => `https://${b}`)].join(' ')}; ` +
      `/healthz /readyz /metrics on ${httpAddr.host}:${endpoints.port}${stats ? `, HAProxy's /metrics on ${stats}` : ''}`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  // HAProxy keeps serving: a restarted controller adopts it; deleting the pod stops it with the pod.
  await router.stop();
  await endpoints.close();
  discovery.stop();
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

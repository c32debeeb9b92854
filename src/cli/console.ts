/** `podnet console`: the web console, reading and relaying with each browser user's own token. */
import { readFileSync } from 'node:fs';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { createConsoleServer } from '../console/server.js';
import type { Upstream } from '../console/upstream.js';
import { logger } from '../log/log.js';
import { consoleCommand } from './commands.js';
import { CliError } from './errors.js';
import { configureLoggingFromFlags } from './logging.js';
import { parseCommand } from './spec.js';
import { superviseIfAsked, untilStopped } from './supervision.js';

export async function runConsole(args: string[]): Promise<number> {
  const { values } = parseCommand(consoleCommand, args);
  configureLoggingFromFlags(values);
  const log = logger('console');
  const upstream = upstreamFrom(values);
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(values.listen);
  if (!m || Number(m[3]) > 65535)
    throw new CliError(`--listen ${values.listen}: expected ADDR:PORT, e.g. 127.0.0.1:7070`);
  const host = m[1] ?? (m[2] || '0.0.0.0');
  // Flags are checked before supervising: a typo fails now, not in a restart loop.
  const supervised = superviseIfAsked('console', values, args);
  if (supervised) return supervised;
  const served = createConsoleServer({ upstream, log: (line) => log.info(line) });
  await new Promise<void>((resolve, reject) => {
    served.server.once('error', (e) => reject(new CliError(`--listen ${values.listen}: ${e.message}`)));
    served.server.listen(Number(m[3]), host, () => resolve());
  });
  const port = (served.server.address() as { port: number }).port;
  log.info(
    `serving http://${host.includes(':') ? `[${host}]` : host}:${port}/ for the API server ${upstream.url.origin}`,
  );
  await untilStopped();
  await served.close();
  return 0;
}

function upstreamFrom(values: {
  kubeconfig?: string;
  server?: string;
  'certificate-authority'?: string;
  'insecure-skip-tls-verify'?: boolean;
}): Upstream {
  // --server may list several API servers (comma-separated): the first is used, the others on failure.
  let servers = values.server
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let caPem: string | undefined;
  let insecure = values['insecure-skip-tls-verify'] ?? false;
  if (values.kubeconfig) {
    try {
      // Only where the API server is and how to trust it: the users bring their own tokens.
      const kc = loadKubeconfig(values.kubeconfig);
      servers ??= kc.servers ?? [kc.server];
      caPem = kc.caCertPem;
      insecure ||= kc.insecureSkipTlsVerify ?? false;
    } catch (e) {
      throw new CliError(`--kubeconfig: ${(e as Error).message}`);
    }
  }
  if (!servers?.length) throw new CliError('podnet console needs --server URL (the API server), or --kubeconfig FILE');
  if (values['certificate-authority']) {
    try {
      caPem = readFileSync(values['certificate-authority'], 'utf8');
    } catch (e) {
      throw new CliError(`cannot read --certificate-authority: ${(e as Error).message}`);
    }
  }
  const [url, ...others] = servers.map((server) => {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw new CliError(`--server ${server}: not a URL; expected e.g. https://10.250.7.1:6443`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new CliError(`--server ${server}: expected an http:// or https:// URL`);
    return url;
  });
  return {
    url: url!,
    ...(others.length ? { others } : {}),
    ...(caPem ? { caPem } : {}),
    insecureSkipTlsVerify: insecure,
  };
}

/** `podnet dns`: cluster DNS for the Kubernetes DNS spec and business names, forwarding the rest upstream. */
import { readFileSync } from 'node:fs';
import { ApiserverDiscovery } from '../client/apiserver-discovery.js';
import { KubeClient } from '../client/client.js';
import { readClusterConfig } from '../client/cluster-config.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import {
  nameserversFromResolvConf,
  parseUpstream,
  startDns,
  type PodRecordsMode,
  type Upstream,
} from '../dns/index.js';
import { dns as dnsCommand } from './commands.js';
import { CliError } from './errors.js';
import { inClusterAppliedLease } from '../client/endpoints-applied.js';
import { logger } from '../log/log.js';
import { configureLoggingFromFlags } from './logging.js';
import { parseCommand } from './spec.js';

function hostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new CliError(`${flag} ${text}: expected ADDR:PORT, e.g. 0.0.0.0:53 or 127.0.0.1:5353`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export async function runDns(args: string[]): Promise<number> {
  const { values } = parseCommand(dnsCommand, args);
  configureLoggingFromFlags(values);
  const log = logger('dns');
  const podRecords = values['pod-records'];
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600)
    throw new CliError(`--ttl ${values.ttl}: must be an integer 0-3600`);

  let upstreams: Upstream[];
  if (values.upstream) {
    try {
      upstreams = values.upstream
        .split(',')
        .filter((s) => s.trim())
        .map(parseUpstream);
    } catch (e) {
      throw new CliError(`--upstream: ${(e as Error).message}`);
    }
  } else {
    let text = '';
    try {
      text = readFileSync('/etc/resolv.conf', 'utf8');
    } catch {
      /* no resolv.conf: no upstreams */
    }
    upstreams = nameserversFromResolvConf(text);
    if (!upstreams.length)
      log.warn('no nameservers in /etc/resolv.conf and no --upstream: names outside the cluster will get SERVFAIL');
  }

  let client: KubeClient;
  if (values.kubeconfig) {
    try {
      client = new KubeClient({ ...loadKubeconfig(values.kubeconfig), userAgent: 'podnet-dns' });
    } catch (e) {
      throw new CliError(`--kubeconfig: ${(e as Error).message}`);
    }
  } else {
    if (!values.server) throw new CliError('it needs --kubeconfig FILE, or --server URL (with --token T for HTTPS)');
    let caCertPem: string | undefined;
    if (values['certificate-authority']) {
      try {
        caCertPem = readFileSync(values['certificate-authority'], 'utf8');
      } catch (e) {
        throw new CliError(`cannot read --certificate-authority: ${(e as Error).message}`);
      }
    }
    client = new KubeClient({
      server: values.server,
      token: values.token,
      caCertPem,
      insecureSkipTlsVerify: values['insecure-skip-tls-verify'],
      userAgent: 'podnet-dns',
    });
  }

  // Every live API server, from the kubernetes Service's endpoints: DNS fails over to any of them.
  const discovery = new ApiserverDiscovery(client, { log: (m) => log.info(m) });
  discovery.start();
  let cluster;
  try {
    cluster = await readClusterConfig(client, {
      flags: { clusterDomain: values['cluster-domain'] },
      log,
    });
  } catch (e) {
    discovery.stop();
    client.close();
    throw new CliError((e as Error).message);
  }
  const dns = await startDns({
    client,
    listen: hostPort(values.listen, '--listen'),
    http: hostPort(values['http-listen'], '--http-listen'),
    upstreams,
    clusterDomain: cluster.clusterDomain,
    podRecords: podRecords as PodRecordsMode,
    ttl,
    appliedLease: inClusterAppliedLease(process.env),
  }).catch((e: Error) => {
    throw new CliError(e.message);
  });
  // The ports actually bound (a listen port of 0 lets the kernel pick one)
  const listen = hostPort(values.listen, '--listen');
  const http = hostPort(values['http-listen'], '--http-listen');
  process.stdout.write(
    `podnet dns serving ${cluster.clusterDomain} on ${listen.host}:${dns.port} (UDP+TCP), http on ${http.host}:${dns.httpPort}, upstreams ${upstreams.map((u) => `${u.host}:${u.port}`).join(',') || 'none'}\n`,
  );
  dns.waitForSync().then(
    () => process.stdout.write('podnet dns: informer caches synced; ready\n'),
    () => {},
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  discovery.stop();
  await dns.stop();
  client.close();
  return 0;
}

/** `podnet node`: the node agent (kubelet + CNI runtime + flanneld) for this host. */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiserverDiscovery } from '../client/apiserver-discovery.js';
import { KubeClient } from '../client/client.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { runOk } from '../host/exec.js';
import { logger } from '../log/log.js';
import { startNodeAgent } from '../node/agent.js';
import { node } from './commands.js';
import { CliError } from './errors.js';
import { configureLoggingFromFlags } from './logging.js';
import { parseCommand } from './spec.js';
import { superviseIfAsked, untilStopped } from './supervision.js';

export async function runNode(args: string[]): Promise<number> {
  const { values } = parseCommand(node, args);
  configureLoggingFromFlags(values);
  // parseCommand checked both against their choices.
  const backend = values.backend as 'vxlan' | 'host-gw';
  const proxyMode = values['proxy-mode'] as 'nftables' | 'iptables';
  const maxPods = Number(values['max-pods']);
  if (!Number.isInteger(maxPods) || maxPods < 1)
    throw new CliError(`--max-pods ${values['max-pods']}: must be a positive integer`);

  let client: KubeClient;
  if (values.kubeconfig) {
    client = new KubeClient({ ...loadKubeconfig(values.kubeconfig), userAgent: 'podnet-node' });
  } else {
    if (!values.server || !values.token)
      throw new CliError(
        'it needs --server URL and --token T (or --kubeconfig FILE); "podnet up" passes them for local clusters',
      );
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
      userAgent: 'podnet-node',
    });
  }
  // Flags are checked before supervising: a typo fails now, not in a restart loop.
  const supervised = superviseIfAsked('node', values, args);
  if (supervised) return supervised;
  // Every live API server, from the kubernetes Service's endpoints: the agent fails over to any of them.
  const discovery = new ApiserverDiscovery(client, { log: (m) => logger('node').info(m) });
  discovery.start();
  const nodeName = values.name ?? hostname();
  const nodeIp = values['node-ip'] ?? (await sourceAddressTowards(client.server));
  const state = resolve(values.state ?? join('/var/lib/podnet/nodes', nodeName));

  const streaming = readStreamingTls(values);
  const agent = await startNodeAgent({
    client,
    streaming,
    nodeName,
    nodeIp,
    stateDir: state,
    backend,
    proxyMode,
    clusterFlags: { clusterDnsIp: values['cluster-dns'], clusterDomain: values['cluster-domain'] },
    maxPods,
    runtime: values.runtime as 'runc' | 'process',
    imageTablePath: values.images,
  }).catch((e: Error) => {
    throw new CliError(e.message);
  });
  process.stdout.write(`podnet node ${nodeName} (${nodeIp}) running; state in ${state}\n`);
  await untilStopped();
  // Pods keep running: a restarted agent adopts them, as the kubelet does.
  discovery.stop();
  await agent.stop();
  return 0;
}

/** The address this host uses to reach the API server: the natural InternalIP. */
async function sourceAddressTowards(server: string): Promise<string> {
  const host = new URL(server).hostname.replace(/^\[|\]$/g, '');
  try {
    const out = await runOk(['ip', '-j', 'route', 'get', host]);
    const src = (JSON.parse(out) as { prefsrc?: string }[])[0]?.prefsrc;
    if (src) return src;
  } catch {
    /* fall through to the error */
  }
  throw new CliError(`cannot tell this node's IP from the route to ${host}; pass --node-ip`);
}

/**
 * The streaming endpoint's certificate (--tls-cert-file/--tls-private-key-file,
 * from `podnet node-cert` or `podnet up`) and the CA the API server's client
 * certificate must chain to (--client-ca-file, default --certificate-authority).
 */
function readStreamingTls(values: {
  'tls-cert-file'?: string;
  'tls-private-key-file'?: string;
  'client-ca-file'?: string;
  'certificate-authority'?: string;
}): { certPem: string; keyPem: string; caPem: string } | undefined {
  const cert = values['tls-cert-file'],
    key = values['tls-private-key-file'];
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new CliError('--tls-cert-file and --tls-private-key-file go together');
  const ca = values['client-ca-file'] ?? values['certificate-authority'];
  if (!ca)
    throw new CliError('--tls-cert-file needs --client-ca-file (or --certificate-authority): the CA of the API server');
  const read = (flag: string, path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${flag}: ${(e as Error).message}`);
    }
  };
  return {
    certPem: read('--tls-cert-file', cert),
    keyPem: read('--tls-private-key-file', key),
    caPem: read('--client-ca-file', ca),
  };
}

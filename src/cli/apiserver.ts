/** `podnet apiserver`: run the control plane until SIGINT/SIGTERM. */
import { startApiServer } from '../apiserver/server.js';
import { clusterNameProblem } from '../cluster/names.js';
import { clusterFlagsFrom } from './cluster-flags.js';
import { apiserver } from './commands.js';
import { parseCommand } from './spec.js';
import { CliError } from './errors.js';
import { configureLoggingFromFlags } from './logging.js';
import { stateDir } from './state-dir.js';
import { superviseIfAsked, untilStopped } from './supervision.js';
import { tryParseCidr } from '../api/ipv4.js';
import { etcdConnectionProblem, parseEtcdServers, type EtcdConnection } from '../store/etcd/open.js';

export async function runApiserver(args: string[]): Promise<number> {
  const { values } = parseCommand(apiserver, args);
  configureLoggingFromFlags(values);
  const problem = values['cluster-name'] === undefined ? undefined : clusterNameProblem(values['cluster-name']);
  if (problem) throw new CliError(problem);
  const { host, port } = parseListen(values.listen);
  const etcd = etcdFrom(values);
  const serviceExternalIpCidrs = externalIpCidrs(values['service-external-ip-cidrs']);
  // Flags are checked before supervising: a typo fails now, not in a restart loop.
  const supervised = superviseIfAsked('apiserver', values, args);
  if (supervised) return supervised;
  const server = await startApiServer({
    stateDir: stateDir(values.state),
    host,
    port,
    insecureHttp: values['insecure-http'],
    cluster: clusterFlagsFrom(values),
    advertiseAddress: values['advertise-address'],
    clusterName: values['cluster-name'],
    nodeGracePeriodSeconds: values['node-grace-period'] ? Number(values['node-grace-period']) : undefined,
    serviceExternalIpCidrs,
    ...(etcd && { etcd }),
  }).catch((e: Error) => {
    throw new CliError(e.message);
  });
  process.stdout.write(`podnet apiserver listening on ${server.url}\nkubeconfig: ${server.kubeconfigPath}\n`);
  await untilStopped();
  await server.close();
  return 0;
}

function externalIpCidrs(flag: string | undefined): string[] {
  const cidrs = (flag ?? '').split(',').filter(Boolean);
  const bad = cidrs.find((c) => !tryParseCidr(c));
  if (bad) throw new CliError(`--service-external-ip-cidrs: "${bad}" is not an IPv4 CIDR (e.g. 192.0.2.0/24)`);
  return cidrs;
}

function etcdFrom(values: {
  'etcd-servers'?: string;
  'etcd-cafile'?: string;
  'etcd-certfile'?: string;
  'etcd-keyfile'?: string;
}): EtcdConnection | undefined {
  const servers = values['etcd-servers'];
  if (servers === undefined) {
    if (values['etcd-cafile'] || values['etcd-certfile'] || values['etcd-keyfile'])
      throw new CliError('--etcd-cafile/--etcd-certfile/--etcd-keyfile need --etcd-servers');
    return undefined;
  }
  try {
    const c: EtcdConnection = {
      servers: parseEtcdServers(servers),
      caFile: values['etcd-cafile'],
      certFile: values['etcd-certfile'],
      keyFile: values['etcd-keyfile'],
    };
    const problem = etcdConnectionProblem(c);
    if (problem) throw new Error(problem);
    return c;
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new CliError(`--listen ${JSON.stringify(listen)} is not ADDR:PORT (e.g. 127.0.0.1:6443 or [::1]:6443)`);
  }
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

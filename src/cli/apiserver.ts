/** `podnet apiserver`: run the control plane until SIGINT/SIGTERM. */
import { startApiServer } from '../apiserver/server.js';
import { clusterNameProblem } from '../cluster/names.js';
import { clusterFlagsFrom } from './cluster-flags.js';
import { apiserver } from './commands.js';
import { parseCommand } from './spec.js';
import { CliError } from './errors.js';
import { configureLoggingFromFlags } from './logging.js';
import { stateDir } from './state-dir.js';
import { tryParseCidr } from '../api/ipv4.js';
import { DEFAULT_APISERVER_MAX_HEAP_MIB, superviseChild, type SuperviseOptions } from '../cluster/supervise-child.js';
import { childArgs } from '../cluster/restart-policy.js';
import { etcdConnectionProblem, parseEtcdServers, type EtcdConnection } from '../store/etcd/open.js';

export async function runApiserver(args: string[]): Promise<number> {
  const { values } = parseCommand(apiserver, args);
  configureLoggingFromFlags(values);
  if (values.supervise) return superviseChild(supervision(values['max-heap'], args));
  if (values['max-heap'] !== undefined) throw new CliError('--max-heap needs --supervise');
  const problem = values['cluster-name'] === undefined ? undefined : clusterNameProblem(values['cluster-name']);
  if (problem) throw new CliError(problem);
  const { host, port } = parseListen(values.listen);
  const etcd = etcdFrom(values);
  const server = await startApiServer({
    stateDir: stateDir(values.state),
    host,
    port,
    insecureHttp: values['insecure-http'],
    cluster: clusterFlagsFrom(values),
    advertiseAddress: values['advertise-address'],
    clusterName: values['cluster-name'],
    nodeGracePeriodSeconds: values['node-grace-period'] ? Number(values['node-grace-period']) : undefined,
    serviceExternalIpCidrs: externalIpCidrs(values['service-external-ip-cidrs']),
    ...(etcd && { etcd }),
  }).catch((e: Error) => {
    throw new CliError(e.message);
  });
  process.stdout.write(`podnet apiserver listening on ${server.url}\nkubeconfig: ${server.kubeconfigPath}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Under --supervise: a supervisor killed with -9 closes this channel; stop rather than outlive it.
    if (process.channel) {
      process.channel.unref();
      process.once('disconnect', stop);
    }
  });
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

/** `--supervise`: this process runs `podnet apiserver` (the same flags) as its child with a heap limit. */
function supervision(maxHeap: string | undefined, args: string[]): SuperviseOptions {
  const maxHeapMib = maxHeap === undefined ? DEFAULT_APISERVER_MAX_HEAP_MIB : Number(maxHeap);
  if (!Number.isInteger(maxHeapMib) || maxHeapMib < 64)
    throw new CliError(`--max-heap: "${maxHeap}" is not a whole number of MiB of at least 64 (e.g. 1024)`);
  return { name: 'apiserver', args: [process.argv[1]!, 'apiserver', ...childArgs(args)], maxHeapMib };
}

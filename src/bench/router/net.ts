/**
 * The benchmark's network: one namespace `podnet-tb<id>` whose loopback
 * carries every address (this kernel has no dummy links; an address on
 * lo is local delivery, the same path a dummy's would take): the proxies'
 * 10.77.0.1, the two nginx backends 10.77.0.11-12, and a fresh address
 * per change sample in 10.77.1.0/24 onwards (the API server refuses
 * loopback endpoint addresses, so nothing is on 127/8 but the API server
 * and the routers' own ports). Created and deleted by main.ts, with every
 * process inside; nothing leaves the namespace.
 */
import { runOk } from '../../host/exec.js';
import { deleteNetns, netnsExists } from '../common/netns.js';

export const PROXY_IP = '10.77.0.1';
export const BACKENDS = ['10.77.0.11', '10.77.0.12'] as const;
/** Every backend, nginx and fresh, answers on this port (an EndpointSlice has one port for all its endpoints). */
export const BACKEND_PORT = 8080;

/** The proxies under test, each on its own port of PROXY_IP. */
export type ProxyName = 'podnet' | 'podnet-nolog' | 'haproxy' | 'nginx';
export const PROXY_NAMES: readonly ProxyName[] = ['podnet', 'haproxy', 'nginx', 'podnet-nolog'];
export const PROXY_PORTS: Record<ProxyName, number> = {
  podnet: 8001,
  haproxy: 8002,
  nginx: 8003,
  'podnet-nolog': 8004,
};
export const PROXY_LABELS: Record<ProxyName, string> = {
  podnet: 'podnet router',
  'podnet-nolog': 'podnet router, --access-log off',
  haproxy: 'haproxy, hand-written',
  nginx: 'nginx',
};

/** The k-th fresh backend address (k from 0): 10.77.1.1 ... 10.77.1.250, then 10.77.2.1 ... */
export function freshAddress(k: number): string {
  return `10.77.${1 + Math.floor(k / 250)}.${(k % 250) + 1}`;
}

/**
 * CPU layout. The client core runs what generates load and the cluster
 * around the router (wrk, the change probe, the bench driver, the API
 * server); the server core runs everything measured: the proxy under test
 * (all of `podnet router`, controller and HAProxy, so whatever its
 * features cost lands on its core), the backends, the fresh backends.
 */
export const CLIENT_CPU = 0;
export const SERVER_CPU = 1;

export interface RouterNet {
  ns: string;
  destroy(): Promise<void>;
}

export async function createRouterNet(ns: string, freshCount: number): Promise<RouterNet> {
  if (await netnsExists(ns)) throw new Error(`network namespace ${ns} already exists`);
  await runOk(['ip', 'netns', 'add', ns]);
  const destroy = () => deleteNetns(ns);
  try {
    const addresses = [PROXY_IP, ...BACKENDS, ...Array.from({ length: freshCount }, (_, k) => freshAddress(k))];
    await runOk(['ip', '-n', ns, '-batch', '-'], {
      input: ['link set lo up', ...addresses.map((a) => `addr add ${a}/32 dev lo`)].join('\n') + '\n',
    });
    // A run opens a few hundred thousand connections; a wide port range keeps wrk from reusing tuples still in TIME_WAIT.
    await runOk(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_local_port_range=1024 65000']);
    return { ns, destroy };
  } catch (e) {
    await destroy();
    throw e;
  }
}

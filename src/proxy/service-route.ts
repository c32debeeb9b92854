/**
 * A node without a default route cannot even send to a ClusterIP: the
 * route lookup fails before netfilter's output hook could DNAT it. When
 * nothing routes the service CIDR, route it out of the node's own
 * interface (the DNAT happens before the packet leaves; unallocated
 * addresses are dropped by our rules).
 */
import { ipJson, run, runOk } from '../host/exec.js';

export async function ensureServiceRoute(serviceCidr: string, nodeIp: string, log: (m: string) => void): Promise<void> {
  const probe = serviceCidr.split('/')[0]!.replace(/\.0$/, '.1');
  if ((await run(['ip', 'route', 'get', probe])).code === 0) return;
  const addrs = await ipJson<{ ifname: string; addr_info?: { local?: string }[] }>(['-4', 'addr', 'show']);
  const dev = addrs.find((a) => a.addr_info?.some((i) => i.local === nodeIp))?.ifname;
  if (!dev) throw new Error(`no interface holds the node IP ${nodeIp}; pass the node's own address as --node-ip`);
  await runOk(['ip', 'route', 'replace', serviceCidr, 'dev', dev, 'src', nodeIp]);
  log(`proxy: routed the service CIDR ${serviceCidr} via ${dev} (this node has no default route)`);
}

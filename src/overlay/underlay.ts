/**
 * The underlay: the interface that carries this node's public IP. Found by
 * address rather than by `ip route get <publicIp>`, which for a local
 * address answers "dev lo". Its MTU sets the pods' MTU; its subnet bounds
 * which host-gw next hops are directly reachable.
 */
import { ipJson } from '../host/exec.js';
import { numberToIpv4, parseIpv4Cidr } from '../api/ipv4.js';
import type { HostTarget } from './types.js';

export interface Underlay {
  dev: string;
  mtu: number;
  /** The subnet of the public IP on that interface, e.g. 192.168.1.0/24. */
  cidr: string;
}

/** One element of `ip -j addr show` (the fields we use). */
interface IpAddrJson {
  ifname?: string;
  mtu?: number;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

/** The interface holding `publicIp`, from `ip -j addr show` output. Pure. */
export function underlayFromAddrs(json: readonly IpAddrJson[], publicIp: string): Underlay | undefined {
  for (const link of json) {
    const a = link.addr_info?.find((x) => x.family === 'inet' && x.local === publicIp);
    if (!a || !link.ifname) continue;
    const net = parseIpv4Cidr(`${publicIp}/${a.prefixlen ?? 32}`);
    return { dev: link.ifname, mtu: link.mtu ?? 1500, cidr: `${numberToIpv4(net.base)}/${net.prefix}` };
  }
  return undefined;
}

export async function findUnderlay(target: HostTarget, publicIp: string): Promise<Underlay> {
  const found = underlayFromAddrs(await ipJson<IpAddrJson>(['addr', 'show'], { netns: target.netns }), publicIp);
  if (!found) {
    throw new Error(
      `no interface${target.netns ? ` in netns ${target.netns}` : ''} has the address ${publicIp}; pass this node's own underlay IP as the public IP (see "ip -br addr")`,
    );
  }
  if (found.dev === 'lo')
    throw new Error(
      `${publicIp} is on the loopback interface; the public IP must be on the interface other nodes reach this node through`,
    );
  return found;
}

/**
 * The node's CNI network configuration, rendered from node facts (pure).
 * bridge + host-local + portmap, the classic "kubenet"-style setup: every pod
 * gets a veth on the node bridge cni0 and an address from the node's podCIDR.
 */
import { CNI_VERSION, type CniConfList } from './types.js';

export const POD_NETWORK_NAME = 'podnet';
export const LOOPBACK_NETWORK_NAME = 'cni-loopback';
export const POD_BRIDGE = 'cni0';

export interface NodeNetworkFacts {
  /** The node's pod subnet, e.g. 10.244.1.0/24. */
  podCIDR: string;
  /** Pod interface MTU: 1450 under vxlan (50 bytes of encapsulation), 1500 with host-gw. */
  mtu: number;
  /** Directory host-local keeps its IP reservations in (under the runtime's state dir). */
  ipamDataDir: string;
}

/** MTU pods get for a given overlay backend. */
export const podMtuFor = (backend: 'vxlan' | 'host-gw'): number => (backend === 'vxlan' ? 1450 : 1500);

export function renderPodNetworkConfList(facts: NodeNetworkFacts): CniConfList {
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(facts.podCIDR)) {
    throw new Error(
      `invalid podCIDR "${facts.podCIDR}": the node needs an IPv4 pod subnet such as 10.244.1.0/24 before pods can be wired`,
    );
  }
  if (!Number.isInteger(facts.mtu) || facts.mtu < 576 || facts.mtu > 9000) {
    throw new Error(`invalid pod MTU ${facts.mtu}: expected 1450 (vxlan) or 1500 (host-gw)`);
  }
  if (!facts.ipamDataDir.startsWith('/')) throw new Error(`IPAM data dir must be absolute, got "${facts.ipamDataDir}"`);
  return {
    cniVersion: CNI_VERSION,
    name: POD_NETWORK_NAME,
    plugins: [
      {
        type: 'bridge',
        bridge: POD_BRIDGE,
        isGateway: true,
        // Masquerading is the overlay/proxy's business, not the bridge's.
        ipMasq: false,
        // Lets a pod reach itself through a Service VIP.
        hairpinMode: true,
        mtu: facts.mtu,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: facts.podCIDR }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: facts.ipamDataDir,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

/**
 * The list a pod is actually wired with: without the portmap plugin when the
 * pod maps no hostPort (it would only run iptables to do nothing — a third
 * of a pod's network setup time). DEL and CHECK use the cached list, so the
 * choice made at ADD is the one undone.
 */
export function confListForPod(list: CniConfList, hostPorts: number): CniConfList {
  return hostPorts > 0 ? list : { ...list, plugins: list.plugins.filter((p) => p.type !== 'portmap') };
}

/** Brings lo up inside the pod's netns (a network of its own, as containerd does). */
export function renderLoopbackConfList(): CniConfList {
  return { cniVersion: CNI_VERSION, name: LOOPBACK_NETWORK_NAME, plugins: [{ type: 'loopback' }] };
}

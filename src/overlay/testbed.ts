/**
 * A throwaway multi-node lab for the overlay's integration tests, made of
 * network namespaces only: a "switch" netns holding the bridge
 * podnetb<rand> (the underlay L2 network), and one netns per node, attached
 * to it by a veth named eth0, with a bridge cni0 holding a "pod" address.
 * The switch lives in its own netns rather than on the host so the host's
 * bridge-netfilter and firewall settings never see the lab's traffic, and
 * the host's own interfaces and routes are never touched.
 */
import { randomBytes } from 'node:crypto';
import { ipJson, run, runOk } from '../host/exec.js';

export interface LabNode {
  /** Node object name. */
  name: string;
  netns: string;
  /** Underlay (public) IP on eth0. */
  ip: string;
  podCidr: string;
  /** Address on cni0 inside podCidr, standing in for a pod. */
  podIp: string;
}

export interface Lab {
  id: string;
  switchNetns: string;
  bridge: string;
  /** Underlay subnet, e.g. 10.251.37.0/24. */
  underlay: string;
  clusterCidr: string;
  nodes: LabNode[];
  destroy(): Promise<void>;
}

const LAB_CLUSTER_CIDR = '10.252.0.0/16';

/** A random 10.251.<x>.0/24 that no route on the host overlaps (not needed for isolation, but it keeps traces unambiguous). */
async function freeUnderlaySubnet(): Promise<string> {
  const routes = await ipJson<{ dst?: string }>(['route', 'show', 'table', 'all']);
  const taken = new Set(routes.map((r) => r.dst ?? ''));
  for (let i = 0; i < 50; i += 1) {
    const x = 1 + Math.floor(Math.random() * 254);
    const net = `10.251.${x}.0/24`;
    if (
      ![...taken].some((d) => d === net || d.startsWith(`10.251.${x}.`) || d === '10.251.0.0/16' || d === '10.0.0.0/8')
    )
      return net;
  }
  throw new Error('no free 10.251.x.0/24 for the lab underlay; the host routes cover them all');
}

export async function createLab(nodeCount: number): Promise<Lab> {
  const id = randomBytes(2).toString('hex');
  const underlay = await freeUnderlaySubnet();
  const prefix = underlay.split('.').slice(0, 3).join('.');
  const switchNetns = `podnet-t${id}-sw`;
  const bridge = `podnetb${id}`;
  const nodes: LabNode[] = Array.from({ length: nodeCount }, (_, k) => ({
    name: `t${id}-n${k + 1}`,
    netns: `podnet-t${id}-n${k + 1}`,
    ip: `${prefix}.${11 + k}`,
    podCidr: `10.252.${k + 1}.0/24`,
    podIp: `10.252.${k + 1}.1`,
  }));
  const made: string[] = [];
  const lab: Lab = {
    id,
    switchNetns,
    bridge,
    underlay,
    clusterCidr: LAB_CLUSTER_CIDR,
    nodes,
    async destroy() {
      // Deleting a netns deletes its interfaces and the veth peers in the other namespaces.
      for (const ns of made.reverse()) await run(['ip', 'netns', 'del', ns]);
    },
  };
  try {
    await runOk(['ip', 'netns', 'add', switchNetns]);
    made.push(switchNetns);
    const sw = { netns: switchNetns };
    await runOk(['ip', 'link', 'add', bridge, 'type', 'bridge'], sw);
    await runOk(['ip', 'link', 'set', bridge, 'up'], sw);
    for (const [k, n] of nodes.entries()) {
      await runOk(['ip', 'netns', 'add', n.netns]);
      made.push(n.netns);
      const port = `v${k + 1}`;
      await runOk(['ip', 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.netns], sw);
      await runOk(['ip', 'link', 'set', port, 'master', bridge, 'up'], sw);
      const ns = { netns: n.netns };
      await runOk(['ip', 'link', 'set', 'lo', 'up'], ns);
      await runOk(['ip', 'addr', 'add', `${n.ip}/24`, 'dev', 'eth0'], ns);
      await runOk(['ip', 'link', 'set', 'eth0', 'up'], ns);
      await runOk(['ip', 'link', 'add', 'cni0', 'type', 'bridge'], ns);
      await runOk(['ip', 'addr', 'add', `${n.podIp}/24`, 'dev', 'cni0'], ns);
      await runOk(['ip', 'link', 'set', 'cni0', 'up'], ns);
    }
  } catch (e) {
    await lab.destroy();
    throw e;
  }
  return lab;
}

/** Polls `probe` until it returns true, or fails with `what` and the last value it saw. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 150));
  }
}

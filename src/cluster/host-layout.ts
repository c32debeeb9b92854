/**
 * Builds the cluster's host network: one bridge holding the host's .1, and
 * per node a netns with a veth pair (host end on the bridge, eth0 inside).
 * Every step checks what exists first, so a rerun after a crash finishes
 * the job. Only links and netns named by names.ts are ever created.
 */
import { createHash } from 'node:crypto';
import { ipJson, run, runOk } from '../host/exec.js';
import { listLinks, listNetns } from './host-scan.js';
import type { ClusterLayout, ControlPlaneLayout, NodeLayout } from './layout.js';

interface AddrEntry {
  ifname: string;
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

/** The bridge's alias names the state dir that owns it, so a second DIR cannot silently share it. */
function bridgeAlias(stateDir: string): string {
  const alias = `podnet state=${stateDir}`;
  return alias.length <= 250 ? alias : `podnet state-sha256=${createHash('sha256').update(stateDir).digest('hex')}`;
}

async function hasAddress(dev: string, ip: string, netns?: string): Promise<boolean> {
  const entries = await ipJson<AddrEntry>([...(netns ? ['-n', netns] : []), '-4', 'addr', 'show', 'dev', dev]);
  return entries.some((e) => (e.addr_info ?? []).some((a) => a.local === ip));
}

async function ensureBridge(layout: ClusterLayout): Promise<void> {
  const alias = bridgeAlias(layout.stateDir);
  const existing = (await listLinks()).find((l) => l.ifname === layout.bridge);
  if (existing && existing.ifalias !== alias) {
    throw new Error(
      `bridge ${layout.bridge} already exists and belongs to ${existing.ifalias ?? 'something else (no podnet alias)'}: a cluster with the same name runs from another state dir; stop it with "podnet down --state <its dir>" or pick another --name`,
    );
  }
  if (!existing) {
    await runOk(['ip', 'link', 'add', 'name', layout.bridge, 'type', 'bridge']);
    await runOk(['ip', 'link', 'set', 'dev', layout.bridge, 'alias', alias]);
  }
  if (!(await hasAddress(layout.bridge, layout.hostIp))) {
    await runOk(['ip', 'addr', 'add', `${layout.hostIp}/24`, 'dev', layout.bridge]);
  }
  await runOk(['ip', 'link', 'set', 'dev', layout.bridge, 'up']);
}

async function ensureNode(layout: ClusterLayout, node: NodeLayout): Promise<void> {
  await ensureOnBridge(layout, node);
  // The node routes pod traffic; forwarding is switched on in its own netns only, never on the host.
  await runOk(['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward'], { netns: node.netns });
}

/** A control-plane namespace (one etcd member): on the bridge, routing nothing. */
const ensureControlPlane = (layout: ClusterLayout, cp: ControlPlaneLayout): Promise<void> => ensureOnBridge(layout, cp);

/** A netns with eth0 at ip, its veth's host end on the cluster bridge. */
async function ensureOnBridge(
  layout: ClusterLayout,
  node: { netns: string; hostVeth: string; ip: string },
): Promise<void> {
  if (!listNetns().includes(node.netns)) await runOk(['ip', 'netns', 'add', node.netns]);
  const inside = await listLinks(node.netns);
  if (!inside.some((l) => l.ifname === 'eth0')) {
    // A host end without its eth0 is a leftover of a half-done run: start the pair afresh.
    await run(['ip', 'link', 'del', node.hostVeth]);
    await runOk(['ip', 'link', 'add', node.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns]);
  }
  await runOk(['ip', 'link', 'set', 'dev', node.hostVeth, 'master', layout.bridge, 'up']);
  await runOk(['ip', '-n', node.netns, 'link', 'set', 'dev', 'lo', 'up']);
  if (!(await hasAddress('eth0', node.ip, node.netns))) {
    await runOk(['ip', '-n', node.netns, 'addr', 'add', `${node.ip}/24`, 'dev', 'eth0']);
  }
  await runOk(['ip', '-n', node.netns, 'link', 'set', 'dev', 'eth0', 'up']);
}

/** The whole host layout of `up`: bridge, control-plane namespaces, then every node. */
export async function ensureHostLayout(layout: ClusterLayout): Promise<void> {
  await ensureBridge(layout);
  for (const cp of layout.controlPlanes ?? []) await ensureControlPlane(layout, cp);
  for (const node of layout.nodes) await ensureNode(layout, node);
}

/**
 * `down`'s work: stop every process of the cluster, remove its pods'
 * cgroups (runc runtime), unmount what lies under DIR, delete its links and
 * netns, then look again and report anything left. Works from the recorded layout alone, so it also cleans up after a
 * crash or when the agents are long gone. Every step is idempotent.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupProcesses, podCgroup, removeCgroup } from '../host/cgroups.js';
import { run } from '../host/exec.js';
import { scanClusterProcesses } from './cluster-processes.js';
import { hostIpv4Prefixes, listLinks, listNetns, netnsInode, routesOf } from './host-scan.js';
import type { ClusterLayout } from './layout.js';
import { mountsUnder, readMountPoints } from './mounts.js';
import { isClusterLink, ownerOfNetns } from './names.js';
import { isRunning } from './procfs.js';
import { isRecordAlive, listRecords, removeRecord, terminate } from './supervisor.js';

interface TeardownReport {
  stopped: number[];
  unmounted: string[];
  links: string[];
  netns: string[];
  /** Pod cgroups removed (the runc runtime makes one per pod; the agents are gone, so down removes them). */
  cgroups: string[];
  /** What is still there at the end (empty on success), one line each. */
  leftovers: string[];
}

/** The cluster's netns: pod netns (podnet-<node>-*) first, then node and control-plane netns. */
export function clusterNetns(layout: ClusterLayout, names: readonly string[]): string[] {
  const nodes = new Set(layout.nodes.map((n) => n.name));
  const controlPlanes = new Set((layout.controlPlanes ?? []).map((c) => c.netns));
  const owned = names.map((n) => ({ n, o: ownerOfNetns(n) })).filter(({ o }) => o !== undefined && nodes.has(o.node));
  return [
    ...owned.filter(({ o }) => o!.pod),
    ...owned.filter(({ o }) => !o!.pod),
    ...names.filter((n) => controlPlanes.has(n)),
  ].map((x) => (typeof x === 'string' ? x : x.n));
}

/** Stop order: agents and the rest first (none restarts a pod being killed), then API servers, etcd last. */
export const stopRank = (name: string): number => (/^etcd\d+$/.test(name) ? 2 : /^apiserver\d*$/.test(name) ? 1 : 0);

const clusterNetnsInodes = (layout: ClusterLayout) =>
  new Set(
    clusterNetns(layout, listNetns())
      .map(netnsInode)
      .filter((i): i is string => i !== undefined),
  );

async function stopProcesses(layout: ClusterLayout, say: (s: string) => void): Promise<number[]> {
  const stopped: number[] = [];
  const records = listRecords(layout.stateDir).sort((a, b) => stopRank(a.name) - stopRank(b.name));
  for (const r of records) {
    if (isRecordAlive(r)) {
      say(`stopping ${r.name} (pid ${r.pid})`);
      await terminate([{ pid: r.pid, group: true }]);
      stopped.push(r.pid);
    }
    removeRecord(layout.stateDir, r.name);
  }
  // Then whatever the agents left running (pods are detached from them), until nothing is found.
  for (let round = 0; round < 5; round++) {
    const found = scanClusterProcesses(layout.stateDir, clusterNetnsInodes(layout)).filter((t) => isRunning(t.pid));
    if (found.length === 0) break;
    say(
      `stopping ${found.length} more process(es) of this cluster (pods, or unrecorded agents): ${found.map((t) => t.pid).join(' ')}`,
    );
    await terminate(found);
    stopped.push(...found.map((t) => t.pid));
  }
  return stopped;
}

/** UIDs of the pods the cluster's nodes have sandboxes for (<DIR>/nodes/<node>/pods/sandboxes/<uid>). */
function clusterPodUids(stateDir: string): string[] {
  const nodes = join(stateDir, 'nodes');
  const uids: string[] = [];
  for (const node of existsSync(nodes) ? readdirSync(nodes) : []) {
    const sandboxes = join(nodes, node, 'pods', 'sandboxes');
    if (existsSync(sandboxes)) uids.push(...readdirSync(sandboxes).filter((u) => /^[0-9a-f-]{36}$/.test(u)));
  }
  return uids;
}

/**
 * Removes the pods' cgroups. Their processes were just killed, but a dying
 * process holds its cgroup for a moment, and one the scan missed holds it
 * for good: whatever is still in a pod cgroup of this cluster is killed and
 * the removal retried for a few seconds; what stays is reported.
 */
async function removePodCgroups(stateDir: string): Promise<{ removed: string[]; busy: string[] }> {
  const removed: string[] = [];
  const busy: string[] = [];
  for (const uid of clusterPodUids(stateDir)) {
    let left = removeCgroup(podCgroup(uid));
    for (let round = 0; left.length > 0 && round < 30; round++) {
      for (const pid of cgroupProcesses(left)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      await new Promise((r) => setTimeout(r, 100));
      left = removeCgroup(podCgroup(uid));
    }
    if (left.length) busy.push(...left);
    else removed.push(podCgroup(uid));
  }
  return { removed, busy };
}

async function unmountUnder(dir: string): Promise<string[]> {
  const done: string[] = [];
  for (let round = 0; round < 5; round++) {
    const mounts = mountsUnder(readMountPoints(), dir);
    if (mounts.length === 0) break;
    for (const m of mounts) {
      const r = await run(['umount', m]);
      if (r.code !== 0) await run(['umount', '-l', m]);
      done.push(m);
    }
  }
  return done;
}

async function deleteLinks(layout: ClusterLayout): Promise<string[]> {
  const links = (await listLinks()).map((l) => l.ifname).filter((n) => isClusterLink(layout.hash, n));
  // Host veth ends first (deleting one removes its eth0 peer at once), the bridge last.
  links.sort((a, b) => Number(a === layout.bridge) - Number(b === layout.bridge));
  for (const l of links) await run(['ip', 'link', 'del', l]);
  return links;
}

async function deleteNetns(layout: ClusterLayout): Promise<string[]> {
  const names = clusterNetns(layout, listNetns());
  for (const n of names) {
    const r = await run(['ip', 'netns', 'del', n]);
    if (r.code !== 0) {
      await run(['umount', '-l', `/run/netns/${n}`]);
      await run(['rm', '-f', `/run/netns/${n}`]);
    }
  }
  return names;
}

/** Everything of the cluster still on the host; empty when down succeeded. */
export async function findLeftovers(layout: ClusterLayout): Promise<string[]> {
  const left: string[] = [];
  for (const n of clusterNetns(layout, listNetns())) left.push(`netns ${n}`);
  for (const l of (await listLinks()).filter((x) => isClusterLink(layout.hash, x.ifname)))
    left.push(`link ${l.ifname}`);
  for (const r of await routesOf(layout.subnet, layout.bridge)) left.push(`route ${r}`);
  if ((await hostIpv4Prefixes()).includes(`${layout.hostIp}/24`)) left.push(`address ${layout.hostIp}/24`);
  for (const t of scanClusterProcesses(layout.stateDir, new Set())) if (isRunning(t.pid)) left.push(`process ${t.pid}`);
  for (const m of mountsUnder(readMountPoints(), layout.stateDir)) left.push(`mount ${m}`);
  return left;
}

export async function tearDown(
  layout: ClusterLayout,
  say: (s: string) => void = () => undefined,
): Promise<TeardownReport> {
  const stopped = await stopProcesses(layout, say);
  const cgroups = await removePodCgroups(layout.stateDir);
  const unmounted = await unmountUnder(layout.stateDir);
  const links = await deleteLinks(layout);
  const netns = await deleteNetns(layout);
  const leftovers = [...cgroups.busy.map((c) => `cgroup ${c} (still has processes)`), ...(await findLeftovers(layout))];
  return { stopped, unmounted, links, netns, cgroups: cgroups.removed, leftovers };
}

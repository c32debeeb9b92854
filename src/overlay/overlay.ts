/**
 * The overlay (flanneld's job inside the node agent): sets up this node's
 * side (forwarding, the VXLAN device), publishes how to reach it in its Node
 * annotations, masquerades pods' traffic that leaves the cluster network
 * (ip-masq.ts), and keeps routes / neighbours / FDB entries to every other
 * node equal to what the Node objects say, on every Node event and on a
 * periodic full resync. Because every pass compares the full desired set
 * against everything we own in the kernel, entries for nodes deleted while
 * the agent was down are removed on the first pass after start.
 */
import { findResource } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';
import { Informer } from '../client/informer.js';
import { cidrContains, isIpv4, tryParseCidr } from '../api/ipv4.js';
import { vtepAddressFor, vtepMacFor } from './addr.js';
import { DEFAULT_RESYNC_MS } from './constants.js';
import { applyChanges, readDataplane } from './dataplane-host.js';
import { desiredDataplane, type SkippedNode } from './desired.js';
import { diffDataplane } from './diff.js';
import { enableIpForwarding } from './forwarding.js';
import { applyIpMasq, ipMasqRuleset } from './ip-masq.js';
import { backendMtu } from './mtu.js';
import { annotationPatch, selfAnnotations, type OverlayNode } from './peers.js';
import { ReconcileLoop } from './reconcile-loop.js';
import { findUnderlay, type Underlay } from './underlay.js';
import { ensureDeviceAddress, ensureVxlanDevice, removeVxlanDevice, type VxlanSpec } from './vxlan-device.js';
import { BACKENDS, type Backend, type HostTarget, type Logger, type Peer } from './types.js';
import { warn } from '../log/log.js';

const nodesResource = findResource('', 'v1', 'nodes')!;

export interface OverlayOptions {
  client: KubeClient;
  /** This node's Node object name. */
  nodeName: string;
  backend: Backend;
  /** This node's address on the underlay network; must be on one of its interfaces. */
  publicIp: string;
  log: Logger;
  /** Pod addresses of the whole cluster (the cluster config's clusterCidr); bounds which routes are ours. */
  clusterCidr: string;
  /** Run every host command in this network namespace (default: the agent's own). */
  netns?: string;
  /** Full resync period (default 30 s). */
  resyncMs?: number;
}

export interface Overlay {
  readonly backend: Backend;
  /** MTU for pod interfaces and the CNI bridge (vxlan: underlay - 50; host-gw: underlay). */
  readonly mtu: number;
  readonly underlay: Underlay;
  /** Runs a full reconcile pass now and resolves when it finished. */
  resync(): Promise<void>;
  /** The nodes the last pass made entries for, and the ones it skipped (with why). */
  status(): { peers: Peer[]; skipped: SkippedNode[] };
  /** Stops watching. The dataplane stays, so pods keep talking while the agent restarts. */
  stop(): Promise<void>;
}

export async function startOverlay(opts: OverlayOptions): Promise<Overlay> {
  const { client, nodeName, backend, publicIp, log, clusterCidr } = opts;
  if (!BACKENDS.includes(backend))
    throw new Error(`unknown overlay backend "${backend}"; use one of: ${BACKENDS.join(', ')}`);
  if (!isIpv4(publicIp))
    throw new Error(`overlay public IP "${publicIp}" is not an IPv4 address; pass this node's underlay IP`);
  if (!tryParseCidr(clusterCidr))
    throw new Error(`cluster CIDR "${clusterCidr}" is not an IPv4 CIDR such as 10.244.0.0/16`);
  const target: HostTarget = { netns: opts.netns };

  await enableIpForwarding(target);
  let appliedMasq = ipMasqRuleset(clusterCidr, [publicIp]);
  await applyIpMasq(target, appliedMasq);
  const underlay = await findUnderlay(target, publicIp);
  const mtu = backendMtu(backend, underlay.mtu);
  const vxlan: VxlanSpec = { local: publicIp, underlayDev: underlay.dev, mac: vtepMacFor(publicIp), mtu };
  if (backend === 'vxlan') await ensureVxlanDevice(target, vxlan, log);
  else if (await removeVxlanDevice(target)) log('overlay: removed podnet.1 left over from the vxlan backend');

  const nodes = new Informer<OverlayNode>(client, nodesResource, {
    onError: (e) => log(`overlay: watching nodes: ${(e as Error).message}`),
  });
  let lastStatus: { peers: Peer[]; skipped: SkippedNode[] } = { peers: [], skipped: [] };
  const reportedSkips = new Map<string, string>();
  let reportedMissingSelf = false;

  /** Brings this node's annotations to what the others need; false when the patch failed. */
  const publish = async (self: OverlayNode | undefined): Promise<boolean> => {
    if (!self) {
      if (!reportedMissingSelf)
        log(`overlay: Node ${nodeName} does not exist (yet); its annotations are published once it is registered`);
      reportedMissingSelf = true;
      return true; // its creation is a Node event that triggers the next pass
    }
    reportedMissingSelf = false;
    const patch = annotationPatch(self, selfAnnotations(backend, publicIp, vxlan.mac));
    if (!patch) return true;
    try {
      await client.patch(nodesResource, undefined, nodeName, 'merge', patch);
      log(`overlay: published ${Object.keys(patch.metadata.annotations).join(', ')} on Node ${nodeName}`);
      return true;
    } catch (e) {
      warn(log, `overlay: cannot annotate Node ${nodeName}: ${(e as Error).message}`);
      return false;
    }
  };

  const pass = async (): Promise<boolean> => {
    if (!nodes.hasSynced()) return false; // an empty cache would mean "delete every route"
    const all = nodes.list();
    const self = nodes.get(nodeName);
    let ok = await publish(self);
    if (backend === 'vxlan') {
      await ensureVxlanDevice(target, vxlan, log); // repairs a device someone deleted or changed
      const own = self?.spec?.podCIDR;
      if (own && tryParseCidr(own) && cidrContains(clusterCidr, own))
        await ensureDeviceAddress(target, vtepAddressFor(own), log);
      else if (own)
        log(
          `overlay: Node ${nodeName} has podCIDR ${own}, outside the cluster CIDR ${clusterCidr}; fix the cluster CIDR setting`,
        );
    }
    const desired = desiredDataplane(all, {
      self: nodeName,
      backend,
      clusterCidr,
      underlayDev: underlay.dev,
      underlayCidr: underlay.cidr,
    });
    reportSkips(desired.skipped);
    const masq = ipMasqRuleset(clusterCidr, [...new Set([publicIp, ...desired.peers.map((p) => p.publicIp)])].sort());
    if (masq !== appliedMasq) {
      await applyIpMasq(target, masq);
      appliedMasq = masq;
    }
    const observed = await readDataplane(target, clusterCidr);
    const result = await applyChanges(target, diffDataplane(desired.dataplane, observed), log);
    lastStatus = { peers: desired.peers, skipped: desired.skipped };
    ok &&= result.failed.length === 0;
    return ok;
  };

  /** Logs a skipped node once per reason, not on every resync. */
  const reportSkips = (skipped: SkippedNode[]): void => {
    const now = new Map(skipped.map((s) => [s.node, s.reason]));
    for (const [node, reason] of now)
      if (reportedSkips.get(node) !== reason) log(`overlay: no route to node ${node} yet: ${reason}`);
    reportedSkips.clear();
    for (const [k, v] of now) reportedSkips.set(k, v);
  };

  const loop = new ReconcileLoop(pass, { resyncMs: opts.resyncMs ?? DEFAULT_RESYNC_MS, log });
  nodes.addHandlers({ onAdd: () => loop.trigger(), onUpdate: () => loop.trigger(), onDelete: () => loop.trigger() });
  nodes.start();
  await nodes.waitForSync();
  loop.start();
  await loop.runNow();
  log(`overlay: ${backend} backend running on ${underlay.dev} (${publicIp}), pod MTU ${mtu}`);

  return {
    backend,
    mtu,
    underlay,
    resync: () => loop.runNow(),
    status: () => lastStatus,
    async stop() {
      await loop.stop();
      await nodes.stop();
    },
  };
}

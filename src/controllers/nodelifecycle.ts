/**
 * The node lifecycle controller: a node whose Lease was not renewed within
 * the grace period is marked Ready=Unknown, and its pods are marked not
 * Ready so their endpoints stop receiving traffic. A node's taints follow
 * its Ready condition (unreachable or not-ready, NoSchedule and NoExecute:
 * the taint eviction controller acts on the latter) and go once it reports
 * Ready again.
 */
import { nowRFC3339 } from '../api/meta.js';
import type { KubeClient } from '../client/client.js';
import { isNotFound } from '../client/api-error.js';
import type { Informer } from '../client/informer.js';
import { QueueController, type Logger } from './controller.js';
import { recordEvent } from '../client/events.js';
import {
  DEFAULT_GRACE_SECONDS,
  isStale,
  lastHeartbeat,
  podNotReadyConditions,
  readinessTaints,
  unknownConditions,
} from './nodelifecycle-desired.js';
import { byNodeName, res, type SharedInformers } from './shared-informers.js';
import type { Lease, Node, Pod } from './types.js';

interface NodeLifecycleOptions {
  /** Seconds without a Lease renewal before a node is Unknown (default 40). */
  gracePeriodSeconds?: number;
  /** How often every node is checked (default 5 s, kube's node-monitor-period). */
  monitorPeriodMs?: number;
}

export class NodeLifecycleController extends QueueController {
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly pods: Informer<Pod>;
  private readonly firstSeen = new Map<string, number>();
  private readonly grace: number;
  private readonly period: number;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
    opts: NodeLifecycleOptions = {},
  ) {
    super('node-lifecycle-controller', log);
    this.grace = opts.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    this.period = opts.monitorPeriodMs ?? 5_000;
    this.nodes = informers.nodes();
    this.leases = informers.nodeLeases();
    this.pods = informers.pods();
    this.nodes.addHandlers({
      onAdd: (n) => {
        this.firstSeen.set(n.metadata.name!, Date.now());
        this.enqueue(n.metadata.name!);
      },
      onUpdate: (_o, n) => this.enqueue(n.metadata.name!),
      onDelete: (n) => this.firstSeen.delete(n.metadata.name!),
    });
  }

  override run(workers = 1): void {
    super.run(workers);
    this.ticker = setInterval(() => {
      for (const n of this.nodes.list()) this.enqueue(n.metadata.name!);
    }, this.period);
  }

  override async stop(): Promise<void> {
    clearInterval(this.ticker);
    await super.stop();
  }

  protected async sync(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node) return;
    const lease = this.leases.getByName('kube-node-lease', name);
    const now = Date.now();
    const beat = lastHeartbeat(lease?.spec?.renewTime, this.firstSeen.get(name) ?? now);
    const ts = nowRFC3339(new Date(now));
    const stale = isStale(beat, now, this.grace);
    const conditions = stale ? unknownConditions(node, ts) : undefined;
    if (conditions) {
      await this.client.updateStatus(res.nodes, undefined, { ...node, status: { ...node.status, conditions } });
      this.log(`${this.name}: node ${name} stopped renewing its lease; marked Ready=Unknown`);
      await recordEvent(
        this.client,
        this.log,
        { ...node, metadata: { ...node.metadata, namespace: '' } },
        'Normal',
        'NodeNotReady',
        `Node ${name} status is now: NodeNotReady`,
        'node-controller',
      );
      return; // the status write changes the node; the next pass (from its event) continues with fresh data
    }
    const taints = readinessTaints(node, ts);
    if (taints) {
      await this.client.update(res.nodes, undefined, { ...node, spec: { ...node.spec, taints } });
      return; // as above: the taint write changes the node
    }
    if (!stale) return;
    for (const pod of this.pods.byIndex(byNodeName, name)) {
      const podConds = podNotReadyConditions(pod, ts);
      if (!podConds) continue;
      try {
        await this.client.updateStatus(res.pods, pod.metadata.namespace, {
          ...pod,
          status: { ...pod.status, conditions: podConds },
        });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}

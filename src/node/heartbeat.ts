/**
 * Registration and heartbeats: the agent's Node (created once, status posted
 * when a condition changes and at least every minute) and its Lease
 * (renewed every 10 s), as the kubelet does with node leases.
 */
import { findResource } from '../api/resources.js';
import type { KObject } from '../api/meta.js';
import { ApiError } from '../api/errors.js';
import type { KubeClient } from '../client/client.js';
import {
  conditionsChanged,
  LEASE_RENEW_MS,
  newNode,
  nodeLease,
  nodeStatus,
  NODE_LEASE_NAMESPACE,
  type HostFacts,
  type NodeCondition,
  type NotReadyReason,
} from './node-object.js';

const nodes = findResource('', 'v1', 'nodes')!;
const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;
const STATUS_REFRESH_MS = 60_000;

const isNotFound = (e: unknown) => e instanceof ApiError && e.code === 404;
const isConflict = (e: unknown) => e instanceof ApiError && e.code === 409;

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private lastStatusPost = 0;
  private nodeUid: string | undefined;
  private stopped = false;

  constructor(
    private readonly client: KubeClient,
    private readonly host: HostFacts,
    /** Why the node can't run pods yet (undefined = Ready); asked at every beat. */
    private readonly notReady: () => NotReadyReason,
    private readonly log: (m: string) => void,
    /** The podCIDR this node's pod network is built on, asked back when the Node is created again. */
    private readonly podCidrHint: () => string | undefined = () => undefined,
  ) {}

  /** Creates the Node if missing and posts its status; returns the Node as stored. */
  async register(): Promise<KObject> {
    let node: KObject;
    try {
      node = await this.client.get(nodes, undefined, this.host.nodeName);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        node = await this.client.create(nodes, undefined, newNode(this.host, this.podCidrHint()));
        this.log(`registered node ${this.host.nodeName}`);
      } catch (err) {
        if (!isConflict(err)) throw err;
        node = await this.client.get(nodes, undefined, this.host.nodeName);
      }
    }
    this.nodeUid = node.metadata.uid;
    return this.postStatus(node, true);
  }

  /** Starts the beat loop (lease every 10 s, status when it changes). */
  start(): void {
    const beat = async () => {
      if (this.stopped) return;
      try {
        await this.renewLease();
        const node = await this.client.get(nodes, undefined, this.host.nodeName).catch(async (e) => {
          if (!isNotFound(e)) throw e;
          // Deleted while we run (kubectl delete node): register again, as the kubelet does.
          return this.register();
        });
        await this.postStatus(node, false);
      } catch (e) {
        this.log(`heartbeat: ${(e as Error).message}`);
      }
      // beat cannot reject: its errors are logged above.
      if (!this.stopped) this.timer = setTimeout(() => void beat(), LEASE_RENEW_MS);
    };
    void beat();
  }

  /** Posts status now (e.g. when readiness changed). */
  async refresh(): Promise<void> {
    const node = await this.client.get(nodes, undefined, this.host.nodeName);
    await this.postStatus(node, false);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async postStatus(node: KObject, force: boolean): Promise<KObject> {
    const now = Date.now();
    const posted = (node.status as { conditions?: NodeCondition[] } | undefined)?.conditions;
    const status = nodeStatus(
      this.host,
      posted,
      this.notReady(),
      new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    );
    const due =
      force ||
      now - this.lastStatusPost >= STATUS_REFRESH_MS ||
      conditionsChanged(posted, status.conditions as NodeCondition[]);
    if (!due) return node;
    const updated = await this.client.patch(
      nodes,
      undefined,
      this.host.nodeName,
      'merge',
      { status },
      { subresource: 'status' },
    );
    this.lastStatusPost = now;
    return updated;
  }

  /** A merge patch of spec: the service proxy writes its own annotation on this Lease at any moment. */
  private async renewLease(): Promise<void> {
    const desired = nodeLease(this.host.nodeName, this.nodeUid, Date.now());
    try {
      await this.client.patch(leases, NODE_LEASE_NAMESPACE, this.host.nodeName, 'merge', { spec: desired.spec });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await this.client.create(leases, NODE_LEASE_NAMESPACE, desired);
    }
  }
}

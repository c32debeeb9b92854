/**
 * The Deployment controller: rolls every Deployment's template out through
 * ReplicaSets (RollingUpdate or Recreate), keeps revisions and history,
 * honours pause and scaling, and reports progress in status. The decision
 * is deployment-desired.ts's; this file claims ReplicaSets and applies the plan.
 */
import type { KObject } from '../api/meta.js';
import type { KubeClient } from '../client/client.js';
import { isAlreadyExists, isConflict, isNotFound } from '../client/api-error.js';
import { keyOf, splitKey, type Informer } from '../client/informer.js';
import { selectorPredicate } from './claims.js';
import { QueueController, type Logger } from './controller.js';
import { equalIgnoreHash, planDeployment, REVISION, type DeploymentPlan } from './deployment-desired.js';
import { OwnWrites } from './own-writes.js';
import { claim, emitEvent } from './pod-control.js';
import { byController, byNamespace, res, type SharedInformers } from './shared-informers.js';
import { isPodTerminal } from './types.js';
import {
  controllerRefOf,
  type Deployment,
  type DeploymentStatus,
  type ReplicaSet,
  type WorkloadPod,
} from './workload-types.js';

const COMPONENT = 'deployment-controller';

export class DeploymentController extends QueueController {
  private readonly deployments: Informer<Deployment>;
  private readonly rss: Informer<ReplicaSet>;
  private readonly pods: Informer<WorkloadPod>;
  private readonly writes = new OwnWrites();

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
  ) {
    super(COMPONENT, log);
    this.deployments = informers.deployments();
    this.rss = informers.replicaSets();
    this.pods = informers.pods();
    this.deployments.addHandlers({
      onAdd: (d) => this.enqueue(keyOf(d)),
      onUpdate: (_o, d) => this.enqueue(keyOf(d)),
      onDelete: (d) => this.enqueue(keyOf(d)),
    });
    const rsChanged = (rs: ReplicaSet) => {
      const ref = controllerRefOf(rs);
      if (ref) {
        if (ref.kind === 'Deployment') this.enqueue(`${rs.metadata.namespace}/${ref.name}`);
        return;
      }
      for (const d of this.deployments.byIndex(byNamespace, rs.metadata.namespace ?? ''))
        if (selectorPredicate(d.spec.selector)(rs.metadata.labels)) this.enqueue(keyOf(d));
    };
    this.rss.addHandlers({
      onAdd: rsChanged,
      onUpdate: (old, rs) => {
        if (controllerRefOf(old)?.uid !== controllerRefOf(rs)?.uid) rsChanged(old);
        rsChanged(rs);
      },
      onDelete: rsChanged,
    });
    // Recreate waits for the old pods to be gone: their end is news to the Deployment.
    const podGone = (p: WorkloadPod) => {
      const ref = controllerRefOf(p);
      if (ref?.kind !== 'ReplicaSet') return;
      const rs = this.rss.get(`${p.metadata.namespace}/${ref.name}`);
      const dref = rs && controllerRefOf(rs);
      if (dref?.kind === 'Deployment') this.enqueue(`${p.metadata.namespace}/${dref.name}`);
    };
    this.pods.addHandlers({
      onUpdate: (old, p) => {
        if (!isPodTerminal(old) && isPodTerminal(p)) podGone(p);
      },
      onDelete: podGone,
    });
  }

  protected async sync(key: string): Promise<void> {
    const d = this.deployments.get(key);
    if (!d) return;
    if (!this.writes.seen(key, d.metadata.resourceVersion)) return this.queue.addAfter(key, 100);
    const { namespace } = splitKey(key);
    const candidates = this.rss.byIndex(byNamespace, namespace ?? '');
    for (const rs of candidates) {
      if (!this.writes.seen(keyOf(rs), rs.metadata.resourceVersion)) return this.queue.addAfter(key, 100);
    }
    const owned = await claim(this.client, d, res.deployments, res.replicaSets, candidates);
    const plan = planDeployment({
      deployment: d,
      replicaSets: owned,
      podsRunning: (uid) => this.pods.byIndex(byController, uid).some((p) => !isPodTerminal(p)),
      now: Date.now(),
    });
    await this.apply(d, plan);
  }

  private async apply(d: Deployment, plan: DeploymentPlan): Promise<void> {
    const ns = d.metadata.namespace;
    const key = keyOf(d);
    if (plan.create) {
      const ok = await this.createReplicaSet(d, plan.create);
      if (!ok) return;
    }
    for (const rs of plan.update) {
      try {
        const updated = await this.client.update(res.replicaSets, ns, rs);
        this.writes.record(keyOf(rs), updated.metadata.resourceVersion);
      } catch (e) {
        if (isNotFound(e)) continue;
        throw e;
      }
    }
    for (const rs of plan.delete) {
      try {
        await this.client.delete(res.replicaSets, ns, rs.metadata.name!, { preconditions: { uid: rs.metadata.uid } });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
    for (const ev of plan.events) emitEvent(this.client, this.log, d, ev.type, ev.reason, ev.message, COMPONENT);
    if (plan.revision !== undefined) {
      const updated = await this.client.patch(res.deployments, ns, d.metadata.name!, 'merge', {
        metadata: { annotations: { [REVISION]: plan.revision } },
      });
      this.writes.record(key, updated.metadata.resourceVersion);
    }
    if (plan.status) await this.writeStatus(d, plan.status);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  /**
   * Creates the new ReplicaSet. Already there and ours with the same
   * template: fine. Someone else's, or another template under the same
   * hash: a collision, so status.collisionCount goes up and the next sync
   * hashes again. False when the sync should stop here.
   */
  private async createReplicaSet(d: Deployment, rs: ReplicaSet): Promise<boolean> {
    const ns = d.metadata.namespace;
    try {
      const created = await this.client.create(res.replicaSets, ns, rs);
      this.writes.record(keyOf(created), created.metadata.resourceVersion);
      return true;
    } catch (e) {
      if (!isAlreadyExists(e)) {
        emitEvent(
          this.client,
          this.log,
          d,
          'Warning',
          'FailedCreate',
          `Failed to create new replica set "${rs.metadata.name}": ${(e as Error).message}`,
          COMPONENT,
        );
        throw e;
      }
    }
    const existing = await this.client.get<ReplicaSet>(res.replicaSets, ns, rs.metadata.name!);
    if (controllerRefOf(existing)?.uid === d.metadata.uid && equalIgnoreHash(existing.spec.template, d.spec.template)) {
      this.queue.addAfter(keyOf(d), 100);
      return false;
    }
    await this.writeStatus(d, { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 });
    return false;
  }

  /** A merge patch of status (keys it drops set to null), so an annotation written just before does not conflict. */
  private async writeStatus(d: Deployment, status: DeploymentStatus): Promise<void> {
    const patch: Record<string, unknown> = { ...status };
    for (const k of Object.keys(d.status ?? {})) if (!(k in status)) patch[k] = null;
    try {
      const updated = await this.client.patch<KObject>(
        res.deployments,
        d.metadata.namespace,
        d.metadata.name!,
        'merge',
        { metadata: { uid: d.metadata.uid }, status: patch },
        { subresource: 'status' },
      );
      this.writes.record(keyOf(d), updated.metadata.resourceVersion);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

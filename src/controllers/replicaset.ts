/**
 * The ReplicaSet controller: keeps spec.replicas pods of the template for
 * every ReplicaSet, adopting matching orphans and releasing pods that no
 * longer match, deleting the least valuable pods first, and reporting what
 * it owns in status.
 */
import { nowRFC3339 } from '../api/meta.js';
import type { KubeClient } from '../client/client.js';
import { isConflict, isNotFound } from '../client/api-error.js';
import { keyOf, splitKey, type Informer } from '../client/informer.js';
import { canonicalJson } from './canonical.js';
import { podFromTemplate, selectorPredicate } from './claims.js';
import { QueueController, type Logger } from './controller.js';
import { Expectations } from './expectations.js';
import { claim, emitEvent, expectingPodHandlers, liveOwnerKey, slowStartCreate } from './pod-control.js';
import { planReplicaSet, replicaFailure } from './replicaset-desired.js';
import { byNamespace, res, type SharedInformers } from './shared-informers.js';
import { controllerRefOf, type ReplicaSet, type WorkloadPod } from './workload-types.js';

const COMPONENT = 'replicaset-controller';

export class ReplicaSetController extends QueueController {
  private readonly rss: Informer<ReplicaSet>;
  private readonly pods: Informer<WorkloadPod>;
  readonly expectations = new Expectations();

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
  ) {
    super(COMPONENT, log);
    this.rss = informers.replicaSets();
    this.pods = informers.pods();
    this.rss.addHandlers({
      onAdd: (rs) => this.enqueue(keyOf(rs)),
      onUpdate: (_o, rs) => this.enqueue(keyOf(rs)),
      onDelete: (rs) => {
        this.expectations.forget(keyOf(rs));
        this.enqueue(keyOf(rs));
      },
    });
    this.pods.addHandlers(
      expectingPodHandlers(
        (p) => this.ownerKey(p),
        this.expectations,
        (p) => this.podChanged(p),
      ),
    );
  }

  /** The key of the ReplicaSet controlling this pod, if it is one we know. */
  private ownerKey(p: WorkloadPod): string | undefined {
    return liveOwnerKey(p, 'ReplicaSet', this.rss);
  }

  /** A pod's owner syncs; an orphan makes every ReplicaSet whose selector matches it sync (adoption). */
  private podChanged(p: WorkloadPod): void {
    const ref = controllerRefOf(p);
    if (ref) {
      if (ref.kind === 'ReplicaSet') this.enqueue(`${p.metadata.namespace}/${ref.name}`);
      return;
    }
    for (const rs of this.rss.byIndex(byNamespace, p.metadata.namespace ?? ''))
      if (selectorPredicate(rs.spec.selector)(p.metadata.labels)) this.enqueue(keyOf(rs));
  }

  protected async sync(key: string): Promise<void> {
    const rs = this.rss.get(key);
    if (!rs) {
      this.expectations.forget(key);
      return;
    }
    const { namespace } = splitKey(key);
    const candidates = this.pods.byIndex(byNamespace, namespace ?? '');
    const owned = await claim(this.client, rs, res.replicaSets, res.pods, candidates);
    const manage = this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp;
    const plan = planReplicaSet(rs, owned, Date.now(), manage);
    let failure: { reason: 'FailedCreate' | 'FailedDelete'; message: string } | undefined;
    if (plan.create > 0) {
      this.expectations.expect(key, plan.create);
      const err = await slowStartCreate(
        plan.create,
        () => this.client.create(res.pods, namespace, podFromTemplate(rs.spec.template, rs)),
        (_i, pod, e) => {
          if (pod)
            emitEvent(
              this.client,
              this.log,
              rs,
              'Normal',
              'SuccessfulCreate',
              `Created pod: ${pod.metadata.name}`,
              COMPONENT,
            );
          else this.expectations.created(key);
          if (e)
            emitEvent(
              this.client,
              this.log,
              rs,
              'Warning',
              'FailedCreate',
              `Error creating: ${(e as Error).message}`,
              COMPONENT,
            );
        },
      );
      if (err) failure = { reason: 'FailedCreate', message: (err as Error).message };
    }
    if (plan.delete.length > 0) {
      this.expectations.expect(key, 0, plan.delete.map(keyOf));
      await Promise.all(
        plan.delete.map(async (p) => {
          try {
            await this.client.delete(res.pods, p.metadata.namespace, p.metadata.name!, {
              preconditions: { uid: p.metadata.uid },
            });
            emitEvent(
              this.client,
              this.log,
              rs,
              'Normal',
              'SuccessfulDelete',
              `Deleted pod: ${p.metadata.name}`,
              COMPONENT,
            );
          } catch (e) {
            this.expectations.deleted(key, keyOf(p));
            if (isNotFound(e)) return;
            failure = { reason: 'FailedDelete', message: (e as Error).message };
            emitEvent(
              this.client,
              this.log,
              rs,
              'Warning',
              'FailedDelete',
              `Error deleting: ${(e as Error).message}`,
              COMPONENT,
            );
          }
        }),
      );
    }
    const conditions = replicaFailure(rs.status?.conditions, failure, nowRFC3339());
    const status = { ...plan.status };
    if (conditions) status.conditions = conditions;
    else delete status.conditions;
    await this.writeStatus(rs, status);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
    if (failure) throw new Error(failure.message);
  }

  /** PUT status when it changed; on a conflict once more on the fresh object (the status is ours to write). */
  private async writeStatus(rs: ReplicaSet, status: NonNullable<ReplicaSet['status']>): Promise<void> {
    if (canonicalJson(rs.status ?? {}) === canonicalJson(status)) return;
    try {
      await this.client.updateStatus(res.replicaSets, rs.metadata.namespace, { ...rs, status });
    } catch (e) {
      if (isNotFound(e)) return;
      if (!isConflict(e)) throw e;
      const fresh = await this.client.get<ReplicaSet>(res.replicaSets, rs.metadata.namespace, rs.metadata.name!);
      if (fresh.metadata.uid !== rs.metadata.uid) return;
      await this.client.updateStatus(res.replicaSets, rs.metadata.namespace, { ...fresh, status });
    }
  }
}

/**
 * The DaemonSet controller: one pod of the template on every node that
 * should run it, including nodes that join later; pods pinned to their
 * node by required node affinity (the scheduler binds them), a rolling
 * update within maxUnavailable or maxSurge, ControllerRevisions for
 * `kubectl rollout history|undo`, and status.
 */
import type { KubeClient } from '../client/client.js';
import { isAlreadyExists, isConflict, isNotFound } from '../client/api-error.js';
import { keyOf, splitKey, type Informer } from '../client/informer.js';
import { canonicalJson } from './canonical.js';
import { podFromTemplate, selectorPredicate } from './claims.js';
import { QueueController, type Logger } from './controller.js';
import { planDaemonSet, withDaemonTolerations } from './daemonset-desired.js';
import { Expectations } from './expectations.js';
import { pinnedToNode, type NodeAffinity } from './node-affinity.js';
import { claim, emitEvent, expectingPodHandlers, liveOwnerKey, slowStartCreate } from './pod-control.js';
import { planRevisions, REVISION_HASH_LABEL, revisionHash } from './revisions.js';
import { byController, byNamespace, res, type SharedInformers } from './shared-informers.js';
import type { Node, Toleration } from './types.js';
import { controllerRefOf, type ControllerRevision, type DaemonSet, type WorkloadPod } from './workload-types.js';

const COMPONENT = 'daemonset-controller';

export class DaemonSetController extends QueueController {
  private readonly dss: Informer<DaemonSet>;
  private readonly pods: Informer<WorkloadPod>;
  private readonly nodes: Informer<Node>;
  private readonly revisions: Informer<ControllerRevision>;
  readonly expectations = new Expectations();

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
  ) {
    super(COMPONENT, log);
    this.dss = informers.daemonSets();
    this.pods = informers.pods();
    this.nodes = informers.nodes();
    this.revisions = informers.controllerRevisions();
    this.dss.addHandlers({
      onAdd: (ds) => this.enqueue(keyOf(ds)),
      onUpdate: (_o, ds) => this.enqueue(keyOf(ds)),
      onDelete: (ds) => {
        this.expectations.forget(keyOf(ds));
        this.enqueue(keyOf(ds));
      },
    });
    this.pods.addHandlers(
      expectingPodHandlers(
        (p) => this.ownerKey(p),
        this.expectations,
        (p) => this.podChanged(p),
      ),
    );
    // Placement depends on a node's labels, taints and existence; heartbeats change none of them.
    const all = () => this.dss.list().forEach((ds) => this.enqueue(keyOf(ds)));
    this.nodes.addHandlers({
      onAdd: all,
      onDelete: all,
      onUpdate: (a, b) => {
        if (canonicalJson([a.metadata.labels, a.spec]) !== canonicalJson([b.metadata.labels, b.spec])) all();
      },
    });
  }

  private ownerKey(p: WorkloadPod): string | undefined {
    return liveOwnerKey(p, 'DaemonSet', this.dss);
  }

  private podChanged(p: WorkloadPod): void {
    const ref = controllerRefOf(p);
    if (ref) {
      if (ref.kind === 'DaemonSet') this.enqueue(`${p.metadata.namespace}/${ref.name}`);
      return;
    }
    for (const ds of this.dss.byIndex(byNamespace, p.metadata.namespace ?? ''))
      if (selectorPredicate(ds.spec.selector)(p.metadata.labels)) this.enqueue(keyOf(ds));
  }

  protected async sync(key: string): Promise<void> {
    const ds = this.dss.get(key);
    if (!ds) {
      this.expectations.forget(key);
      return;
    }
    const { namespace } = splitKey(key);
    const owned = await claim(
      this.client,
      ds,
      res.daemonSets,
      res.pods,
      this.pods.byIndex(byNamespace, namespace ?? ''),
    );
    const hash = await this.syncRevisions(ds, owned);
    if (hash === undefined) return;
    const manage = this.expectations.satisfied(key) && !ds.metadata.deletionTimestamp;
    const plan = planDaemonSet(ds, this.nodes.list(), owned, hash, Date.now(), manage);
    let failed: unknown;
    if (plan.create.length) {
      this.expectations.expect(key, plan.create.length);
      failed = await slowStartCreate(
        plan.create.length,
        (i) => this.client.create(res.pods, namespace, this.podFor(ds, plan.create[i]!, hash)),
        (_i, pod, e) => {
          if (pod)
            emitEvent(
              this.client,
              this.log,
              ds,
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
              ds,
              'Warning',
              'FailedCreate',
              `Error creating: ${(e as Error).message}`,
              COMPONENT,
            );
        },
      );
    }
    if (plan.delete.length) {
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
              ds,
              'Normal',
              'SuccessfulDelete',
              `Deleted pod: ${p.metadata.name}`,
              COMPONENT,
            );
          } catch (e) {
            this.expectations.deleted(key, keyOf(p));
            if (!isNotFound(e)) failed ??= e;
          }
        }),
      );
    }
    await this.writeStatus(ds, plan.status);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
    if (failed) throw failed instanceof Error ? failed : new Error(JSON.stringify(failed));
  }

  /** A daemon pod for one node: pinned there by node affinity, with the daemon tolerations. */
  private podFor(ds: DaemonSet, node: string, hash: string) {
    const spec = (ds.spec.template?.spec ?? {}) as {
      affinity?: NodeAffinity;
      tolerations?: Toleration[];
      hostNetwork?: boolean;
    };
    return podFromTemplate(ds.spec.template, ds, {
      extraLabels: { [REVISION_HASH_LABEL]: hash },
      spec: {
        affinity: { ...(spec.affinity ?? {}), ...pinnedToNode(node) },
        tolerations: withDaemonTolerations(spec.tolerations ?? [], spec.hostNetwork === true),
      },
    });
  }

  /** Brings the ControllerRevisions up to date; the current template's hash, or undefined after a collision. */
  private async syncRevisions(ds: DaemonSet, owned: readonly WorkloadPod[]): Promise<string | undefined> {
    const ns = ds.metadata.namespace;
    const name = ds.metadata.name!;
    const inUse = new Set(
      owned
        .map((p) => p.metadata.labels?.[REVISION_HASH_LABEL])
        .filter((h): h is string => !!h)
        .map((h) => `${name}-${h}`),
    );
    const plan = planRevisions(
      ds,
      this.revisions.byIndex(byController, ds.metadata.uid!),
      ds.status?.collisionCount,
      inUse,
    );
    if (plan.collision) {
      await this.writeStatus(ds, {
        ...(ds.status ?? emptyStatus()),
        collisionCount: (ds.status?.collisionCount ?? 0) + 1,
      });
      return undefined;
    }
    if (plan.create) {
      try {
        await this.client.create(res.controllerRevisions, ns, plan.current);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    } else if (plan.renumber) await this.client.update(res.controllerRevisions, ns, plan.current);
    for (const r of plan.delete) {
      try {
        await this.client.delete(res.controllerRevisions, ns, r.metadata.name!, {
          preconditions: { uid: r.metadata.uid },
        });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
    return revisionHash(plan.current, name);
  }

  private async writeStatus(ds: DaemonSet, status: NonNullable<DaemonSet['status']>): Promise<void> {
    if (canonicalJson(ds.status ?? {}) === canonicalJson(status)) return;
    try {
      await this.client.updateStatus(res.daemonSets, ds.metadata.namespace, { ...ds, status });
    } catch (e) {
      if (isNotFound(e)) return;
      if (!isConflict(e)) throw e;
      const fresh = await this.client.get<DaemonSet>(res.daemonSets, ds.metadata.namespace, ds.metadata.name!);
      if (fresh.metadata.uid === ds.metadata.uid)
        await this.client.updateStatus(res.daemonSets, ds.metadata.namespace, { ...fresh, status });
    }
  }
}

const emptyStatus = () => ({
  currentNumberScheduled: 0,
  numberMisscheduled: 0,
  desiredNumberScheduled: 0,
  numberReady: 0,
});

/**
 * The StatefulSet controller: pods with stable names and hostnames
 * (<set>-<ordinal>.<serviceName>), made and removed in order (OrderedReady)
 * or at once (Parallel), rolled from the highest ordinal down, with
 * ControllerRevisions for the current and update revisions.
 */
import type { KubeClient } from '../client/client.js';
import { isAlreadyExists, isConflict, isNotFound } from '../client/api-error.js';
import { keyOf, splitKey, type Informer } from '../client/informer.js';
import { canonicalJson } from './canonical.js';
import { selectorPredicate } from './claims.js';
import { QueueController, type Logger } from './controller.js';
import { claim, emitEvent } from './pod-control.js';
import { planRevisions } from './revisions.js';
import { byController, byNamespace, res, type SharedInformers } from './shared-informers.js';
import { ordinalOf, planStatefulSet, statefulPod } from './statefulset-desired.js';
import {
  controllerRefOf,
  type ControllerRevision,
  type PodTemplate,
  type StatefulSet,
  type WorkloadPod,
} from './workload-types.js';

const COMPONENT = 'statefulset-controller';

export class StatefulSetController extends QueueController {
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<WorkloadPod>;
  private readonly revisions: Informer<ControllerRevision>;

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
  ) {
    super(COMPONENT, log);
    this.sets = informers.statefulSets();
    this.pods = informers.pods();
    this.revisions = informers.controllerRevisions();
    this.sets.addHandlers({
      onAdd: (s) => this.enqueue(keyOf(s)),
      onUpdate: (_o, s) => this.enqueue(keyOf(s)),
      onDelete: (s) => this.enqueue(keyOf(s)),
    });
    const podChanged = (p: WorkloadPod) => {
      const ref = controllerRefOf(p);
      if (ref) {
        if (ref.kind === 'StatefulSet') this.enqueue(`${p.metadata.namespace}/${ref.name}`);
        return;
      }
      for (const s of this.sets.byIndex(byNamespace, p.metadata.namespace ?? ''))
        if (selectorPredicate(s.spec.selector)(p.metadata.labels)) this.enqueue(keyOf(s));
    };
    this.pods.addHandlers({
      onAdd: podChanged,
      onUpdate: (old, p) => {
        if (controllerRefOf(old)?.uid !== controllerRefOf(p)?.uid) podChanged(old);
        podChanged(p);
      },
      onDelete: podChanged,
    });
  }

  protected async sync(key: string): Promise<void> {
    const set = this.sets.get(key);
    if (!set) return;
    const { namespace } = splitKey(key);
    const candidates = this.pods.byIndex(byNamespace, namespace ?? '').filter((p) => ordinalOf(set, p) !== undefined);
    const owned = await claim(this.client, set, res.statefulSets, res.pods, candidates);
    const revs = await this.syncRevisions(set, owned);
    if (!revs) return;
    const plan = planStatefulSet(
      set,
      owned,
      { current: revs.current.metadata.name!, update: revs.update.metadata.name! },
      Date.now(),
    );
    for (const { ordinal, revision } of plan.create) {
      const template = revision === revs.update.metadata.name ? set.spec.template : templateOf(revs.current);
      try {
        const pod = await this.client.create(res.pods, namespace, statefulPod(set, template, ordinal, revision));
        emitEvent(
          this.client,
          this.log,
          set,
          'Normal',
          'SuccessfulCreate',
          `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
          COMPONENT,
        );
      } catch (e) {
        // Made by an earlier sync this cache does not show yet.
        if (!isAlreadyExists(e)) throw e;
      }
    }
    for (const p of plan.delete) {
      try {
        await this.client.delete(res.pods, p.metadata.namespace, p.metadata.name!, {
          preconditions: { uid: p.metadata.uid },
        });
        emitEvent(
          this.client,
          this.log,
          set,
          'Normal',
          'SuccessfulDelete',
          `delete Pod ${p.metadata.name} in StatefulSet ${set.metadata.name} successful`,
          COMPONENT,
        );
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
    await this.writeStatus(set, plan.status);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  /** The update revision (the template's) and the current one (status.currentRevision, or the update one). */
  private async syncRevisions(
    set: StatefulSet,
    owned: readonly WorkloadPod[],
  ): Promise<{ current: ControllerRevision; update: ControllerRevision } | undefined> {
    const ns = set.metadata.namespace;
    const revisions = this.revisions.byIndex(byController, set.metadata.uid!);
    const inUse = new Set(
      owned.map((p) => p.metadata.labels?.['controller-revision-hash']).filter((r): r is string => !!r),
    );
    if (set.status?.currentRevision) inUse.add(set.status.currentRevision);
    const plan = planRevisions(set, revisions, set.status?.collisionCount, inUse);
    if (plan.collision) {
      const status = { ...(set.status ?? { replicas: 0, availableReplicas: 0 }) };
      status.collisionCount = (status.collisionCount ?? 0) + 1;
      await this.writeStatus(set, status);
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
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? plan.current;
    return { current, update: plan.current };
  }

  private async writeStatus(set: StatefulSet, status: NonNullable<StatefulSet['status']>): Promise<void> {
    if (canonicalJson(set.status ?? {}) === canonicalJson(status)) return;
    try {
      await this.client.updateStatus(res.statefulSets, set.metadata.namespace, { ...set, status });
    } catch (e) {
      if (isNotFound(e)) return;
      if (!isConflict(e)) throw e;
      const fresh = await this.client.get<StatefulSet>(res.statefulSets, set.metadata.namespace, set.metadata.name!);
      if (fresh.metadata.uid === set.metadata.uid)
        await this.client.updateStatus(res.statefulSets, set.metadata.namespace, { ...fresh, status });
    }
  }
}

/** The template a revision restores (its data is {spec: {template: {..., $patch: replace}}}). */
function templateOf(r: ControllerRevision): PodTemplate | undefined {
  const t = (r.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (!t) return undefined;
  const { $patch: _p, ...template } = t;
  return template;
}

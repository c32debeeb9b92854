/**
 * The Deployment controller's decision for one Deployment, pure: kube's
 * deployment sync (pkg/controller/deployment) as a plan of writes. Given
 * the Deployment, the ReplicaSets it owns and (for Recreate) whether their
 * pods still run, planDeployment returns the ReplicaSet to create, the
 * ReplicaSets to scale or annotate, old ones to delete (history limit),
 * the revision annotation and the status, the way one kube sync would
 * write them: scale first, then the rollout status computed from the
 * scaled ReplicaSets.
 */
import { canonicalJson, semanticJson } from './canonical.js';
import { templateHash } from './claims.js';
import type { DeploymentCondition, Deployment, DeploymentStatus, PodTemplate, ReplicaSet } from './workload-types.js';

export const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const HASH_LABEL = 'pod-template-hash';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_REV_HISTORY_CHARS = 2000;

// Condition reasons and messages, as kube writes them.
export const reasons = {
  newRSAvailable: 'NewReplicaSetAvailable',
  rsUpdated: 'ReplicaSetUpdated',
  timedOut: 'ProgressDeadlineExceeded',
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  failedRSCreate: 'ReplicaSetCreateError',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minAvailable: 'MinimumReplicasAvailable',
  minUnavailable: 'MinimumReplicasUnavailable',
} as const;

interface DeploymentEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface DeploymentPlan {
  /** The new ReplicaSet to create (its name carries the template hash). */
  create?: ReplicaSet;
  /** ReplicaSets to PUT with new replicas, annotations or minReadySeconds. */
  update: ReplicaSet[];
  /** Old ReplicaSets beyond revisionHistoryLimit. */
  delete: ReplicaSet[];
  /** The Deployment's revision annotation, when it changes. */
  revision?: string;
  /** The new status, when it differs. */
  status?: DeploymentStatus;
  events: DeploymentEvent[];
  /** Sync again after this long (progress deadline, minReadySeconds). */
  requeueAfterMs?: number;
}

interface DeploymentInputs {
  deployment: Deployment;
  /** The ReplicaSets the Deployment controls. */
  replicaSets: readonly ReplicaSet[];
  /** ReplicaSet uid -> whether any of its pods is not yet finished (Recreate waits for none). */
  podsRunning: (rsUid: string) => boolean;
  now: number;
}

const replicasOf = (x: { spec: { replicas?: number } }): number => x.spec.replicas ?? 1;
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const created = (rs: ReplicaSet): number =>
  rs.metadata.creationTimestamp ? Date.parse(rs.metadata.creationTimestamp) : 0;
const byCreation = (a: ReplicaSet, b: ReplicaSet): number =>
  created(a) - created(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1);
const revisionOf = (rs: ReplicaSet): number => {
  const n = Number(rs.metadata.annotations?.[REVISION] ?? 0);
  return Number.isInteger(n) ? n : 0;
};

/** intstr.GetScaledValueFromIntOrPercent. */
function scaled(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.endsWith('%')) {
    const x = (Number.parseInt(v, 10) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return 0;
}

const isRollingUpdate = (d: Deployment) => (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** ResolveFenceposts: maxSurge rounds up, maxUnavailable down; both 0 becomes maxUnavailable 1. */
export function fenceposts(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  const replicas = replicasOf(d);
  const maxSurge = scaled(ru.maxSurge ?? '25%', replicas, true);
  const maxUnavailable = scaled(ru.maxUnavailable ?? '25%', replicas, false);
  return maxSurge === 0 && maxUnavailable === 0 ? { maxSurge, maxUnavailable: 1 } : { maxSurge, maxUnavailable };
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).maxSurge : 0;
}

export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(fenceposts(d).maxUnavailable, replicasOf(d));
}

/** The template without the pod-template-hash label, for comparison. */
function withoutHash(t: PodTemplate | undefined): unknown {
  const copy = structuredClone(t ?? {});
  const labels = { ...(copy.metadata?.labels ?? {}) };
  delete labels[HASH_LABEL];
  if (copy.metadata) {
    if (Object.keys(labels).length) copy.metadata.labels = labels;
    else delete copy.metadata.labels;
    if (Object.keys(copy.metadata).length === 0) delete copy.metadata;
  }
  return copy;
}

/** EqualIgnoreHash: the templates are equal apart from pod-template-hash. */
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return semanticJson(withoutHash(a)) === semanticJson(withoutHash(b));
}

const hasProgressDeadline = (d: Deployment) =>
  d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647;

const sum = (rss: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number) =>
  rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
const specReplicas = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.spec.replicas ?? 0);
const availableReplicas = (rss: readonly (ReplicaSet | undefined)[]) =>
  sum(rss, (rs) => rs.status?.availableReplicas ?? 0);
const isActive = (rs: ReplicaSet | undefined): rs is ReplicaSet => !!rs && (rs.spec.replicas ?? 0) > 0;

function getCondition(s: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

function newCondition(type: string, status: string, reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** SetDeploymentCondition: same status and reason is no change; the transition time survives a same-status update. */
function setCondition(s: DeploymentStatus, c: DeploymentCondition): void {
  const cur = getCondition(s, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c.lastTransitionTime = cur.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), c];
}

function removeCondition(s: DeploymentStatus, type: string): void {
  if (!s.conditions) return;
  s.conditions = s.conditions.filter((c) => c.type !== type);
}

/** DeploymentComplete: every replica updated and available, and the latest generation observed. */
function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const r = replicasOf(d);
  return (
    (s.updatedReplicas ?? 0) === r &&
    (s.replicas ?? 0) === r &&
    (s.availableReplicas ?? 0) === r &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === reasons.newRSAvailable) return false;
  if (c.reason === reasons.timedOut) return true;
  const from = c.lastUpdateTime ? Date.parse(c.lastUpdateTime) : now;
  return from + d.spec.progressDeadlineSeconds! * 1000 < now;
}

/** The working state of one sync: ReplicaSets as they will be after the plan's writes. */
class Sync {
  readonly plan: DeploymentPlan = { update: [], delete: [], events: [] };
  /** The Deployment with the status conditions this sync has set so far. */
  readonly d: Deployment;
  readonly rss: ReplicaSet[];
  private readonly dirty = new Set<ReplicaSet>();
  private createdRS: ReplicaSet | undefined;

  constructor(readonly input: DeploymentInputs) {
    this.d = structuredClone(input.deployment);
    this.d.status = structuredClone(input.deployment.status ?? {});
    this.rss = input.replicaSets.map((rs) => structuredClone(rs));
  }

  get now(): number {
    return this.input.now;
  }

  /** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
  findNew(): ReplicaSet | undefined {
    return [...this.rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, this.d.spec.template));
  }

  olds(newRS: ReplicaSet | undefined): ReplicaSet[] {
    return this.rss.filter((rs) => rs !== newRS);
  }

  touch(rs: ReplicaSet): void {
    if (rs !== this.createdRS) this.dirty.add(rs);
  }

  /** SetReplicasAnnotations: desired-replicas and max-replicas; true when they changed. */
  setReplicasAnnotations(rs: ReplicaSet): boolean {
    const desired = String(replicasOf(this.d));
    const max = String(replicasOf(this.d) + maxSurge(this.d));
    const a = (rs.metadata.annotations ??= {});
    if (a[DESIRED_REPLICAS] === desired && a[MAX_REPLICAS] === max) return false;
    a[DESIRED_REPLICAS] = desired;
    a[MAX_REPLICAS] = max;
    return true;
  }

  /** scaleReplicaSetAndRecordEvent: true when the size changed. */
  scale(rs: ReplicaSet, to: number): boolean {
    const from = rs.spec.replicas ?? 0;
    if (from === to) return false;
    rs.spec.replicas = to;
    this.setReplicasAnnotations(rs);
    this.touch(rs);
    this.plan.events.push({
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`,
    });
    return true;
  }

  /** scaleReplicaSet: resize and refresh the replicas annotations even when the size is right. */
  resize(rs: ReplicaSet, to: number): void {
    if ((rs.spec.replicas ?? 0) !== to) this.scale(rs, to);
    else if (this.setReplicasAnnotations(rs)) this.touch(rs);
  }

  /** SetNewReplicaSetAnnotations: the Deployment's annotations and the new revision (with history on rollback). */
  setNewRSAnnotations(rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
    let changed = false;
    const a = (rs.metadata.annotations ??= {});
    const skip = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS]);
    for (const [k, v] of Object.entries(this.d.metadata.annotations ?? {})) {
      if (skip.has(k) || a[k] === v) continue;
      a[k] = v;
      changed = true;
    }
    const oldRevision = a[REVISION];
    const oldInt = oldRevision === undefined ? 0 : Number(oldRevision);
    if (!Number.isInteger(oldInt)) return changed;
    if (oldInt < newRevision) {
      a[REVISION] = String(newRevision);
      changed = true;
      if (oldRevision !== undefined) {
        const history = a[REVISION_HISTORY] ? a[REVISION_HISTORY].split(',') : [];
        history.push(oldRevision);
        while (history.join(',').length > MAX_REV_HISTORY_CHARS) history.shift();
        a[REVISION_HISTORY] = history.join(',');
      }
    }
    if (!exists && this.setReplicasAnnotations(rs)) changed = true;
    return changed;
  }

  setRevision(revision: string): void {
    if (this.d.metadata.annotations?.[REVISION] === revision) return;
    (this.d.metadata.annotations ??= {})[REVISION] = revision;
    this.plan.revision = revision;
  }

  /** getNewReplicaSet: sync the existing new ReplicaSet's annotations, or make it when asked to. */
  newReplicaSet(create: boolean): ReplicaSet | undefined {
    const existing = this.findNew();
    const olds = this.olds(existing);
    const newRevision = Math.max(0, ...olds.map(revisionOf)) + 1;
    const d = this.d;
    if (existing) {
      const annotated = this.setNewRSAnnotations(existing, newRevision, true);
      const minReady = d.spec.minReadySeconds ?? 0;
      if (annotated || (existing.spec.minReadySeconds ?? 0) !== minReady) {
        existing.spec.minReadySeconds = minReady;
        this.touch(existing);
      }
      this.setRevision(existing.metadata.annotations?.[REVISION] ?? String(newRevision));
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing'))
        setCondition(
          d.status!,
          newCondition(
            'Progressing',
            'True',
            reasons.foundNewRS,
            `Found new replica set "${existing.metadata.name}"`,
            this.now,
          ),
        );
      return existing;
    }
    if (!create) return undefined;
    const hash = templateHash(d.spec.template, d.status?.collisionCount);
    const template = structuredClone(d.spec.template ?? {});
    template.metadata = {
      ...(template.metadata ?? {}),
      labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash },
    };
    const selector = structuredClone(d.spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: template.metadata.labels,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: d.metadata.name!,
            uid: d.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    this.createdRS = rs;
    rs.spec.replicas = this.newRSReplicas([...olds, rs], rs);
    this.setNewRSAnnotations(rs, newRevision, false);
    this.rss.push(rs);
    this.plan.create = rs;
    if (rs.spec.replicas > 0)
      this.plan.events.push({
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: `Scaled up replica set ${rs.metadata.name} from 0 to ${rs.spec.replicas}`,
      });
    this.setRevision(String(newRevision));
    if (hasProgressDeadline(d))
      setCondition(
        d.status!,
        newCondition(
          'Progressing',
          'True',
          reasons.newRSCreated,
          `Created new replica set "${rs.metadata.name}"`,
          this.now,
        ),
      );
    return rs;
  }

  /** NewRSNewReplicas: how far the new ReplicaSet may grow now. */
  newRSReplicas(all: readonly ReplicaSet[], newRS: ReplicaSet): number {
    const d = this.d;
    if (!isRollingUpdate(d)) return replicasOf(d);
    const current = specReplicas(all);
    const maxTotal = replicasOf(d) + maxSurge(d);
    const have = newRS.spec.replicas ?? 0;
    if (current >= maxTotal) return have;
    return have + Math.max(0, Math.min(maxTotal - current, replicasOf(d) - have));
  }

  /** The rollout status as kube computes it from the ReplicaSets (calculateStatus). */
  calculateStatus(newRS: ReplicaSet | undefined): DeploymentStatus {
    const d = this.d;
    const all = this.rss;
    const available = availableReplicas(all);
    const total = specReplicas(all);
    const s: DeploymentStatus = {
      observedGeneration: d.metadata.generation ?? 0,
      replicas: sum(all, (rs) => rs.status?.replicas ?? 0),
      updatedReplicas: newRS ? (newRS.status?.replicas ?? 0) : 0,
      readyReplicas: sum(all, (rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
    };
    if (d.status?.collisionCount !== undefined) s.collisionCount = d.status.collisionCount;
    if (d.status?.conditions?.length) s.conditions = structuredClone(d.status.conditions);
    if (available >= replicasOf(d) - maxUnavailable(d))
      setCondition(
        s,
        newCondition('Available', 'True', reasons.minAvailable, 'Deployment has minimum availability.', this.now),
      );
    else
      setCondition(
        s,
        newCondition(
          'Available',
          'False',
          reasons.minUnavailable,
          'Deployment does not have minimum availability.',
          this.now,
        ),
      );
    return s;
  }

  /** syncDeploymentStatus: just the counts and the Available condition. */
  syncStatus(newRS: ReplicaSet | undefined): void {
    this.finish(this.calculateStatus(newRS));
  }

  /** syncRolloutStatus: the counts plus the Progressing condition and its deadline. */
  syncRolloutStatus(newRS: ReplicaSet | undefined): void {
    const d = this.d;
    const s = this.calculateStatus(newRS);
    if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing');
    const cur = getCondition(d.status, 'Progressing');
    const complete = s.replicas === s.updatedReplicas && cur?.reason === reasons.newRSAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const name = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
      if (deploymentComplete(d, s)) {
        setCondition(
          s,
          newCondition('Progressing', 'True', reasons.newRSAvailable, `${name} has successfully progressed.`, this.now),
        );
      } else if (deploymentProgressing(d, s)) {
        const c = newCondition('Progressing', 'True', reasons.rsUpdated, `${name} is progressing.`, this.now);
        if (cur) {
          if (cur.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
          removeCondition(s, 'Progressing');
        }
        setCondition(s, c);
      } else if (deploymentTimedOut(d, s, this.now)) {
        setCondition(
          s,
          newCondition('Progressing', 'False', reasons.timedOut, `${name} has timed out progressing.`, this.now),
        );
      }
    }
    const failure = this.rss
      .flatMap((rs) => rs.status?.conditions ?? [])
      .find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
    if (failure)
      setCondition(s, {
        type: 'ReplicaFailure',
        status: 'True',
        reason: failure.reason ?? '',
        message: failure.message ?? '',
        lastUpdateTime: rfc3339(this.now),
        lastTransitionTime: failure.lastTransitionTime ?? rfc3339(this.now),
      });
    else removeCondition(s, 'ReplicaFailure');
    this.finish(s);
    // requeueStuckDeployment: look again when the progress deadline passes.
    const c = getCondition(s, 'Progressing');
    if (hasProgressDeadline(d) && c && !deploymentComplete(d, s) && c.reason !== reasons.timedOut) {
      const after =
        Date.parse(c.lastUpdateTime ?? rfc3339(this.now)) + d.spec.progressDeadlineSeconds! * 1000 - this.now;
      this.requeue(Math.max(after, 0) + 1000);
    }
  }

  requeue(ms: number): void {
    this.plan.requeueAfterMs = Math.min(this.plan.requeueAfterMs ?? Infinity, ms);
  }

  finish(s: DeploymentStatus): void {
    if (s.conditions && s.conditions.length === 0) delete s.conditions;
    this.d.status = s;
  }

  /** The plan with the touched ReplicaSets and the status, when it changed. */
  done(): DeploymentPlan {
    this.plan.update = [...this.dirty];
    const before = this.input.deployment.status ?? {};
    if (canonicalJson(before) !== canonicalJson(this.d.status)) this.plan.status = this.d.status;
    return this.plan;
  }
}

/** FindActiveOrLatest: the one active ReplicaSet, the newest when none is active, or none when several are. */
function activeOrLatest(newRS: ReplicaSet | undefined, olds: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && olds.length === 0) return undefined;
  const sortedOlds = [...olds].sort(byCreation).reverse();
  const active = [...sortedOlds, newRS].filter(isActive);
  if (active.length === 0) return newRS ?? sortedOlds[0];
  return active.length === 1 ? active[0] : undefined;
}

/** getReplicaSetFraction / GetProportion: the share of a scaling a ReplicaSet takes. */
function proportion(s: Sync, rs: ReplicaSet, toAdd: number, added: number): number {
  const d = s.d;
  if ((rs.spec.replicas ?? 0) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (replicasOf(d) === 0) fraction = -(rs.spec.replicas ?? 0);
  else {
    const deploymentReplicas = replicasOf(d) + maxSurge(d);
    const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? NaN);
    const base = Number.isInteger(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0);
    fraction =
      base > 0 ? Math.round(((rs.spec.replicas ?? 0) * deploymentReplicas) / base) - (rs.spec.replicas ?? 0) : 0;
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** scale: a scaling event (or a paused Deployment) resizes ReplicaSets without rolling. */
function scaleDeployment(s: Sync, newRS: ReplicaSet | undefined, olds: ReplicaSet[]): void {
  const d = s.d;
  const target = activeOrLatest(newRS, olds);
  if (target) {
    s.resize(target, replicasOf(d));
    return;
  }
  const saturated =
    newRS &&
    (newRS.spec.replicas ?? 0) === replicasOf(d) &&
    newRS.metadata.annotations?.[DESIRED_REPLICAS] === String(replicasOf(d)) &&
    (newRS.status?.availableReplicas ?? 0) === replicasOf(d);
  if (saturated) {
    for (const rs of olds.filter(isActive)) s.scale(rs, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = [...olds, newRS].filter(isActive);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - specReplicas(all);
  // Scaling up: the newest and largest first; down: the oldest and largest first.
  all.sort((a, b) => {
    const size = (b.spec.replicas ?? 0) - (a.spec.replicas ?? 0);
    if (size !== 0) return size;
    return toAdd > 0 ? byCreation(b, a) : byCreation(a, b);
  });
  let added = 0;
  const sizes = new Map<ReplicaSet, number>();
  for (const rs of all) {
    const p = toAdd !== 0 ? proportion(s, rs, toAdd, added) : 0;
    sizes.set(rs, (rs.spec.replicas ?? 0) + p);
    added += p;
  }
  all.forEach((rs, i) => {
    let size = sizes.get(rs)!;
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    s.resize(rs, size);
  });
}

/** cleanupDeployment: delete the oldest idle ReplicaSets beyond revisionHistoryLimit. */
function cleanup(s: Sync, olds: ReplicaSet[]): void {
  const limit = s.d.spec.revisionHistoryLimit;
  if (limit === undefined) return;
  const alive = olds.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return;
  const byRevision = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  for (const rs of byRevision.slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || (rs.spec.replicas ?? 0) !== 0) continue;
    if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    s.plan.delete.push(rs);
  }
}

function rolloutRolling(s: Sync): void {
  const d = s.d;
  const newRS = s.newReplicaSet(true)!;
  const olds = s.olds(newRS);
  const all = s.rss;
  // reconcileNewReplicaSet
  if ((newRS.spec.replicas ?? 0) !== replicasOf(d)) {
    const to = (newRS.spec.replicas ?? 0) > replicasOf(d) ? replicasOf(d) : s.newRSReplicas(all, newRS);
    if (s.scale(newRS, to)) return s.syncRolloutStatus(newRS);
  }
  // reconcileOldReplicaSets
  if (specReplicas(olds) > 0) {
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = (newRS.spec.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
    if (maxScaledDown > 0) {
      let scaledDown = 0;
      // cleanupUnhealthyReplicas: old pods that are not available go first.
      for (const rs of [...olds].sort(byCreation)) {
        if (scaledDown >= maxScaledDown) break;
        const replicas = rs.spec.replicas ?? 0;
        const healthy = rs.status?.availableReplicas ?? 0;
        if (replicas === 0 || healthy >= replicas) continue;
        const n = Math.min(maxScaledDown - scaledDown, replicas - healthy);
        if (s.scale(rs, replicas - n)) scaledDown += n;
      }
      // scaleDownOldReplicaSetsForRollingUpdate
      const available = availableReplicas(all);
      if (available > minAvailable) {
        const total = available - minAvailable;
        let done = 0;
        for (const rs of [...olds].sort(byCreation)) {
          if (done >= total) break;
          const replicas = rs.spec.replicas ?? 0;
          if (replicas === 0) continue;
          const n = Math.min(replicas, total - done);
          if (s.scale(rs, replicas - n)) done += n;
        }
        scaledDown += done;
      }
      if (scaledDown > 0) return s.syncRolloutStatus(newRS);
    }
  }
  const status = s.calculateStatus(newRS);
  if (deploymentComplete(d, status)) cleanup(s, olds);
  s.syncRolloutStatus(newRS);
}

function rolloutRecreate(s: Sync): void {
  const d = s.d;
  let newRS = s.newReplicaSet(false);
  const olds = s.olds(newRS);
  let scaledDown = false;
  for (const rs of olds.filter(isActive)) if (s.scale(rs, 0)) scaledDown = true;
  if (scaledDown) return s.syncRolloutStatus(newRS);
  // Old pods must be gone (or finished) before new ones start.
  if (olds.some((rs) => s.input.podsRunning(rs.metadata.uid!))) return s.syncRolloutStatus(newRS);
  newRS ??= s.newReplicaSet(true)!;
  s.resize(newRS, replicasOf(d));
  const status = s.calculateStatus(newRS);
  if (deploymentComplete(d, status)) cleanup(s, s.olds(newRS));
  s.syncRolloutStatus(newRS);
}

/** checkPausedConditions: Progressing Unknown while paused, and once more on resume. */
function pausedConditions(s: Sync): void {
  const d = s.d;
  if (!hasProgressDeadline(d)) return;
  const c = getCondition(d.status, 'Progressing');
  if (c?.reason === reasons.timedOut) return;
  const pausedCond = c?.reason === reasons.paused;
  if (d.spec.paused && !pausedCond)
    setCondition(d.status!, newCondition('Progressing', 'Unknown', reasons.paused, 'Deployment is paused', s.now));
  else if (!d.spec.paused && pausedCond)
    setCondition(d.status!, newCondition('Progressing', 'Unknown', reasons.resumed, 'Deployment is resumed', s.now));
}

/** isScalingEvent: an active ReplicaSet was sized for another replica count. */
function isScalingEvent(s: Sync, newRS: ReplicaSet | undefined): boolean {
  const want = String(replicasOf(s.d));
  return [...s.olds(newRS), newRS].filter(isActive).some((rs) => {
    const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
    return desired !== undefined && desired !== want;
  });
}

/** One sync of a Deployment (syncDeployment). */
export function planDeployment(input: DeploymentInputs): DeploymentPlan {
  const s = new Sync(input);
  const d = s.d;
  const sel = d.spec.selector ?? {};
  if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions?.length ?? 0) === 0) {
    s.plan.events.push({
      type: 'Warning',
      reason: 'SelectingAll',
      message: 'This deployment is selecting all pods. A non-empty selector is required.',
    });
    if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0))
      d.status!.observedGeneration = d.metadata.generation;
    return s.done();
  }
  if (d.metadata.deletionTimestamp) {
    s.syncStatus(s.newReplicaSet(false));
    return s.done();
  }
  pausedConditions(s);
  const newRS = s.newReplicaSet(false);
  if (d.spec.paused || isScalingEvent(s, newRS)) {
    scaleDeployment(s, newRS, s.olds(newRS));
    if (d.spec.paused) cleanup(s, s.olds(newRS));
    s.syncStatus(newRS);
    return s.done();
  }
  if (d.spec.strategy?.type === 'Recreate') rolloutRecreate(s);
  else rolloutRolling(s);
  return s.done();
}

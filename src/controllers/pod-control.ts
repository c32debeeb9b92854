/**
 * The writes the workload controllers share (kube's PodControl and
 * ControllerRefManager): claim what an owner's selector matches, create
 * pods in slow-start batches, delete pods, record events.
 */
import type { KObject } from '../api/meta.js';
import type { ResourceInfo } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';
import { isApiError, isNotFound } from '../client/api-error.js';
import { recordEvent, type EventType } from '../client/events.js';
import { keyOf, type Informer } from '../client/informer.js';
import { adoptPatch, planClaims, releasePatch } from './claims.js';
import type { Logger } from './controller.js';
import type { Expectations } from './expectations.js';
import { controllerRefOf, type WorkloadPod } from './workload-types.js';

/**
 * The objects `owner` controls among `candidates` after adopting matching
 * orphans and releasing what no longer matches. Adoption first re-reads the
 * owner (kube's canAdopt): an owner deleted or replaced meanwhile adopts nothing.
 */
export async function claim<T extends KObject>(
  client: KubeClient,
  owner: KObject,
  ownerRes: ResourceInfo,
  candidateRes: ResourceInfo,
  candidates: readonly T[],
): Promise<T[]> {
  const plan = planClaims(owner, candidates);
  const owned = [...plan.owned];
  if (plan.adopt.length === 0 && plan.release.length === 0) return owned;
  const fresh = await client.get(ownerRes, owner.metadata.namespace, owner.metadata.name!).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
  const canAdopt = fresh && fresh.metadata.uid === owner.metadata.uid && !fresh.metadata.deletionTimestamp;
  for (const o of canAdopt ? plan.adopt : []) {
    try {
      owned.push(
        await client.patch<T>(candidateRes, o.metadata.namespace, o.metadata.name!, 'strategic', adoptPatch(owner, o)),
      );
    } catch (e) {
      // Gone, or changed under us (its uid pins the patch): the next sync sees it as it is.
      if (!isNotFound(e) && !isApiError(e, 409) && !isApiError(e, 422)) throw e;
    }
  }
  for (const o of plan.release) {
    try {
      await client.patch(candidateRes, o.metadata.namespace, o.metadata.name!, 'merge', releasePatch(owner, o));
    } catch (e) {
      if (!isNotFound(e) && !isApiError(e, 409) && !isApiError(e, 422)) throw e;
    }
  }
  return owned;
}

/**
 * Creates objects in batches of 1, 2, 4, ... (kube's slowStartBatch), so a
 * template the API refuses fails once, not a thousand times. Stops at the
 * first batch with a failure; `done` hears about every object, created
 * (with the result) or not (error, or skipped after a failure).
 */
export async function slowStartCreate(
  count: number,
  create: (i: number) => Promise<KObject>,
  done: (i: number, result: KObject | undefined, err: unknown) => void,
): Promise<unknown> {
  let next = 0;
  let firstError: unknown;
  for (let batch = 1; next < count; batch *= 2) {
    const start = next;
    const end = Math.min(count, next + batch);
    next = end;
    const results = await Promise.allSettled(Array.from({ length: end - start }, (_, k) => create(start + k)));
    results.forEach((r, k) => {
      if (r.status === 'fulfilled') done(start + k, r.value, undefined);
      else {
        firstError ??= r.reason;
        done(start + k, undefined, r.reason);
      }
    });
    if (firstError !== undefined) break;
  }
  for (let i = next; i < count; i++) done(i, undefined, undefined);
  return firstError;
}

/** An Event about `obj` from `component`, without waiting for it (events are best effort). */
export function emitEvent(
  client: KubeClient,
  log: Logger,
  obj: KObject,
  type: EventType,
  reason: string,
  message: string,
  component: string,
): void {
  void recordEvent(client, log, obj, type, reason, message, component);
}

/** The cache key of the live `kind` owner a pod's controller reference names (same uid), if any. */
export function liveOwnerKey<T extends KObject>(p: WorkloadPod, kind: string, owners: Informer<T>): string | undefined {
  const ref = controllerRefOf(p);
  if (ref?.kind !== kind) return undefined;
  const owner = owners.get(`${p.metadata.namespace}/${ref.name}`);
  return owner && owner.metadata.uid === ref.uid ? keyOf(owner) : undefined;
}

/**
 * Pod handlers of a controller that counts its own creates and deletes
 * (expectations): each pod event settles its owner's expectation, then the
 * pod's owners sync (the old one too when the controller reference moved).
 */
export function expectingPodHandlers(
  ownerKey: (p: WorkloadPod) => string | undefined,
  expectations: Expectations,
  podChanged: (p: WorkloadPod) => void,
) {
  return {
    onAdd: (p: WorkloadPod) => {
      const owner = ownerKey(p);
      if (owner) {
        expectations.created(owner);
        if (p.metadata.deletionTimestamp) expectations.deleted(owner, keyOf(p));
      }
      podChanged(p);
    },
    onUpdate: (old: WorkloadPod, p: WorkloadPod) => {
      const owner = ownerKey(p);
      if (owner && p.metadata.deletionTimestamp) expectations.deleted(owner, keyOf(p));
      if (controllerRefOf(old)?.uid !== controllerRefOf(p)?.uid) podChanged(old);
      podChanged(p);
    },
    onDelete: (p: WorkloadPod) => {
      const owner = ownerKey(p);
      if (owner) expectations.deleted(owner, keyOf(p));
      podChanged(p);
    },
  };
}

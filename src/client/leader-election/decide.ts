/**
 * One step of leader election on a coordination.k8s.io Lease, as client-go
 * decides it: expiry is judged by when this candidate last *saw* the record
 * change (its own clock), never by the holder's renewTime, so clocks that
 * disagree between hosts cannot make two leaders.
 */

export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** What this candidate last saw of the record, and when (its clock, ms). */
export interface Observation {
  record: LeaseRecord;
  atMs: number;
}

type Step =
  /** No Lease: create it, holding it. */
  | { kind: 'create' }
  /** We hold it: renew it (compare-and-swap on its resourceVersion). */
  | { kind: 'renew' }
  /** Nobody holds it, or the holder stopped renewing: take it over. */
  | { kind: 'acquire' }
  /** Someone else holds it and renews it: wait. */
  | { kind: 'wait'; holder: string; expiresInMs: number };

/** Has the record changed since it was observed (a renewal, a new holder)? */
export const recordChanged = (a: LeaseRecord, b: LeaseRecord): boolean =>
  a.holderIdentity !== b.holderIdentity || a.renewTime !== b.renewTime || a.acquireTime !== b.acquireTime;

export function decide(
  identity: string,
  current: LeaseRecord | undefined,
  observed: Observation | undefined,
  nowMs: number,
  defaultDurationSeconds: number,
): Step {
  if (!current) return { kind: 'create' };
  const holder = current.holderIdentity ?? '';
  if (holder === identity) return { kind: 'renew' };
  if (holder === '') return { kind: 'acquire' };
  const durationMs = (current.leaseDurationSeconds ?? defaultDurationSeconds) * 1000;
  // A record we have not seen before starts its clock now.
  const seenAt = observed && !recordChanged(observed.record, current) ? observed.atMs : nowMs;
  const expiresInMs = seenAt + durationMs - nowMs;
  return expiresInMs <= 0 ? { kind: 'acquire' } : { kind: 'wait', holder, expiresInMs };
}

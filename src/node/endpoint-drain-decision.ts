/**
 * Whether a terminating pod has left every data plane (pure): the
 * EndpointSlices that list it must show it not ready, and every live
 * endpoint consumer (each node's service proxy, cluster DNS, the router)
 * must have applied a slice revision at least that new. A consumer whose
 * Lease has expired is not waited for, so one that died cannot hold a pod.
 */

/** The pod's endpoint as one EndpointSlice lists it. */
export interface DrainSlice {
  /** namespace/name */
  name: string;
  resourceVersion: string;
  /** The endpoint's ready condition (unset in the API means ready). */
  ready: boolean;
}

/** An endpoint consumer's Lease. */
export interface DrainConsumer {
  /** namespace/name of its Lease */
  name: string;
  /** The slice revision it has applied (the podnet.io/endpointslices-applied annotation). */
  applied: string | undefined;
  renewTime: string | undefined;
  leaseDurationSeconds: number | undefined;
}

export type DrainDecision = { done: true } | { done: false; reason: string };

const DEFAULT_LEASE_SECONDS = 40;

function revision(rv: string | undefined): bigint | undefined {
  return rv && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}

/** Whether a consumer's Lease is still held at nowMs (renewed within its duration). */
function consumerLive(c: DrainConsumer, nowMs: number): boolean {
  const renewed = c.renewTime ? Date.parse(c.renewTime) : NaN;
  if (Number.isNaN(renewed)) return false;
  return renewed + (c.leaseDurationSeconds ?? DEFAULT_LEASE_SECONDS) * 1000 > nowMs;
}

export function drainDecision(
  slices: readonly DrainSlice[],
  consumers: readonly DrainConsumer[],
  nowMs: number,
): DrainDecision {
  // No slice lists the pod: no Service selects it, nothing routes to it.
  if (!slices.length) return { done: true };
  const stillReady = slices.filter((s) => s.ready).map((s) => s.name);
  if (stillReady.length)
    return { done: false, reason: `EndpointSlice ${stillReady.join(', ')} still lists the pod as ready` };
  let needed = 0n;
  for (const s of slices) {
    const rv = revision(s.resourceVersion);
    if (rv !== undefined && rv > needed) needed = rv;
  }
  const behind = consumers
    .filter((c) => consumerLive(c, nowMs))
    .filter((c) => {
      const applied = revision(c.applied);
      return applied === undefined || applied < needed;
    })
    .map((c) => c.name)
    .sort();
  if (behind.length) return { done: false, reason: `${behind.join(', ')} not yet at EndpointSlice revision ${needed}` };
  return { done: true };
}

/** At most this long before SIGTERM, and never more than half the grace period (the app keeps the rest). */
const MAX_DRAIN_MS = 10_000;

export function drainBudgetMs(graceSeconds: number): number {
  return Math.max(0, Math.min(MAX_DRAIN_MS, (graceSeconds * 1000) / 2));
}

/**
 * When each pending change happened, for the network-programming latency
 * metric: the EndpointSlice's last-change-trigger-time annotation (set by
 * the controller to when the pod changed) if present, else the newest
 * managedFields time, else when we saw it.
 */
import type { KObject } from '../api/meta.js';

const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

export function changeTime(obj: KObject, now: number): number {
  const ann = obj.metadata.annotations?.[TRIGGER_TIME_ANNOTATION];
  const fromAnn = ann ? Date.parse(ann) : NaN;
  if (Number.isFinite(fromAnn) && fromAnn <= now) return fromAnn;
  const times = (obj.metadata.managedFields ?? [])
    .map((m) => (m.time ? Date.parse(m.time) : NaN))
    .filter((t) => Number.isFinite(t) && t <= now);
  // managedFields times have one-second resolution: only trust them when that is more than the receive time says.
  const newest = times.length ? Math.max(...times) : NaN;
  return Number.isFinite(newest) && now - newest > 1000 ? newest : now;
}

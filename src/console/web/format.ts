/** What the tables show, computed as kubectl computes its columns. Pure. */
import type { EventObject, NodeObject, PodObject } from './objects.js';

/** kubectl's age: 45s, 12m, 3h, 5d. */
export function age(timestamp: string | undefined, now: number): string {
  if (!timestamp) return '';
  const s = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** The STATUS column of kubectl get pods: a waiting or terminated reason wins over the phase. */
export function podStatus(p: PodObject): string {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  for (const c of p.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) return c.state.waiting.reason;
    if (c.state?.terminated?.reason && p.status?.phase !== 'Succeeded') return c.state.terminated.reason;
  }
  return p.status?.reason ?? p.status?.phase ?? 'Pending';
}

export function podReady(p: PodObject): string {
  const total = p.spec?.containers?.length ?? 0;
  const ready = (p.status?.containerStatuses ?? []).filter((c) => c.ready).length;
  return `${ready}/${total}`;
}

export const podRestarts = (p: PodObject): number =>
  (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);

export function nodeStatus(n: NodeObject): string {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  const base = ready?.status === 'True' ? 'Ready' : 'NotReady';
  return n.spec?.unschedulable ? `${base},SchedulingDisabled` : base;
}

export const eventTime = (e: EventObject): string | undefined =>
  e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;

/** Newest first, as a user reads a log of what happened. */
export const newestFirst = (a: EventObject, b: EventObject): number =>
  (Date.parse(eventTime(b) ?? '') || 0) - (Date.parse(eventTime(a) ?? '') || 0);

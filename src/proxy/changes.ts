/**
 * What one incremental sync changes: service ports added, removed or
 * modified, each with the state last applied and the state wanted now.
 * Backends program exactly these (O(change), not O(cluster)).
 */
import type { ProxyState, ServicePortState } from './types.js';

export interface PortChange {
  id: string;
  /** What was applied (absent: a new service port). */
  prev?: ServicePortState;
  /** What is wanted now (absent: the service port is gone). */
  next?: ServicePortState;
}

/** Two port states program the same rules (states are small plain data). */
export const samePort = (a: ServicePortState, b: ServicePortState): boolean =>
  a === b || JSON.stringify(a) === JSON.stringify(b);

/** The changes from one whole state to another (tests, and full syncs that compare with what was applied). */
export function diffStates(prev: ProxyState, next: ProxyState): PortChange[] {
  const before = new Map(prev.ports.map((p) => [p.id, p]));
  const out: PortChange[] = [];
  for (const p of next.ports) {
    const old = before.get(p.id);
    before.delete(p.id);
    if (!old || !samePort(old, p)) out.push({ id: p.id, ...(old ? { prev: old } : {}), next: p });
  }
  for (const old of before.values()) out.push({ id: old.id, prev: old });
  return out;
}

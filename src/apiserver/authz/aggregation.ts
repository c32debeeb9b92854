/**
 * ClusterRole aggregation (kube's clusterrole-aggregation controller): a
 * ClusterRole with an aggregationRule gets the rules of every ClusterRole
 * its selectors match, so `admin` grows when a role labelled
 * aggregate-to-admin appears. Pure: what the rules should be.
 */
import { labelSelectorFromObject, matchesLabels } from '../../api/selectors/index.js';
import type { PolicyRule, RoleObject } from './types.js';

/** The rules an aggregated role should hold, or undefined when it has no aggregationRule. */
export function aggregatedRules(role: RoleObject, all: readonly RoleObject[]): PolicyRule[] | undefined {
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (!role.aggregationRule) return undefined;
  const parsed = (selectors ?? []).map((s) => labelSelectorFromObject(s));
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  const sorted = [...all].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  for (const other of sorted) {
    if (other.metadata.name === role.metadata.name) continue;
    const labels = other.metadata.labels ?? {};
    if (!parsed.some((p) => p !== 'nothing' && matchesLabels(p, labels))) continue;
    for (const r of other.rules ?? []) {
      const key = JSON.stringify(r);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}

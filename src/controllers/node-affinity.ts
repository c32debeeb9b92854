/**
 * A pod's required node affinity (requiredDuringSchedulingIgnoredDuringExecution),
 * pure: terms are ORed, a term's matchExpressions (node labels) and
 * matchFields (metadata.name) ANDed, as kube's NodeSelector matching does.
 */
import type { Node } from './types.js';

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}
export interface NodeAffinity {
  nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } };
}

function requirementHolds(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || !/^-?\d+$/.test(value) || values.length !== 1) return false;
      const n = Number(value),
        v = Number(values[0]);
      return r.operator === 'Gt' ? n > v : n < v;
    }
    default:
      return false;
  }
}

function termMatches(t: NodeSelectorTerm, node: Node): boolean {
  const exprs = t.matchExpressions ?? [],
    fields = t.matchFields ?? [];
  // An empty term matches nothing.
  if (exprs.length === 0 && fields.length === 0) return false;
  return (
    exprs.every((r) => requirementHolds(r, node.metadata.labels?.[r.key])) &&
    fields.every((r) => requirementHolds(r, r.key === 'metadata.name' ? node.metadata.name : undefined))
  );
}

/** True when the node satisfies the required node affinity (or there is none). */
export function matchesNodeAffinity(affinity: NodeAffinity | undefined, node: Node): boolean {
  const terms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t) => termMatches(t, node));
}

/** The affinity that pins a pod to one node by name (what the DaemonSet controller gives its pods). */
export function pinnedToNode(nodeName: string): NodeAffinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
      },
    },
  };
}

/** The node a pod is pinned to by a matchFields metadata.name In [one] term, if it is (kube's GetTargetNodeName). */
export function pinnedNode(affinity: NodeAffinity | undefined): string | undefined {
  const terms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms)
    for (const f of t.matchFields ?? [])
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

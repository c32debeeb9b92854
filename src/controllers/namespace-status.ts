/** The deletion conditions kube's namespace controller writes on a terminating Namespace. Pure. */
import type { Condition } from './types.js';

/** What one deletion pass found: leftover objects and their finalizers, per "resource.group". */
export interface DeletionProgress {
  /** e.g. "pods." -> 2 (kube prints the core group as a trailing dot). */
  remaining: Map<string, number>;
  /** finalizer -> number of objects still carrying it */
  finalizers: Map<string, number>;
  /** Deletion errors, already worded for users. */
  failures: string[];
}

/** kube's GroupResource text in these messages: "pods." for core, "ingresses.networking.k8s.io" otherwise. */
export const groupResourceText = (group: string, resource: string): string => `${resource}.${group}`;

/** The five conditions, in kube's order, with kube's reasons and messages. */
export function namespaceDeletionConditions(p: DeletionProgress, prev: Condition[] = [], now: string): Condition[] {
  const list = (m: Map<string, number>, fmt: (k: string, n: number) => string) =>
    [...m]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, n]) => fmt(k, n))
      .join(', ');
  const want: Condition[] = [
    {
      type: 'NamespaceDeletionDiscoveryFailure',
      status: 'False',
      reason: 'ResourcesDiscovered',
      message: 'All resources successfully discovered',
    },
    {
      type: 'NamespaceDeletionGroupVersionParsingFailure',
      status: 'False',
      reason: 'ParsedGroupVersions',
      message: 'All legacy kube types successfully parsed',
    },
    p.failures.length
      ? {
          type: 'NamespaceDeletionContentFailure',
          status: 'True',
          reason: 'ContentDeletionFailed',
          message: `Failed to delete all resource types, ${p.failures.length} remaining: ${p.failures.join(', ')}`,
        }
      : {
          type: 'NamespaceDeletionContentFailure',
          status: 'False',
          reason: 'ContentDeleted',
          message: 'All content successfully deleted, may be waiting on finalization',
        },
    p.remaining.size
      ? {
          type: 'NamespaceContentRemaining',
          status: 'True',
          reason: 'SomeResourcesRemain',
          message: `Some resources are remaining: ${list(p.remaining, (k, n) => `${k} has ${n} resource instances`)}`,
        }
      : {
          type: 'NamespaceContentRemaining',
          status: 'False',
          reason: 'ContentRemoved',
          message: 'All content successfully removed',
        },
    p.finalizers.size
      ? {
          type: 'NamespaceFinalizersRemaining',
          status: 'True',
          reason: 'SomeFinalizersRemain',
          message: `Some content in the namespace has finalizers remaining: ${list(p.finalizers, (k, n) => `${k} in ${n} resource instances`)}`,
        }
      : {
          type: 'NamespaceFinalizersRemaining',
          status: 'False',
          reason: 'ContentHasNoFinalizers',
          message: 'All content-preserving finalizers finished',
        },
  ];
  // lastTransitionTime only moves when the status flips.
  return want.map((c) => {
    const old = prev.find((o) => o.type === c.type);
    return {
      ...c,
      lastTransitionTime: old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now,
    };
  });
}

/** Whether two condition lists say the same (ignoring times). */
export function sameConditions(a: Condition[] = [], b: Condition[] = []): boolean {
  const k = (l: Condition[]) => JSON.stringify(l.map((c) => [c.type, c.status, c.reason, c.message]));
  return k(a) === k(b);
}

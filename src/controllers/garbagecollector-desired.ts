/**
 * The garbage collector's decisions, pure (kube's attemptToDeleteItem and
 * processDeletingDependentsItem over the owner graph):
 *  - an object whose owners are all gone is deleted; one with some owners
 *    gone loses those references;
 *  - an object whose owner is being deleted in the foreground is deleted
 *    too (in the foreground itself when it has dependents);
 *  - an owner being deleted with the orphan finalizer first strips its
 *    dependents' references to it, then drops the finalizer;
 *  - an owner being deleted with foregroundDeletion waits until no
 *    dependent with blockOwnerDeletion is left, deleting them meanwhile.
 */
import type { OwnerReference } from '../api/meta.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** What the collector knows of one object. */
export interface GraphNode {
  uid: string;
  owners: OwnerReference[];
  deleting: boolean;
  finalizers: string[];
}

/** An owner as looked up: gone, or there (and perhaps being deleted in the foreground). */
export type OwnerState = 'absent' | 'present' | 'deletingForeground' | 'unknown';

type DependentAction =
  | { kind: 'keep' }
  | { kind: 'removeOwners'; uids: string[] }
  | { kind: 'delete'; propagationPolicy: 'Background' | 'Foreground' | 'Orphan' };

/**
 * What to do with an object that has owners, given each owner's state
 * (unknown: a kind this server does not serve, left alone) and whether the
 * object has dependents of its own.
 */
export function decideDependent(
  node: GraphNode,
  ownerState: (ref: OwnerReference) => OwnerState,
  hasDependents: boolean,
): DependentAction {
  if (node.owners.length === 0 || node.deleting) return { kind: 'keep' };
  const solid: OwnerReference[] = [];
  const dangling: OwnerReference[] = [];
  const waiting: OwnerReference[] = [];
  for (const ref of node.owners) {
    const s = ownerState(ref);
    if (s === 'absent') dangling.push(ref);
    else if (s === 'deletingForeground') waiting.push(ref);
    else solid.push(ref);
  }
  if (solid.length) {
    if (dangling.length === 0 && waiting.length === 0) return { kind: 'keep' };
    return { kind: 'removeOwners', uids: [...dangling, ...waiting].map((r) => r.uid) };
  }
  if (waiting.length && hasDependents) return { kind: 'delete', propagationPolicy: 'Foreground' };
  if (node.finalizers.includes(FINALIZER_ORPHAN)) return { kind: 'delete', propagationPolicy: 'Orphan' };
  if (node.finalizers.includes(FINALIZER_FOREGROUND)) return { kind: 'delete', propagationPolicy: 'Foreground' };
  return { kind: 'delete', propagationPolicy: 'Background' };
}

type OwnerAction =
  | { kind: 'none' }
  /** Strip these dependents' references to the owner, then drop the orphan finalizer. */
  | { kind: 'orphan'; dependents: GraphNode[] }
  /** Delete these blocking dependents (not deleting yet); the owner waits. */
  | { kind: 'deleteDependents'; dependents: GraphNode[] }
  /** Nothing blocks any more: drop the finalizer. */
  | { kind: 'removeFinalizer'; finalizer: string };

/** What an owner being deleted with a garbage collector finalizer needs next. */
export function decideOwner(node: GraphNode, dependents: readonly GraphNode[]): OwnerAction {
  if (!node.deleting) return { kind: 'none' };
  if (node.finalizers.includes(FINALIZER_ORPHAN)) return { kind: 'orphan', dependents: [...dependents] };
  if (!node.finalizers.includes(FINALIZER_FOREGROUND)) return { kind: 'none' };
  const blocking = dependents.filter((d) => d.owners.some((r) => r.uid === node.uid && r.blockOwnerDeletion));
  if (blocking.length === 0) return { kind: 'removeFinalizer', finalizer: FINALIZER_FOREGROUND };
  const toDelete = blocking.filter((d) => !d.deleting);
  return toDelete.length ? { kind: 'deleteDependents', dependents: toDelete } : { kind: 'none' };
}

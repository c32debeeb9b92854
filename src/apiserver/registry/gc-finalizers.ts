/**
 * What a delete asks of the garbage collector, as finalizers on the object
 * (kube's deletionFinalizersForGarbageCollection): `orphan` to strip the
 * dependents' ownerReferences first, `foregroundDeletion` to delete the
 * dependents first. Background (the default) adds neither: the object goes
 * at once and the collector deletes its dependents afterwards.
 */

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/**
 * The object's finalizers after a delete with `policy` (and the deprecated
 * orphanDependents flag). Without a policy, finalizers the object already
 * carries decide, as in kube.
 */
export function deletionFinalizers(existing: readonly string[], policy?: string, orphanDependents?: boolean): string[] {
  let orphan: boolean;
  let foreground: boolean;
  if (orphanDependents !== undefined) {
    orphan = orphanDependents;
    foreground = false;
  } else if (policy === 'Orphan' || policy === 'Background' || policy === 'Foreground') {
    orphan = policy === 'Orphan';
    foreground = policy === 'Foreground';
  } else {
    const first = existing.find((f) => f === FINALIZER_ORPHAN || f === FINALIZER_FOREGROUND);
    orphan = first === FINALIZER_ORPHAN;
    foreground = existing.includes(FINALIZER_FOREGROUND);
  }
  const out = existing.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (orphan) out.push(FINALIZER_ORPHAN);
  if (foreground) out.push(FINALIZER_FOREGROUND);
  return out;
}

/** Same members, in any order. */
export function sameFinalizers(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((f) => sa.has(f));
}

/**
 * ControllerRevisions of DaemonSets and StatefulSets, pure: each template a
 * workload has run is kept as a revision whose data is the strategic merge
 * patch that restores it (what `kubectl rollout undo` applies), numbered in
 * order, the current one always the highest, the oldest unused ones
 * dropped beyond revisionHistoryLimit.
 */
import type { KObject } from '../api/meta.js';
import { semanticJson } from './canonical.js';
import { templateHash } from './claims.js';
import { controllerRefTo, type ControllerRevision, type PodTemplate } from './workload-types.js';

/** The pod label naming the revision a pod was made from. */
export const REVISION_HASH_LABEL = 'controller-revision-hash';

/** The revision's data: a patch that puts this template back (kube's getPatch). */
function revisionData(template: PodTemplate | undefined): object {
  return { spec: { template: { ...structuredClone(template ?? {}), $patch: 'replace' } } };
}

interface RevisionPlan {
  /** The revision of the current template (to create, or existing). */
  current: ControllerRevision;
  /** Not stored yet: create it. */
  create: boolean;
  /** Stored, but not the highest: give it the next number (a rollback). */
  renumber: boolean;
  /** Old revisions beyond the history limit that no pod uses. */
  delete: ControllerRevision[];
  /** A revision of another template holds the name: count a collision and hash again. */
  collision: boolean;
}

interface Owner extends KObject {
  spec: { template?: PodTemplate; revisionHistoryLimit?: number };
}

/** What to do with `owner`'s revisions; `inUse` holds the names of the revisions live pods were made from. */
export function planRevisions(
  owner: Owner,
  revisions: readonly ControllerRevision[],
  collisionCount: number | undefined,
  inUse: ReadonlySet<string>,
): RevisionPlan {
  const data = revisionData(owner.spec.template);
  const wanted = semanticJson(data);
  const sorted = [...revisions].sort((a, b) => a.revision - b.revision);
  const max = sorted.length ? sorted[sorted.length - 1]!.revision : 0;
  const hash = templateHash(owner.spec.template, collisionCount);
  const name = `${owner.metadata.name}-${hash}`;
  const matching = sorted.filter((r) => semanticJson(r.data) === wanted);
  let current = matching[matching.length - 1];
  let create = false;
  let renumber = false;
  let collision = false;
  if (current) {
    if (current.revision < max) {
      current = { ...current, revision: max + 1 };
      renumber = true;
    }
  } else {
    collision = sorted.some((r) => r.metadata.name === name);
    create = !collision;
    current = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: owner.metadata.namespace,
        labels: { ...(owner.spec.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
        ...(owner.metadata.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
        ownerReferences: [controllerRefTo(owner)],
      },
      data,
      revision: max + 1,
    };
  }
  const limit = owner.spec.revisionHistoryLimit ?? 10;
  const old = sorted.filter((r) => r.metadata.name !== current.metadata.name && !inUse.has(r.metadata.name!));
  const keep = sorted.length + (create ? 1 : 0) - limit;
  const del = keep > 0 ? old.slice(0, keep) : [];
  return { current, create, renumber, delete: del, collision };
}

/** The hash a revision stands for (its label; the name's suffix for revisions made elsewhere). */
export function revisionHash(r: ControllerRevision, ownerName: string): string {
  return r.metadata.labels?.[REVISION_HASH_LABEL] ?? r.metadata.name!.slice(ownerName.length + 1);
}

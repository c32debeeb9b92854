/**
 * What the workload controllers share, pure: which objects an owner claims
 * (kube's ControllerRefManager: keep, adopt orphans its selector matches,
 * release what it no longer matches), pods made from a template, and the
 * template hash that names revisions (pod-template-hash,
 * controller-revision-hash).
 */
import type { KObject, OwnerReference } from '../api/meta.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelectorObject } from '../api/selectors/index.js';
import { semanticJson } from './canonical.js';
import { controllerRefOf, controllerRefTo, type PodTemplate } from './workload-types.js';

interface ClaimPlan<T> {
  /** Ours, and the selector still matches. */
  owned: T[];
  /** Orphans the selector matches: take them (then they are ours). */
  adopt: T[];
  /** Ours, but the selector no longer matches: let them go. */
  release: T[];
}

/** A selector as a predicate on labels; null or undefined selects nothing, {} everything. */
export function selectorPredicate(
  sel: LabelSelectorObject | undefined,
): (labels: Record<string, string> | undefined) => boolean {
  let parsed: ReturnType<typeof labelSelectorFromObject>;
  try {
    parsed = labelSelectorFromObject(sel);
  } catch {
    return () => false;
  }
  if (parsed === 'nothing') return () => false;
  return (labels) => matchesLabels(parsed, labels);
}

/**
 * kube's ClaimObjects for one owner over the objects of its namespace. An
 * owner being deleted adopts and releases nothing; objects being deleted
 * are never adopted; objects another controller owns are left alone.
 */
export function planClaims<T extends KObject>(owner: KObject, candidates: readonly T[]): ClaimPlan<T> {
  const matches = selectorPredicate((owner.spec as { selector?: LabelSelectorObject } | undefined)?.selector);
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  const plan: ClaimPlan<T> = { owned: [], adopt: [], release: [] };
  for (const o of candidates) {
    if (o.metadata.namespace !== owner.metadata.namespace) continue;
    const ref = controllerRefOf(o);
    const match = matches(o.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (match) plan.owned.push(o);
      else if (!ownerDeleting) plan.release.push(o);
      continue;
    }
    if (ownerDeleting || !match || o.metadata.deletionTimestamp) continue;
    plan.adopt.push(o);
  }
  return plan;
}

/** The strategic merge patch that makes `owner` the controller of an orphan (uid pins the object). */
export function adoptPatch(owner: KObject, o: KObject): object {
  return { metadata: { ownerReferences: [controllerRefTo(owner)], uid: o.metadata.uid } };
}

/** The merge patch that drops `owner` from an object's ownerReferences (uid pins the object). */
export function releasePatch(owner: KObject, o: KObject): object {
  const rest: OwnerReference[] = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
  return { metadata: { ownerReferences: rest.length ? rest : null, uid: o.metadata.uid } };
}

/**
 * A pod for `owner` from its template (kube's GetPodFromTemplate): the
 * template's labels (plus `extraLabels`), annotations and finalizers, the
 * owner as controller, `generateName` "<owner>-" unless a name is given.
 */
export function podFromTemplate(
  template: PodTemplate | undefined,
  owner: KObject,
  opts: {
    name?: string;
    generateName?: string;
    extraLabels?: Record<string, string>;
    spec?: Record<string, unknown>;
  } = {},
): KObject {
  const md = template?.metadata ?? {};
  const labels = { ...(md.labels ?? {}), ...(opts.extraLabels ?? {}) };
  const metadata: KObject['metadata'] = {
    namespace: owner.metadata.namespace,
    labels,
    ownerReferences: [controllerRefTo(owner)],
  };
  if (opts.name) metadata.name = opts.name;
  else metadata.generateName = opts.generateName ?? `${owner.metadata.name}-`;
  if (md.annotations && Object.keys(md.annotations).length) metadata.annotations = { ...md.annotations };
  if (md.finalizers?.length) metadata.finalizers = [...md.finalizers];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: { ...structuredClone(template?.spec ?? {}), ...(opts.spec ?? {}) },
  };
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** 32-bit FNV-1a of a string's UTF-8 bytes. */
function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The hash that names a template's revision, as kube's ComputeHash shapes
 * it: FNV-1a of the template (and the collision count, when set), its
 * decimal digits spelled in the alphabet without vowels (rand.SafeEncodeString).
 */
export function templateHash(template: PodTemplate | undefined, collisionCount?: number): string {
  let s = semanticJson(template ?? {});
  if (collisionCount) s += `#${collisionCount}`;
  return [...String(fnv32a(s))].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

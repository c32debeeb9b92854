/**
 * RBAC's matching, as kube's rbac authorizer and its escalation check do
 * it: whether a rule allows a request, and whether a set of rules covers
 * another rule (every verb × group × resource × name it grants).
 */
import type { Attributes, PolicyRule } from './types.js';

const has = (list: readonly string[] | undefined, v: string): boolean =>
  list !== undefined && (list.includes('*') || list.includes(v));

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

function urlMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** Whether one rule allows the request (RuleAllows). */
export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.kind === 'nonresource') return urlMatches(rule, a.path);
  if (!has(rule.apiGroups, a.apiGroup)) return false;
  if (!resourceMatches(rule, a.resource, a.subresource)) return false;
  const names = rule.resourceNames;
  return !names || names.length === 0 || names.includes(a.name);
}

/** One verb on one group/resource/name, or one verb on one URL: the unit the escalation check compares. */
function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of rule.verbs) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        if (rule.resourceNames?.length) {
          for (const name of rule.resourceNames)
            out.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name] });
        } else out.push({ verbs: [verb], apiGroups: [group], resources: [resource] });
      }
    }
    for (const url of rule.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
  }
  return out;
}

function resourceCovers(owner: PolicyRule, requested: string): boolean {
  const list = owner.resources ?? [];
  if (list.includes('*') || list.includes(requested)) return true;
  const slash = requested.indexOf('/');
  return slash >= 0 && list.includes(`*${requested.slice(slash)}`);
}

function urlCovers(owner: PolicyRule, requested: string): boolean {
  for (const u of owner.nonResourceURLs ?? []) {
    if (u === '*' || u === requested) return true;
    if (u.endsWith('*') && requested.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** Whether `owner` grants everything the single-verb, single-target `sub` does. */
function covers(owner: PolicyRule, sub: PolicyRule): boolean {
  if (!has(owner.verbs, sub.verbs[0]!)) return false;
  if (sub.nonResourceURLs) return urlCovers(owner, sub.nonResourceURLs[0]!);
  if (!has(owner.apiGroups, sub.apiGroups![0]!)) return false;
  if (!resourceCovers(owner, sub.resources![0]!)) return false;
  if (!owner.resourceNames?.length) return true;
  return !!sub.resourceNames?.length && owner.resourceNames.includes(sub.resourceNames[0]!);
}

/**
 * The parts of `requested` that `owned` does not grant (empty: covered),
 * each as a single-verb rule, for kube's escalation message.
 */
export function uncovered(owned: readonly PolicyRule[], requested: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of requested) {
    for (const sub of breakdown(rule)) if (!owned.some((o) => covers(o, sub))) missing.push(sub);
  }
  return missing;
}

/** A rule as kube prints it in escalation errors: {APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}. */
export function describeRule(r: PolicyRule): string {
  const q = (l: string[]) => `[${l.map((x) => JSON.stringify(x)).join(' ')}]`;
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${q(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${q(r.resources)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${q(r.nonResourceURLs)}`);
  parts.push(`Verbs:${q(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

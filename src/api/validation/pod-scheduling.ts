/**
 * Pod rules for the scheduler's inputs (core validation.go validateAffinity's
 * pod affinity parts and validateTopologySpreadConstraints), with kube's
 * messages.
 */
import type { FieldError } from '../errors.js';
import { isDNS1123Label, isQualifiedName } from './formats.js';
import {
  arr,
  duplicate,
  forbidden,
  invalid,
  invalidEach,
  notSupported,
  num,
  obj,
  required,
  str,
  type Obj,
} from './field.js';
import { validateLabelSelector } from './label-selector.js';

const notPositive = 'must be greater than zero';
const actions = ['DoNotSchedule', 'ScheduleAnyway'];
const inclusionPolicies = ['Honor', 'Ignore'];

function validateTopologyKey(key: string, path: string): FieldError[] {
  if (!key) return [required(path, 'can not be empty')];
  return invalidEach(path, key, isQualifiedName(key));
}

function validatePodAffinityTerm(t: Obj, path: string): FieldError[] {
  const errs = validateLabelSelector(t.labelSelector, `${path}.labelSelector`);
  errs.push(...validateLabelSelector(t.namespaceSelector, `${path}.namespaceSelector`));
  for (const ns of arr(t.namespaces).map(str)) errs.push(...invalidEach(`${path}.namespace`, ns, isDNS1123Label(ns)));
  errs.push(...validateTopologyKey(str(t.topologyKey), `${path}.topologyKey`));
  return errs;
}

/** spec.affinity.podAffinity and spec.affinity.podAntiAffinity. */
export function validatePodAffinities(affinity: Obj): FieldError[] {
  const errs: FieldError[] = [];
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = obj(affinity[kind]);
    const base = `spec.affinity.${kind}`;
    arr(a.requiredDuringSchedulingIgnoredDuringExecution)
      .map(obj)
      .forEach((t, i) =>
        errs.push(...validatePodAffinityTerm(t, `${base}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)),
      );
    arr(a.preferredDuringSchedulingIgnoredDuringExecution)
      .map(obj)
      .forEach((w, i) => {
        const at = `${base}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
        const weight = num(w.weight) ?? 0;
        if (weight <= 0 || weight > 100) errs.push(invalid(`${at}.weight`, weight, 'must be in the range 1-100'));
        errs.push(...validatePodAffinityTerm(obj(w.podAffinityTerm), `${at}.podAffinityTerm`));
      });
  }
  return errs;
}

function labelSelectorKeys(sel: Obj): Set<string> {
  const keys = new Set(Object.keys(obj(sel.matchLabels)));
  for (const e of arr(sel.matchExpressions).map(obj)) keys.add(str(e.key));
  return keys;
}

/** spec.topologySpreadConstraints. */
export function validateTopologySpreadConstraints(constraints: Obj[]): FieldError[] {
  const errs: FieldError[] = [];
  constraints.forEach((c, i) => {
    const at = `spec.topologySpreadConstraints[${i}]`;
    const maxSkew = num(c.maxSkew) ?? 0;
    if (maxSkew <= 0) errs.push(invalid(`${at}.maxSkew`, maxSkew, notPositive));
    const key = str(c.topologyKey);
    errs.push(...validateTopologyKey(key, `${at}.topologyKey`));
    const action = str(c.whenUnsatisfiable);
    if (!actions.includes(action)) errs.push(notSupported(`${at}.whenUnsatisfiable`, action, actions));
    // {topologyKey, whenUnsatisfiable} names one constraint; kube reports the first of a repeated pair.
    if (constraints.slice(i + 1).some((o) => str(o.topologyKey) === key && str(o.whenUnsatisfiable) === action))
      errs.push(duplicate(`${at}.{topologyKey, whenUnsatisfiable}`, `{${key}, ${action}}`));
    const minDomains = num(c.minDomains);
    if (minDomains !== undefined) {
      if (minDomains <= 0) errs.push(invalid(`${at}.minDomains`, minDomains, notPositive));
      if (action !== 'DoNotSchedule')
        errs.push(
          invalid(
            `${at}.minDomains`,
            minDomains,
            `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${action}`,
          ),
        );
    }
    for (const policy of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      const v = c[policy];
      if (v !== undefined && v !== null && !inclusionPolicies.includes(str(v)))
        errs.push(notSupported(`${at}.${policy}`, str(v), inclusionPolicies));
    }
    const matchLabelKeys = arr(c.matchLabelKeys).map(str);
    if (matchLabelKeys.length > 0) {
      const selector = c.labelSelector;
      if (selector === undefined || selector === null)
        errs.push(forbidden(`${at}.matchLabelKeys`, 'must not be specified when labelSelector is not set'));
      const inSelector = labelSelectorKeys(obj(selector));
      matchLabelKeys.forEach((k, j) => {
        errs.push(...invalidEach(`${at}.matchLabelKeys[${j}]`, k, isQualifiedName(k)));
        if (inSelector.has(k))
          errs.push(invalid(`${at}.matchLabelKeys[${j}]`, k, 'exists in both matchLabelKeys and labelSelector'));
      });
    }
    errs.push(...validateLabelSelector(c.labelSelector, `${at}.labelSelector`));
  });
  return errs;
}

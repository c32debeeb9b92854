/** Label selectors: parsed from ?labelSelector=, built from spec selectors, matched against labels. */
import { errors } from '../errors.js';
import { parseRequirements, type Operator, type Requirement } from './label-parser.js';

export type { Operator, Requirement };
/** A conjunction of requirements; an empty list selects everything. */
export interface LabelSelector {
  requirements: Requirement[];
}

/** Parse a label selector string (=, ==, !=, in, notin, key, !key, gt, lt). Throws ApiError 400 with Kubernetes' message. */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return { requirements: parseRequirements(s) };
  } catch (e) {
    throw errors.badRequest((e as Error).message);
  }
}

function matchesRequirement(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^[+-]?\d+$/.test(value!)) return false;
      const l = Number(value),
        v = Number(r.values[0]);
      return r.operator === 'gt' ? l > v : l < v;
    }
  }
}

/** True when every requirement holds for these labels. */
export function matchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  return sel.requirements.every((r) => matchesRequirement(r, labels ?? {}));
}

/** A Service-style map selector: every key equals its value. An empty map selects everything. */
export function selectorFromSet(set: Record<string, string> | undefined): LabelSelector {
  return {
    requirements: Object.keys(set ?? {})
      .sort()
      .map((key) => ({ key, operator: '=' as const, values: [set![key]!] })),
  };
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/**
 * metav1.LabelSelectorAsSelector: a spec selector (matchLabels + matchExpressions)
 * as a LabelSelector. `null`/undefined selects nothing; `{}` selects everything.
 * Throws ApiError 400 for an operator Kubernetes does not know.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector | 'nothing' {
  if (sel === null || sel === undefined) return 'nothing';
  const reqs: Requirement[] = selectorFromSet(sel.matchLabels).requirements;
  const ops: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
  for (const e of sel.matchExpressions ?? []) {
    const op = ops[e.operator];
    if (!op) throw errors.badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push({ key: e.key, operator: op, values: [...(e.values ?? [])].sort() });
  }
  return { requirements: reqs };
}

/** Canonical string form, as labels.Selector.String() prints it. */
export function labelSelectorString(sel: LabelSelector): string {
  return sel.requirements
    .map((r) => {
      switch (r.operator) {
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.operator} (${r.values.join(',')})`;
        case 'gt':
          return `${r.key}>${r.values[0]}`;
        case 'lt':
          return `${r.key}<${r.values[0]}`;
        default:
          return `${r.key}${r.operator}${r.values[0]}`;
      }
    })
    .join(',');
}

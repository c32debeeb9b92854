/** Field selectors: ?fieldSelector= parsing and the fields each resource exposes to it, as kube-apiserver does. */
import { errors } from '../errors.js';
import type { KObject } from '../meta.js';
import type { ResourceInfo } from '../resources.js';

interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}
interface FieldSelector {
  requirements: FieldRequirement[];
}

function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0,
    slash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (slash) slash = false;
    else if (c === '\\') slash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function unescape(v: string): string {
  let out = '',
    slash = false;
  for (const c of v) {
    if (slash) {
      if (c !== '\\' && c !== ',' && c !== '=')
        throw errors.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      slash = false;
    } else if (c === '\\') slash = true;
    else if (c === ',' || c === '=')
      throw errors.badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (slash) throw errors.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Parse `a=b,c!=d` (also `==`); throws ApiError 400 with Kubernetes' message. Does not check field support (see fieldSelectorFor). */
export function parseFieldSelector(s: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort()) {
    if (part === '') continue;
    let found: [string, string, string] | undefined;
    for (let i = 0; i < part.length && !found; i++) {
      for (const op of ['!=', '==', '=']) {
        if (part.startsWith(op, i)) {
          found = [part.slice(0, i), op, part.slice(i + op.length)];
          break;
        }
      }
    }
    if (!found) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const [field, op, rhs] = found;
    reqs.push({ field, operator: op === '!=' ? '!=' : '=', value: unescape(rhs) });
  }
  return { requirements: reqs };
}

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const s = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Extra selectable fields per group/resource (pkg/registry/.../strategy.go ToSelectableFields). */
const extraFields: Record<string, (obj: KObject) => Record<string, string>> = {
  '/pods': (p) => {
    const spec = o(p.spec),
      status = o(p.status);
    const podIPs = Array.isArray(status.podIPs) ? status.podIPs : [];
    return {
      'spec.nodeName': s(spec.nodeName),
      'spec.restartPolicy': s(spec.restartPolicy),
      'spec.schedulerName': s(spec.schedulerName),
      'spec.serviceAccountName': s(spec.serviceAccountName),
      'spec.hostNetwork': String(spec.hostNetwork === true),
      'status.phase': s(status.phase),
      'status.podIP': podIPs.length ? s(o(podIPs[0]).ip) : s(status.podIP),
      'status.nominatedNodeName': s(status.nominatedNodeName),
    };
  },
  '/events': (e) => {
    const io = o(e.involvedObject);
    return {
      'involvedObject.kind': s(io.kind),
      'involvedObject.namespace': s(io.namespace),
      'involvedObject.name': s(io.name),
      'involvedObject.uid': s(io.uid),
      'involvedObject.apiVersion': s(io.apiVersion),
      'involvedObject.resourceVersion': s(io.resourceVersion),
      'involvedObject.fieldPath': s(io.fieldPath),
      reason: s(e.reason),
      reportingComponent: s(e.reportingComponent),
      source: s(o(e.source).component),
      type: s(e.type),
    };
  },
  '/secrets': (x) => ({ type: s(x.type) }),
  '/namespaces': (n) => ({ 'status.phase': s(o(n.status).phase) }),
  '/nodes': (n) => ({ 'spec.unschedulable': String(o(n.spec).unschedulable === true) }),
  // Selectable since 1.31 so kube-proxy can skip headless services server-side.
  '/services': (x) => ({ 'spec.clusterIP': s(o(x.spec).clusterIP), 'spec.type': s(o(x.spec).type) }),
};

/** The selectable fields of one object, as kube-apiserver computes them for field selectors. */
export function fieldsFor(ri: ResourceInfo, obj: KObject): Record<string, string> {
  const base: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (ri.namespaced) base['metadata.namespace'] = obj.metadata.namespace ?? '';
  return { ...base, ...(extraFields[`${ri.group}/${ri.resource}`]?.(obj) ?? {}) };
}

/** Field names a resource accepts in a field selector. */
function supportedFields(ri: ResourceInfo): string[] {
  const sample = fieldsFor(ri, { apiVersion: '', kind: '', metadata: {} });
  return [...new Set(['metadata.name', 'metadata.namespace', ...Object.keys(sample)])];
}

/** Parse and check a field selector for a resource: unsupported fields are the 400 `field label not supported: <f>`. */
export function fieldSelectorFor(ri: ResourceInfo, selector: string): FieldSelector {
  const sel = parseFieldSelector(selector);
  const ok = new Set(supportedFields(ri));
  for (const r of sel.requirements)
    if (!ok.has(r.field)) throw errors.badRequest(`field label not supported: ${r.field}`);
  return sel;
}

/** True when the object's fields satisfy every requirement. */
export function matchesFields(sel: FieldSelector, fields: Record<string, string>): boolean {
  return sel.requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
}

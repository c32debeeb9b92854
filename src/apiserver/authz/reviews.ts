/**
 * The review resources: questions answered on create and never stored.
 * SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview
 * (`kubectl auth can-i --list`), SubjectAccessReview and its namespaced
 * LocalSubjectAccessReview (may X do Y?), TokenReview (whose token is
 * this?) and SelfSubjectReview (`kubectl auth whoami`).
 */
import { errors, type FieldError } from '../../api/errors.js';
import type { KObject } from '../../api/meta.js';
import { groupVersion } from '../../api/resources.js';
import { decodeBody } from '../http/body.js';
import { jsonReply, type Reply } from '../http/reply.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceRequest } from '../request-info.js';
import { PRIVILEGED_GROUP } from './authorizer.js';
import { nodeRules } from './bootstrap-policy.js';
import { nodeNameOf } from './node-authorizer.js';
import type { RbacIndex } from './rbac-index.js';
import type { Attributes, Authorizer, PolicyRule, UserInfo } from './types.js';

export interface ReviewDeps {
  registry: Registry;
  authorizer: Authorizer;
  rbac(): RbacIndex;
  /** The user a token names, or why it names none. */
  authenticate(token: string): Promise<{ user: UserInfo } | { error: string }>;
}

interface ResourceAttributesSpec {
  namespace?: string;
  verb?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}
interface AccessSpec {
  resourceAttributes?: ResourceAttributesSpec;
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export async function reviewReply(
  d: ReviewDeps,
  req: ResourceRequest,
  user: UserInfo,
  headers: Record<string, string | undefined>,
  body: string,
): Promise<Reply> {
  const { ri } = req;
  if (req.verb !== 'create' || req.name || req.subresource)
    throw errors.methodNotAllowed(req.verb, { group: ri.group, resource: ri.resource });
  const raw = body.trim() ? decodeBody(body, headers['content-type']) : { apiVersion: groupVersion(ri), kind: ri.kind };
  const obj = d.registry.decodeBody(ri, raw as KObject, { fieldValidation: 'Strict', warnings: [] });
  const spec = (obj.spec ?? {}) as AccessSpec & { namespace?: string; token?: string; audiences?: string[] };
  const invalid = (errs: FieldError[]) =>
    errors.invalid({ group: ri.group, kind: ri.kind }, obj.metadata.name ?? '', errs);
  let status: Record<string, unknown>;
  switch (ri.resource) {
    case 'selfsubjectaccessreviews':
      status = access(d, user, spec, invalid);
      break;
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      if (!spec.user && !spec.groups?.length)
        throw invalid([
          { type: 'FieldValueRequired', field: 'spec.user', detail: 'at least one of user or group must be specified' },
        ]);
      if (ri.namespaced && spec.resourceAttributes?.namespace !== req.namespace)
        throw invalid([
          {
            type: 'FieldValueInvalid',
            field: 'spec.resourceAttributes.namespace',
            value: spec.resourceAttributes?.namespace ?? '',
            detail: `must match namespace: ${req.namespace}`,
          },
        ]);
      status = access(d, { name: spec.user ?? '', groups: spec.groups ?? [] }, spec, invalid);
      break;
    }
    case 'selfsubjectrulesreviews':
      status = rulesReview(d, user, spec.namespace ?? '');
      break;
    case 'tokenreviews': {
      if (!spec.token) throw invalid([{ type: 'FieldValueRequired', field: 'spec.token', detail: '' }]);
      const who = await d.authenticate(spec.token);
      status =
        'user' in who
          ? { authenticated: true, user: userInfoOf(who.user), audiences: spec.audiences }
          : { authenticated: false, error: who.error };
      break;
    }
    case 'selfsubjectreviews':
      status = { userInfo: userInfoOf(user) };
      break;
    default:
      throw errors.resourceNotFound();
  }
  const metadata = { ...obj.metadata, creationTimestamp: null };
  return jsonReply(201, { kind: ri.kind, apiVersion: groupVersion(ri), metadata, spec: obj.spec, status });
}

/** authentication.k8s.io/v1 UserInfo. */
function userInfoOf(u: UserInfo): Record<string, unknown> {
  return {
    username: u.name,
    ...(u.uid ? { uid: u.uid } : {}),
    groups: u.groups,
    ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}),
  };
}

function access(
  d: ReviewDeps,
  user: UserInfo,
  spec: AccessSpec,
  invalid: (errs: FieldError[]) => Error,
): Record<string, unknown> {
  const r = spec.resourceAttributes,
    n = spec.nonResourceAttributes;
  if (!r === !n)
    throw invalid([
      {
        type: 'FieldValueInvalid',
        field: 'spec.resourceAttributes',
        value: JSON.stringify(r ?? null),
        detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      },
    ]);
  const a: Attributes = r
    ? {
        kind: 'resource',
        user,
        verb: r.verb ?? '',
        apiGroup: r.group ?? '',
        resource: r.resource ?? '',
        subresource: r.subresource ?? '',
        namespace: r.namespace ?? '',
        name: r.name ?? '',
      }
    : { kind: 'nonresource', user, verb: n!.verb ?? '', path: n!.path ?? '' };
  const res = d.authorizer.authorize(a);
  const out: Record<string, unknown> = { allowed: res.decision === 'allow' };
  if (res.decision === 'deny') out['denied'] = true;
  if (res.reason) out['reason'] = res.reason;
  return out;
}

/** Every rule the user holds in a namespace, from each authorizer that can list its rules. */
function rulesReview(d: ReviewDeps, user: UserInfo, namespace: string): Record<string, unknown> {
  let rules: PolicyRule[] = [];
  let incomplete = false;
  if (user.groups.includes(PRIVILEGED_GROUP)) {
    rules.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] });
  }
  if (nodeNameOf(user)) {
    // The Node authorizer also narrows some of these to the node's own objects: not all of it is a rule.
    rules.push(...nodeRules);
    incomplete = true;
  }
  rules = [...rules, ...d.rbac().rulesFor(user, namespace)];
  const resourceRules = rules
    .filter((r) => !r.nonResourceURLs?.length)
    .map((r) => ({
      verbs: r.verbs,
      apiGroups: r.apiGroups ?? [],
      resources: r.resources ?? [],
      ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
    }));
  const nonResourceRules = rules
    .filter((r) => r.nonResourceURLs?.length)
    .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  return { resourceRules, nonResourceRules, incomplete };
}

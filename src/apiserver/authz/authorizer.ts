/**
 * The API server's authorization chain, in kube's order: the privileged
 * group system:masters, the Node authorizer, RBAC; the first that allows
 * or denies decides, and nothing allowing is a denial. Also: a request's
 * attributes, and kube's 403 for a denial.
 */
import { ApiError } from '../../api/errors.js';
import type { RequestInfo, ResourceRequest } from '../request-info.js';
import type { Attributes, Authorizer, AuthorizerResult, UserInfo } from './types.js';

export const PRIVILEGED_GROUP = 'system:masters';

export class UnionAuthorizer implements Authorizer {
  constructor(private readonly chain: readonly Authorizer[]) {}

  authorize(a: Attributes): AuthorizerResult {
    if (a.user.groups.includes(PRIVILEGED_GROUP)) return { decision: 'allow', reason: '' };
    const reasons: string[] = [];
    for (const z of this.chain) {
      const r = z.authorize(a);
      if (r.decision !== 'no-opinion') return r;
      if (r.reason) reasons.push(r.reason);
    }
    return { decision: 'deny', reason: reasons.join(', ') };
  }
}

/** Streaming subresources whose websocket GET kube authorizes as create (exec/attach/portforward). */
const CREATE_ON_CONNECT = new Set(['exec', 'attach', 'portforward']);

/** What a request asks, as the authorizers see it (kube's RequestInfo turned into authorizer attributes). */
export function attributesOf(
  user: UserInfo,
  method: string,
  path: string,
  info: RequestInfo,
  query: URLSearchParams,
): Attributes {
  if (info.kind !== 'resource') {
    const verb =
      { GET: 'get', HEAD: 'get', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'delete' }[method] ??
      method.toLowerCase();
    return { kind: 'nonresource', user, verb, path };
  }
  return resourceAttributes(user, info, query);
}

export function resourceAttributes(user: UserInfo, info: ResourceRequest, query?: URLSearchParams): Attributes {
  let verb: string = info.verb;
  if (verb === 'connect') verb = CREATE_ON_CONNECT.has(info.subresource ?? '') ? 'create' : 'get';
  let name = info.name ?? '';
  // A list or watch of one object by metadata.name is authorized as that object (kube's RequestInfo does this).
  if (!name && (verb === 'list' || verb === 'watch') && query) {
    const m = /(?:^|,)metadata\.name==?([^,]+)(?:,|$)/.exec(query.get('fieldSelector') ?? '');
    if (m) name = m[1]!;
  }
  return {
    kind: 'resource',
    user,
    verb,
    apiGroup: info.ri.group,
    resource: info.ri.resource,
    subresource: info.subresource ?? '',
    namespace: info.namespace ?? '',
    name,
    ...(query?.has('fieldSelector') ? { fieldSelector: query.get('fieldSelector')! } : {}),
  };
}

/** kube's 403 for a denied request: `pods "x" is forbidden: User "u" cannot get resource "pods" in API group "" in the namespace "ns"`. */
export function forbidden(a: Attributes, reason: string): ApiError {
  if (a.kind === 'nonresource') {
    const msg = `forbidden: User "${a.user.name}" cannot ${a.verb} path "${a.path}"${reason ? `: ${reason}` : ''}`;
    return new ApiError(403, 'Forbidden', msg, {});
  }
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const why = `User "${a.user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}${reason ? `: ${reason}` : ''}`;
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, {
    ...(a.name ? { name: a.name } : {}),
    ...(a.apiGroup ? { group: a.apiGroup } : {}),
    kind: a.resource,
  });
}

/** Throws kube's 403 unless the chain allows. */
export function authorizeOrThrow(z: Authorizer, a: Attributes): void {
  const r = z.authorize(a);
  if (r.decision !== 'allow') throw forbidden(a, r.reason);
}

/**
 * RBAC's escalation check (kube's rbac registry): a user may write a role
 * only with rules they already hold (or the `escalate` verb on roles), and
 * a binding only to a role whose rules they hold (or the `bind` verb on
 * it). Otherwise RBAC would let anyone who may edit roles grant themselves
 * anything.
 */
import { ApiError } from '../../api/errors.js';
import type { KObject } from '../../api/meta.js';
import type { ResourceInfo } from '../../api/resources.js';
import { PRIVILEGED_GROUP } from './authorizer.js';
import type { RbacIndex } from './rbac-index.js';
import { describeRule, uncovered } from './rules.js';
import {
  RBAC_GROUP,
  type Authorizer,
  type BindingObject,
  type PolicyRule,
  type RoleObject,
  type UserInfo,
} from './types.js';

interface EscalationDeps {
  authorizer: Authorizer;
  rbac(): RbacIndex;
  /** The rules of a role a binding refers to (undefined: no such role). */
  roleRules(kind: string, namespace: string, name: string): PolicyRule[] | undefined;
}

function refuse(ri: ResourceInfo, name: string, message: string): ApiError {
  return new ApiError(403, 'Forbidden', `${ri.resource}.${RBAC_GROUP} "${name}" is forbidden: ${message}`, {
    name,
    group: RBAC_GROUP,
    kind: ri.resource,
  });
}

function allowed(
  d: EscalationDeps,
  user: UserInfo,
  verb: string,
  resource: string,
  namespace: string,
  name: string,
): boolean {
  const a = { kind: 'resource' as const, user, verb, apiGroup: RBAC_GROUP, resource, subresource: '', namespace, name };
  return d.authorizer.authorize(a).decision === 'allow';
}

function notHeld(user: UserInfo, missing: PolicyRule[]): string {
  return (
    `user "${user.name}" (groups=${JSON.stringify(user.groups)}) is attempting to grant RBAC permissions not currently held:\n` +
    missing.map(describeRule).join('\n')
  );
}

/** Refuses a Role/ClusterRole or binding write that would grant what its author does not hold. */
export function checkEscalation(d: EscalationDeps, ri: ResourceInfo, obj: KObject, user: UserInfo | undefined): void {
  if (!user || user.groups.includes(PRIVILEGED_GROUP)) return;
  const namespace = ri.namespaced ? (obj.metadata.namespace ?? '') : '';
  const name = obj.metadata.name ?? '';
  if (ri.resource === 'roles' || ri.resource === 'clusterroles') {
    const role = obj as unknown as RoleObject;
    if (allowed(d, user, 'escalate', ri.resource, namespace, name)) return;
    if (role.aggregationRule) throw refuse(ri, name, 'must have cluster-admin privileges to use the aggregationRule');
    const missing = uncovered(d.rbac().rulesFor(user, namespace), role.rules ?? []);
    if (missing.length) throw refuse(ri, name, notHeld(user, missing));
    return;
  }
  if (ri.resource === 'rolebindings' || ri.resource === 'clusterrolebindings') {
    const ref = (obj as unknown as BindingObject).roleRef;
    const refResource = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
    if (allowed(d, user, 'bind', refResource, ref.kind === 'ClusterRole' ? namespace : namespace, ref.name)) return;
    const rules = d.roleRules(ref.kind, namespace, ref.name);
    if (!rules) throw refuse(ri, name, `${refResource}.${RBAC_GROUP} "${ref.name}" not found`);
    const missing = uncovered(d.rbac().rulesFor(user, namespace), rules);
    if (missing.length) throw refuse(ri, name, notHeld(user, missing));
  }
}

/**
 * RBAC's answer computed ahead: every binding resolved to its role's rules
 * and filed under its subjects, so a request looks at the rules of its own
 * user and groups only. Built from the four RBAC kinds (pure); the
 * authorizer rebuilds it when one of them changes.
 */
import { ruleAllows } from './rules.js';
import {
  RBAC_GROUP,
  serviceAccountUser,
  type Attributes,
  type AuthorizerResult,
  type BindingObject,
  type PolicyRule,
  type RoleObject,
  type UserInfo,
} from './types.js';

interface RbacObjects {
  clusterRoles: readonly RoleObject[];
  roles: readonly RoleObject[];
  clusterRoleBindings: readonly BindingObject[];
  roleBindings: readonly BindingObject[];
}

/** Rules granted cluster-wide ('' namespace) or in one namespace. */
interface Grant {
  namespace: string;
  rules: readonly PolicyRule[];
}

/** One subject's rules, merged over its user and groups. */
interface Compiled {
  cluster: PolicyRule[];
  byNamespace: Map<string, PolicyRule[]>;
}

const MAX_COMPILED = 10_000;

export class RbacIndex {
  private readonly byUser = new Map<string, Grant[]>();
  private readonly byGroup = new Map<string, Grant[]>();
  private readonly compiled = new Map<string, Compiled>();

  constructor(objects: RbacObjects) {
    const clusterRoles = new Map<string, readonly PolicyRule[]>();
    for (const r of objects.clusterRoles) clusterRoles.set(r.metadata.name!, r.rules ?? []);
    const roles = new Map<string, readonly PolicyRule[]>();
    for (const r of objects.roles) roles.set(`${r.metadata.namespace}/${r.metadata.name}`, r.rules ?? []);

    for (const b of objects.clusterRoleBindings) {
      if (b.roleRef?.kind !== 'ClusterRole' || b.roleRef.apiGroup !== RBAC_GROUP) continue;
      const rules = clusterRoles.get(b.roleRef.name);
      if (rules) this.file(b, '', rules);
    }
    for (const b of objects.roleBindings) {
      const ns = b.metadata.namespace!;
      if (b.roleRef?.apiGroup !== RBAC_GROUP) continue;
      const rules =
        b.roleRef.kind === 'ClusterRole'
          ? clusterRoles.get(b.roleRef.name)
          : b.roleRef.kind === 'Role'
            ? roles.get(`${ns}/${b.roleRef.name}`)
            : undefined;
      if (rules) this.file(b, ns, rules);
    }
  }

  private file(b: BindingObject, namespace: string, rules: readonly PolicyRule[]): void {
    for (const s of b.subjects ?? []) {
      let map: Map<string, Grant[]>;
      let name: string;
      if (s.kind === 'User' && s.apiGroup === RBAC_GROUP) [map, name] = [this.byUser, s.name];
      else if (s.kind === 'Group' && s.apiGroup === RBAC_GROUP) [map, name] = [this.byGroup, s.name];
      else if (s.kind === 'ServiceAccount' && !s.apiGroup)
        [map, name] = [this.byUser, serviceAccountUser(s.namespace || b.metadata.namespace || '', s.name)];
      else continue;
      let list = map.get(name);
      if (!list) map.set(name, (list = []));
      list.push({ namespace, rules });
    }
  }

  private compile(user: UserInfo): Compiled {
    const key = user.groups.length ? `${user.name}\0${user.groups.join('\0')}` : user.name;
    let c = this.compiled.get(key);
    if (c) return c;
    c = { cluster: [], byNamespace: new Map() };
    const grants = [...(this.byUser.get(user.name) ?? [])];
    for (const g of user.groups) grants.push(...(this.byGroup.get(g) ?? []));
    for (const g of grants) {
      if (!g.namespace) c.cluster.push(...g.rules);
      else {
        let list = c.byNamespace.get(g.namespace);
        if (!list) c.byNamespace.set(g.namespace, (list = []));
        list.push(...g.rules);
      }
    }
    // A bound on memory against many distinct callers; recompiling is cheap.
    if (this.compiled.size >= MAX_COMPILED) this.compiled.clear();
    this.compiled.set(key, c);
    return c;
  }

  authorize(a: Attributes): AuthorizerResult {
    const c = this.compile(a.user);
    for (const r of c.cluster) if (ruleAllows(a, r)) return { decision: 'allow', reason: '' };
    if (a.kind === 'resource' && a.namespace) {
      for (const r of c.byNamespace.get(a.namespace) ?? [])
        if (ruleAllows(a, r)) return { decision: 'allow', reason: '' };
    }
    return { decision: 'no-opinion', reason: '' };
  }

  /** Every rule the user holds in a namespace (cluster-wide ones included); '' for cluster-wide only. */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    const c = this.compile(user);
    return namespace ? [...c.cluster, ...(c.byNamespace.get(namespace) ?? [])] : [...c.cluster];
  }
}

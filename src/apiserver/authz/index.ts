/**
 * Authorization for the API server, started once with the store: the
 * authorizer chain (system:masters, Node, RBAC), validating admission
 * (RBAC escalation, NodeRestriction), the review resources, the default
 * roles and bindings, and ClusterRole aggregation.
 */
import { ApiError } from '../../api/errors.js';
import type { KObject } from '../../api/meta.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import type { Store } from '../../store/store.js';
import type { Admission, Registry, WriteParams } from '../registry/registry.js';
import { aggregatedRules } from './aggregation.js';
import { UnionAuthorizer } from './authorizer.js';
import {
  AUTOUPDATE_ANNOTATION,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapRoleBindings,
  bootstrapRoles,
} from './bootstrap-policy.js';
import { checkEscalation } from './escalation.js';
import { NodeAuthorizer } from './node-authorizer.js';
import { admitNodeWrite } from './node-restriction.js';
import { RbacAuthorizer } from './rbac-authorizer.js';
import type { RbacIndex } from './rbac-index.js';
import { RBAC_GROUP, type Authorizer, type PolicyRule, type RoleObject } from './types.js';

export { attributesOf, authorizeOrThrow, forbidden, resourceAttributes } from './authorizer.js';
export { reviewReply, type ReviewDeps } from './reviews.js';
export type { Authorizer } from './types.js';

const rbac = (resource: string): ResourceInfo => findResource(RBAC_GROUP, 'v1', resource)!;

export interface Authorization {
  authorizer: Authorizer;
  admission: Admission;
  rbac(): RbacIndex;
  /** Writes the default roles and bindings (after the system namespaces exist). */
  reconcileDefaults(): Promise<void>;
  stop(): void;
}

const serverWrite = (manager: string): WriteParams => ({
  dryRun: false,
  fieldManager: manager,
  fieldValidation: 'Strict',
  warnings: [],
});

export async function startAuthorization(store: Store, registry: Registry): Promise<Authorization> {
  const rbacAuthorizer = await RbacAuthorizer.start(store);
  const nodes = new NodeAuthorizer();
  await nodes.start(store);
  const authorizer = new UnionAuthorizer([nodes, rbacAuthorizer]);
  const roleRules = (kind: string, namespace: string, name: string): PolicyRule[] | undefined => {
    const roles = rbacAuthorizer.list<RoleObject>(kind === 'ClusterRole' ? 'clusterroles' : 'roles');
    const role = roles.find(
      (r) => r.metadata.name === name && (kind === 'ClusterRole' || r.metadata.namespace === namespace),
    );
    return role ? (role.rules ?? []) : undefined;
  };
  const admission: Admission = {
    admit(w) {
      if (w.ri.group === RBAC_GROUP && w.operation !== 'delete' && w.obj)
        checkEscalation({ authorizer, rbac: () => rbacAuthorizer.current(), roleRules }, w.ri, w.obj, w.user);
      admitNodeWrite(w);
    },
  };
  const aggregator = startAggregation(registry, rbacAuthorizer);
  return {
    authorizer,
    admission,
    rbac: () => rbacAuthorizer.current(),
    reconcileDefaults: () => reconcileBootstrapPolicy(registry),
    stop() {
      aggregator.stop();
      rbacAuthorizer.stop();
      nodes.stop();
    },
  };
}

/** Creates the default roles and bindings, and puts back ones changed unless they say autoupdate "false". */
async function reconcileBootstrapPolicy(registry: Registry): Promise<void> {
  const want: [ResourceInfo, readonly KObject[]][] = [
    [rbac('clusterroles'), bootstrapClusterRoles],
    [rbac('clusterrolebindings'), bootstrapClusterRoleBindings],
    [rbac('roles'), bootstrapRoles],
    [rbac('rolebindings'), bootstrapRoleBindings],
  ];
  for (const [ri, objects] of want) {
    for (const obj of objects) {
      const name = obj.metadata.name!;
      let live: KObject | undefined;
      try {
        live = await registry.get(ri, obj.metadata.namespace, name);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
      if (!live) {
        await registry.create(ri, obj.metadata.namespace, obj, serverWrite('kube-apiserver')).catch((e: unknown) => {
          if (!(e instanceof ApiError && e.code === 409)) throw e;
        });
        continue;
      }
      if (live.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') continue;
      const fields = obj.aggregationRule ? ['aggregationRule'] : ['rules', 'aggregationRule', 'roleRef', 'subjects'];
      if (fields.every((f) => JSON.stringify(live[f]) === JSON.stringify(obj[f]))) continue;
      await registry.modify(ri, obj.metadata.namespace, name, serverWrite('kube-apiserver'), (cur) => {
        for (const f of fields) {
          if (obj[f] === undefined) delete cur[f];
          else cur[f] = obj[f];
        }
        return cur;
      });
    }
  }
}

/** Keeps every aggregated ClusterRole's rules equal to the union of the roles it selects; one pass per burst of changes. */
function startAggregation(registry: Registry, rbacAuthorizer: RbacAuthorizer): { stop(): void } {
  let scheduled: NodeJS.Immediate | undefined;
  let running = false;
  let again = false;
  let stopped = false;
  const ri = rbac('clusterroles');
  const pass = async (): Promise<void> => {
    const all = rbacAuthorizer.list<RoleObject>('clusterroles');
    for (const role of all) {
      const want = aggregatedRules(role, all);
      if (!want || JSON.stringify(want) === JSON.stringify(role.rules ?? [])) continue;
      await registry
        .modify(ri, undefined, role.metadata.name!, serverWrite('clusterrole-aggregation-controller'), (cur) => {
          cur['rules'] = want;
          return cur;
        })
        .catch(() => undefined); // deleted meanwhile, or a conflict: the next change brings another pass
    }
  };
  const run = (): void => {
    scheduled = undefined;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    void pass().finally(() => {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    });
  };
  const schedule = (): void => {
    scheduled ??= setImmediate(run);
  };
  rbacAuthorizer.onChange(schedule);
  schedule();
  return {
    stop() {
      stopped = true;
      if (scheduled) clearImmediate(scheduled);
    },
  };
}

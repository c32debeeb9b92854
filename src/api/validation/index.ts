/**
 * Validation of every served kind, as kube-apiserver validates it: call
 * validateCreate before storing a new object and validateUpdate (with the
 * subresource, if any) before storing a change. Each returns Kubernetes'
 * field errors in its order; an empty list means valid. Turn a non-empty
 * list into the 422 with errors.invalid().
 */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import type { ResourceInfo } from '../resources.js';
import * as apps from './apps.js';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './configmap.js';
import { validateEndpoints, validateEndpointsUpdate } from './endpoints.js';
import { validateEndpointSlice, validateEndpointSliceUpdate } from './endpointslice.js';
import { validateEvent, validateEventUpdate } from './event.js';
import {
  validateIngress,
  validateIngressClass,
  validateIngressClassUpdate,
  validateIngressStatusUpdate,
  validateIngressUpdate,
} from './ingress.js';
import { validateLease, validateLeaseUpdate } from './lease.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import {
  validateNamespace,
  validateNamespaceFinalize,
  validateNamespaceStatusUpdate,
  validateNamespaceUpdate,
} from './namespace.js';
import { validateNetworkPolicy, validateNetworkPolicyUpdate } from './networkpolicy.js';
import { validateNode, validateNodeUpdate } from './node.js';
import { validatePodCreate, validatePodStatusUpdate, validatePodUpdate } from './pod.js';
import {
  validateClusterRole,
  validateClusterRoleBinding,
  validateClusterRoleBindingUpdate,
  validateClusterRoleUpdate,
  validateRole,
  validateRoleBinding,
  validateRoleBindingUpdate,
  validateRoleUpdate,
} from './rbac.js';
import { validateService, validateServiceUpdate } from './service.js';
import { validateServiceAccount, validateServiceAccountUpdate } from './serviceaccount.js';
import { nameIsDNSSubdomain } from './formats.js';

type Create = (o: KObject) => FieldError[];
type Update = (o: KObject, old: KObject) => FieldError[];
interface KindRules {
  create: Create;
  update: Update;
  status?: Update;
  [sub: string]: Create | Update | undefined;
}

const rules: Record<string, KindRules> = {
  '/namespaces': {
    create: validateNamespace,
    update: validateNamespaceUpdate,
    status: validateNamespaceStatusUpdate,
    finalize: validateNamespaceFinalize,
  },
  '/pods': { create: validatePodCreate, update: validatePodUpdate, status: validatePodStatusUpdate },
  '/services': { create: validateService, update: validateServiceUpdate, status: validateObjectMetaUpdate },
  '/endpoints': { create: validateEndpoints, update: validateEndpointsUpdate },
  '/nodes': { create: validateNode, update: validateNodeUpdate, status: validateNodeUpdate },
  '/configmaps': { create: validateConfigMap, update: validateConfigMapUpdate },
  '/secrets': { create: validateSecret, update: validateSecretUpdate },
  '/events': { create: validateEvent, update: validateEventUpdate },
  '/serviceaccounts': { create: validateServiceAccount, update: validateServiceAccountUpdate },
  'discovery.k8s.io/endpointslices': { create: validateEndpointSlice, update: validateEndpointSliceUpdate },
  'networking.k8s.io/ingresses': {
    create: validateIngress,
    update: validateIngressUpdate,
    status: validateIngressStatusUpdate,
  },
  'networking.k8s.io/ingressclasses': { create: validateIngressClass, update: validateIngressClassUpdate },
  'networking.k8s.io/networkpolicies': { create: validateNetworkPolicy, update: validateNetworkPolicyUpdate },
  'coordination.k8s.io/leases': { create: validateLease, update: validateLeaseUpdate },
  'apps/deployments': {
    create: apps.validateDeployment,
    update: apps.validateDeploymentUpdate,
    status: apps.validateDeploymentStatusUpdate,
  },
  'apps/replicasets': {
    create: apps.validateReplicaSet,
    update: apps.validateReplicaSetUpdate,
    status: apps.validateReplicaSetStatusUpdate,
  },
  'apps/daemonsets': {
    create: apps.validateDaemonSet,
    update: apps.validateDaemonSetUpdate,
    status: apps.validateDaemonSetStatusUpdate,
  },
  'apps/statefulsets': {
    create: apps.validateStatefulSet,
    update: apps.validateStatefulSetUpdate,
    status: apps.validateStatefulSetStatusUpdate,
  },
  'apps/controllerrevisions': {
    create: apps.validateControllerRevision,
    update: apps.validateControllerRevisionUpdate,
  },
  'rbac.authorization.k8s.io/roles': { create: validateRole, update: validateRoleUpdate },
  'rbac.authorization.k8s.io/clusterroles': { create: validateClusterRole, update: validateClusterRoleUpdate },
  'rbac.authorization.k8s.io/rolebindings': { create: validateRoleBinding, update: validateRoleBindingUpdate },
  'rbac.authorization.k8s.io/clusterrolebindings': {
    create: validateClusterRoleBinding,
    update: validateClusterRoleBindingUpdate,
  },
};

/** Kinds without specific rules still get metadata checks. */
const generic = (ri: ResourceInfo): KindRules => ({
  create: (o) => validateObjectMeta(o, ri.namespaced, nameIsDNSSubdomain),
  update: validateObjectMetaUpdate,
});
const rulesFor = (ri: ResourceInfo): KindRules => rules[`${ri.group}/${ri.resource}`] ?? generic(ri);

/** Errors in a new object (ValidateXxxCreate). Defaults must already be applied. */
export function validateCreate(ri: ResourceInfo, obj: KObject): FieldError[] {
  return rulesFor(ri).create(obj);
}

/**
 * Errors in an update of `old` to `obj`. `subresource` selects the rules
 * Kubernetes applies to that endpoint: "status" (validateStatusUpdate),
 * "finalize" for namespaces; others fall back to the main resource's rules.
 */
export function validateUpdate(ri: ResourceInfo, obj: KObject, old: KObject, subresource?: string): FieldError[] {
  const r = rulesFor(ri);
  if (subresource === 'status') return validateStatusUpdate(ri, obj, old);
  const sub = subresource ? r[subresource] : undefined;
  if (sub) return sub(obj, old);
  if (subresource === 'binding') return validateObjectMetaUpdate(obj, old);
  return r.update(obj, old);
}

/** Errors in a write to the status subresource (metadata identity plus the kind's status rules). */
export function validateStatusUpdate(ri: ResourceInfo, obj: KObject, old: KObject): FieldError[] {
  const r = rulesFor(ri);
  return (r.status ?? r.update)(obj, old);
}

export { validateLabelSelector } from './label-selector.js';
export * as formats from './formats.js';

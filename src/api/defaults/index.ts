/**
 * Defaulting, as kube-apiserver applies it when decoding a write (scheme
 * defaults) plus the always-on admission plugins' additions. Mutates the
 * object in place and is idempotent, so it is safe on create and update.
 * Allocations (clusterIP, nodePort, podCIDR) are not done here.
 */
import type { KObject } from '../meta.js';
import type { ResourceInfo } from '../resources.js';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './apps.js';
import {
  defaultEndpoints,
  defaultEndpointSlice,
  defaultNamespace,
  defaultNetworkPolicy,
  defaultNode,
  defaultSecret,
} from './others.js';
import { defaultPod } from './pod.js';
import { defaultService } from './service.js';

const byResource: Record<string, (o: KObject) => void> = {
  '/namespaces': defaultNamespace,
  '/pods': defaultPod,
  '/services': defaultService,
  '/secrets': defaultSecret,
  '/nodes': defaultNode,
  '/endpoints': defaultEndpoints,
  'discovery.k8s.io/endpointslices': defaultEndpointSlice,
  'networking.k8s.io/networkpolicies': defaultNetworkPolicy,
  'apps/deployments': defaultDeployment,
  'apps/replicasets': defaultReplicaSet,
  'apps/daemonsets': defaultDaemonSet,
  'apps/statefulsets': defaultStatefulSet,
};

export function applyDefaults(ri: ResourceInfo, obj: KObject): void {
  byResource[`${ri.group}/${ri.resource}`]?.(obj);
}

export { defaultPullPolicy } from './pod.js';

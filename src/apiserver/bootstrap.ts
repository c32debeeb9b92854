/**
 * Objects the API server itself keeps (kube's bootstrap controller): the
 * system namespaces, the cluster's shape (kube-system/podnet-config), and
 * the `kubernetes` Service (its endpoints, every live API server, are kept
 * by apiserver-endpoints.ts). Idempotent: run at every start.
 */
import { ApiError } from '../api/errors.js';
import { clusterConfigMap, type ClusterConfig } from '../api/cluster-config.js';
import type { KObject } from '../api/meta.js';
import { findResource, type ResourceInfo } from '../api/resources.js';
import type { Registry, WriteParams } from './registry/registry.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const params = (): WriteParams => ({
  dryRun: false,
  fieldManager: 'kube-apiserver',
  fieldValidation: 'Strict',
  warnings: [],
});
const res = (group: string, resource: string): ResourceInfo => findResource(group, 'v1', resource)!;

export async function bootstrapObjects(
  registry: Registry,
  opts: { apiserverIp: string; apiserverPort: number; cluster: ClusterConfig },
): Promise<void> {
  const namespaces = res('', 'namespaces');
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(registry, namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  // Components read the shape from here; the server's own (stored or from first-start flags) is the truth.
  const config = clusterConfigMap(opts.cluster);
  await upsert(registry, res('', 'configmaps'), config.metadata.namespace, config);
  const serviceIp = opts.cluster.kubernetesServiceIp;
  await ensure(registry, res('', 'services'), 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: serviceIp,
      clusterIPs: [serviceIp],
      sessionAffinity: 'None',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.apiserverPort }],
    },
  });
}

async function ensure(
  registry: Registry,
  ri: ResourceInfo,
  namespace: string | undefined,
  obj: KObject,
): Promise<void> {
  // Look first: creating again would try to allocate the kubernetes Service's IP a second time.
  if (await registry.store.get(registry.key(ri, namespace, obj.metadata.name!))) return;
  try {
    await registry.create(ri, namespace, obj, params());
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
  }
}

/** Create, or bring the listed fields back to what they must be (the port may change between starts). */
async function upsert(registry: Registry, ri: ResourceInfo, namespace: string, obj: KObject): Promise<void> {
  try {
    await registry.create(ri, namespace, obj, params());
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    await registry.modify(ri, namespace, obj.metadata.name!, params(), (live) => ({
      ...live,
      ...obj,
      metadata: { ...live.metadata, labels: obj.metadata.labels },
    }));
  }
}

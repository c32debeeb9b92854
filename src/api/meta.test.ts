import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectKey, resourcePrefix } from './meta.js';

test('store keys follow kube-apiserver etcd layout', () => {
  const cases: Array<[group: string, resource: string, prefix: string]> = [
    ['', 'pods', '/registry/pods/'],
    ['', 'services', '/registry/services/specs/'],
    ['', 'endpoints', '/registry/services/endpoints/'],
    ['', 'nodes', '/registry/minions/'],
    ['', 'namespaces', '/registry/namespaces/'],
    ['apps', 'deployments', '/registry/deployments/'],
    ['discovery.k8s.io', 'endpointslices', '/registry/endpointslices/'],
    ['coordination.k8s.io', 'leases', '/registry/leases/'],
    ['networking.k8s.io', 'ingresses', '/registry/ingress/'],
    ['networking.k8s.io', 'ingressclasses', '/registry/ingressclasses/'],
    ['rbac.authorization.k8s.io', 'roles', '/registry/roles/'],
    ['apiextensions.k8s.io', 'customresourcedefinitions', '/registry/apiextensions.k8s.io/customresourcedefinitions/'],
    ['example.com', 'widgets', '/registry/example.com/widgets/'],
  ];
  for (const [group, resource, prefix] of cases) {
    assert.equal(resourcePrefix(group, resource), prefix, `${group}/${resource}`);
  }
  assert.equal(objectKey('', 'services', 'default', 'web'), '/registry/services/specs/default/web');
  assert.equal(objectKey('', 'nodes', undefined, 'n1'), '/registry/minions/n1');
});

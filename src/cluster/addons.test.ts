import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.js';
import { ADDON_TEMPLATE_ANNOTATION, updatedWorkload, withTemplateDigest, workloadReady } from './addons.js';
import { DNS_REPLICAS, dnsAddonObjects } from './dns-addon.js';
import { haproxyContainerScript, routerAddonObjects } from './router-addon.js';

const dns = () =>
  dnsAddonObjects({ kubeconfigPath: '/s/addons/kube-dns.kubeconfig', clusterDnsIp: '10.96.0.10' }).find(
    (o) => o.kind === 'Deployment',
  )!;

test('cluster DNS is a Deployment of two replicas kept apart, behind kube-dns', () => {
  const objs = dnsAddonObjects({ kubeconfigPath: '/k', clusterDnsIp: '10.96.0.10' });
  assert.deepEqual(
    objs.map((o) => `${o.kind}/${o.metadata.name}`),
    ['ServiceAccount/kube-dns', 'Service/kube-dns', 'Deployment/podnet-dns'],
  );
  const spec = dns().spec as {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> };
  };
  assert.equal(spec.replicas, DNS_REPLICAS);
  assert.deepEqual(spec.selector.matchLabels, spec.template.metadata.labels);
  assert.deepEqual((objs[1]!.spec as { selector: unknown }).selector, spec.selector.matchLabels);
  assert.equal(spec.template.spec['nodeName'], undefined, 'placed by the scheduler');
  assert.equal(spec.template.spec['hostNetwork'], true);
  assert.match(
    JSON.stringify(spec.template.spec['topologySpreadConstraints']),
    /"topologyKey":"kubernetes.io\/hostname"/,
  );
});

test('the router is a DaemonSet whose run dir is per node by the downward API', () => {
  const objs = routerAddonObjects({ runRoot: '/s/routers', kubeconfigPath: '/k' });
  const ds = objs.find((o) => o.kind === 'DaemonSet')!;
  const text = JSON.stringify(ds.spec);
  assert.match(text, /"--run-dir","\/s\/routers\/\$\(NODE_NAME\)"/);
  assert.match(text, /"fieldPath":"spec.nodeName"/);
  assert.match(haproxyContainerScript('/s/routers/$(NODE_NAME)'), /^until \[ -s '\/s\/routers\/\$\(NODE_NAME\)\//);
});

test('the template digest ignores the replica count; an update keeps the one set by a user', () => {
  const a = withTemplateDigest(dns());
  const scaled = { ...dns(), spec: { ...(dns().spec as object), replicas: 5 } };
  assert.equal(
    withTemplateDigest(scaled).metadata.annotations?.[ADDON_TEMPLATE_ANNOTATION],
    a.metadata.annotations?.[ADDON_TEMPLATE_ANNOTATION],
  );
  const other = withTemplateDigest({ ...dns(), spec: { ...(dns().spec as object), minReadySeconds: 3 } });
  assert.notEqual(
    other.metadata.annotations?.[ADDON_TEMPLATE_ANNOTATION],
    a.metadata.annotations?.[ADDON_TEMPLATE_ANNOTATION],
  );
  const existing: KObject = {
    ...a,
    metadata: { ...a.metadata, resourceVersion: '7', annotations: { mine: 'x' } },
    spec: { ...(a.spec as object), replicas: 3 },
  };
  const u = updatedWorkload(existing, other);
  assert.equal((u.spec as { replicas: number }).replicas, 3);
  assert.equal((u.spec as { minReadySeconds: number }).minReadySeconds, 3);
  assert.equal(u.metadata.resourceVersion, '7');
  assert.equal(u.metadata.annotations?.['mine'], 'x');
});

test('workloadReady: rolled out, with as many Ready as can be placed', () => {
  const deploy = (status: object, generation = 2): KObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', generation },
    spec: { replicas: 2 },
    status,
  });
  const ds = (status: object): KObject => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'r', generation: 1 },
    status,
  });
  const cases: [string, KObject, number, boolean][] = [
    ['all ready', deploy({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2 }), 2, true],
    [
      'older generation seen',
      deploy({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2 }),
      2,
      false,
    ],
    [
      'one of two ready',
      deploy({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1 }),
      2,
      false,
    ],
    [
      'one node: one ready is enough',
      deploy({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1 }),
      1,
      true,
    ],
    [
      'old pods not yet replaced',
      deploy({ observedGeneration: 2, replicas: 3, updatedReplicas: 1, readyReplicas: 3 }),
      2,
      false,
    ],
    [
      'daemons ready on every node',
      ds({ observedGeneration: 1, desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3 }),
      3,
      true,
    ],
    [
      'a node not yet covered',
      ds({ observedGeneration: 1, desiredNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2 }),
      3,
      false,
    ],
    [
      'a daemon not ready',
      ds({ observedGeneration: 1, desiredNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3 }),
      3,
      false,
    ],
  ];
  for (const [name, obj, min, want] of cases) assert.equal(workloadReady(obj, min), want, name);
});

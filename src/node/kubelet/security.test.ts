import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerResources, qosClass } from './resources.js';
import { containerSecurity } from './security.js';
import type { ContainerSpec, PodSpec } from './types.js';

const pod = (p: Partial<PodSpec>, c: Partial<ContainerSpec> = {}): [PodSpec, ContainerSpec] => {
  const container = { name: 'c', ...c };
  return [{ containers: [container], ...p }, container];
};

test('securityContext: the container wins over the pod; fsGroup and supplementalGroups join', () => {
  const [p, c] = pod(
    { securityContext: { runAsUser: 1, runAsGroup: 2, supplementalGroups: [5], fsGroup: 6 } },
    { securityContext: { runAsUser: 1000, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } },
  );
  assert.deepEqual(containerSecurity(p, c, 'p_ns(u)'), {
    security: {
      runAsUser: 1000,
      runAsGroup: 2,
      supplementalGroups: [5, 6],
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
  });
});

test("runAsNonRoot is refused with the kubelet's messages", () => {
  const [p, c] = pod({ securityContext: { runAsNonRoot: true } });
  assert.deepEqual(containerSecurity(p, c, 'p_ns(u)'), {
    error: 'container has runAsNonRoot and image will run as root (pod: "p_ns(u)", container: c)',
  });
  const [p0, c0] = pod({ securityContext: { runAsNonRoot: true, runAsUser: 0 } });
  assert.match((containerSecurity(p0, c0, 'x') as { error: string }).error, /runAsUser breaks non-root policy/);
  const [ok, cok] = pod({ securityContext: { runAsNonRoot: true, runAsUser: 7 } });
  assert.ok('security' in containerSecurity(ok, cok, 'x'));
});

test('resources: quota, shares and memory as the kubelet converts them', () => {
  assert.deepEqual(containerResources({ name: 'c', resources: { limits: { cpu: '500m', memory: '64Mi' } } }, 1024), {
    memoryBytes: 67108864,
    cpuQuotaMicros: 50000,
    cpuPeriodMicros: 100000,
    cpuShares: 512,
    pidsLimit: 1024,
  });
  assert.deepEqual(containerResources({ name: 'c', resources: { requests: { cpu: '1' } } }), { cpuShares: 1024 });
  assert.deepEqual(containerResources({ name: 'c' }), { cpuShares: 2 });
});

test('QoS class', () => {
  const c = (resources?: ContainerSpec['resources']): PodSpec => ({
    containers: [{ name: 'c', ...(resources ? { resources } : {}) }],
  });
  assert.equal(qosClass(c()), 'BestEffort');
  assert.equal(qosClass(c({ limits: { cpu: '1', memory: '1Gi' } })), 'Guaranteed');
  assert.equal(qosClass(c({ requests: { cpu: '1' } })), 'Burstable');
  assert.equal(qosClass(c({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } })), 'Burstable');
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeViolations, evaluatePod, type CheckedPodSpec, type LevelVersion } from './checks.js';
import { invalidLabels, namespacePolicy, parseVersion, policyName } from './labels.js';

const restricted: LevelVersion = { level: 'restricted' };
const baseline: LevelVersion = { level: 'baseline' };
const c = (name: string, securityContext?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name,
  ...(securityContext ? { securityContext } : {}),
  ...extra,
});
/** A container restricted accepts. */
const hardened = (name: string) =>
  c(name, {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  });

describe('Pod Security Standards checks', () => {
  const cases: [string, LevelVersion, CheckedPodSpec, string][] = [
    [
      'a privileged pod under restricted: kube message, kube order',
      restricted,
      { containers: [c('c', { privileged: true })] },
      'privileged (container "c" must not set securityContext.privileged=true), ' +
        'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ],
    ['a hardened pod under restricted', restricted, { containers: [hardened('a'), hardened('b')] }, ''],
    [
      'pod-level runAsNonRoot and seccomp cover every container',
      restricted,
      {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          c('a', { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }),
        ],
      },
      '',
    ],
    [
      'explicit false and bad values name their setters',
      restricted,
      {
        securityContext: { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'Unconfined' } },
        containers: [
          c('a', {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'], add: ['SYS_ADMIN', 'NET_RAW'] },
            runAsUser: 0,
          }),
        ],
      },
      'unrestricted capabilities (container "a" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add), ' +
        'runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false), ' +
        'runAsUser=0 (pod and container "a" must not set runAsUser=0), ' +
        'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    [
      'baseline: host namespaces, hostPath, hostPort, capabilities, privileged, two containers',
      baseline,
      {
        hostNetwork: true,
        hostPID: true,
        volumes: [
          { name: 'root', hostPath: { path: '/' } },
          { name: 'tmp', emptyDir: {} },
        ],
        containers: [
          c('a', { privileged: true, capabilities: { add: ['NET_ADMIN', 'CHOWN'] } }, { ports: [{ hostPort: 8080 }] }),
          c('b', { privileged: true }, { ports: [{ hostPort: 80 }] }),
        ],
      },
      'host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "root"), ' +
        'hostPort (containers "a", "b" use hostPorts 80, 8080), ' +
        'privileged (containers "a", "b" must not set securityContext.privileged=true), ' +
        'non-default capabilities (container "a" must not include "NET_ADMIN" in securityContext.capabilities.add)',
    ],
    ['baseline allows what restricted refuses', baseline, { containers: [c('c', { runAsUser: 0 })] }, ''],
    [
      'baseline: procMount, sysctls, Unconfined seccomp',
      baseline,
      {
        securityContext: { sysctls: [{ name: 'kernel.shm_rmid_forced' }, { name: 'net.core.somaxconn' }] },
        containers: [c('c', { procMount: 'Unmasked', seccompProfile: { type: 'Unconfined' } })],
      },
      // capabilities and seccompProfile are baseline checks restricted replaces: they come last.
      'procMount (container "c" must not set securityContext.procMount to "Unmasked"), ' +
        'forbidden sysctls (net.core.somaxconn), ' +
        'seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    [
      'restricted volume types',
      restricted,
      {
        volumes: [
          { name: 'h', hostPath: { path: '/srv' } },
          { name: 'cm', configMap: { name: 'x' } },
        ],
        containers: [hardened('c')],
      },
      'hostPath volumes (volume "h"), restricted volume types (volume "h" uses restricted volume type "hostPath")',
    ],
    [
      'an older policy version has fewer checks (runAsUser came in 1.23)',
      { level: 'restricted', minor: 22 },
      { containers: [c('c', { ...hardened('c').securityContext, runAsUser: 0 })] },
      '',
    ],
    [
      'privileged allows anything',
      { level: 'privileged' },
      { hostNetwork: true, containers: [c('c', { privileged: true })] },
      '',
    ],
  ];
  for (const [name, lv, spec, want] of cases)
    test(name, () => assert.equal(describeViolations(evaluatePod(lv, {}, spec)), want));

  test('init and ephemeral containers are checked too', () => {
    const found = evaluatePod(
      baseline,
      {},
      { initContainers: [c('init', { privileged: true })], containers: [c('app')] },
    );
    assert.equal(
      describeViolations(found),
      'privileged (container "init" must not set securityContext.privileged=true)',
    );
  });
});

describe('Pod Security namespace labels', () => {
  test('levels, versions and their names', () => {
    const p = namespacePolicy({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'v1.29',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    assert.equal(policyName(p.enforce), 'baseline:v1.29');
    assert.equal(policyName(p.warn), 'restricted:latest');
    assert.equal(policyName(p.audit), 'privileged:latest');
    assert.equal(policyName(namespacePolicy({}).enforce), 'privileged:latest');
  });
  test('an invalid value counts as restricted:latest and is refused on the Namespace', () => {
    const labels = { 'pod-security.kubernetes.io/enforce': 'strict', 'pod-security.kubernetes.io/warn-version': '1.2' };
    assert.equal(policyName(namespacePolicy(labels).enforce), 'restricted:latest');
    assert.deepEqual(
      invalidLabels(labels).map((e) => e.field),
      [
        'metadata.labels[pod-security.kubernetes.io/enforce]',
        'metadata.labels[pod-security.kubernetes.io/warn-version]',
      ],
    );
    assert.deepEqual(parseVersion('v1.30'), { minor: 30 });
    assert.equal(parseVersion('v2.0'), undefined);
  });
});

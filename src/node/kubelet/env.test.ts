import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { containerEnv, expandCommand, type EnvContext } from './env.js';
import { expandVars } from './expand.js';
import { parseQuantity } from './quantity.js';
import type { ContainerSpec, Pod } from './types.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const pod = (c: Partial<ContainerSpec>): Pod => ({
  metadata: { name: 'web-0', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { 'x/y': 'z' } },
  spec: {
    nodeName: 'n1',
    serviceAccountName: 'sa',
    containers: [
      { name: 'app', ...c },
      { name: 'side', resources: { limits: { memory: '64Mi' } } },
    ],
  },
});
const ctx: EnvContext = {
  podIp: '10.244.1.5',
  podIps: ['10.244.1.5', 'fd00::5'],
  hostIp: '192.168.1.10',
  nodeName: 'ignored',
  configMaps: (ns, name) => (ns === 'shop' && name === 'cfg' ? { B: 'b', A: 'a', 'bad=key': 'x' } : undefined),
  secrets: (ns, name) => (ns === 'shop' && name === 'sec' ? { token: b64('s3cret') } : undefined),
  nodeAllocatable: { cpu: '4', memory: '8Gi' },
};
const env = (c: Partial<ContainerSpec>, x: EnvContext = ctx) => containerEnv(pod(c), pod(c).spec.containers[0]!, x);

describe('expandVars', () => {
  const vars: Record<string, string> = { A: 'x', B: 'y' };
  const cases: [string, string][] = [
    ['$(A)', 'x'],
    ['$(A)-$(B)', 'x-y'],
    ['$$(A)', '$(A)'],
    ['$(C)', '$(C)'],
    ['$$', '$'],
    ['a$b', 'a$b'],
    ['$(A', '$(A'],
    ['end$', 'end$'],
    ['$()', '$()'],
    ['$$$(A)', '$x'],
    ['no vars', 'no vars'],
  ];
  for (const [input, want] of cases)
    test(JSON.stringify(input), () =>
      assert.equal(
        expandVars(input, (n) => vars[n]),
        want,
      ),
    );
});

describe('parseQuantity', () => {
  const cases: [string, number][] = [
    ['100m', 0.1],
    ['2', 2],
    ['1.5', 1.5],
    ['128Mi', 128 * 2 ** 20],
    ['1G', 1e9],
    ['1e3', 1000],
    ['1k', 1000],
  ];
  for (const [q, want] of cases) test(q, () => assert.equal(parseQuantity(q), want));
  test('rejects junk', () => assert.throws(() => parseQuantity('12 apples'), /not a resource quantity/));
});

describe('containerEnv', () => {
  const cases: [string, Partial<ContainerSpec>, Record<string, string>][] = [
    [
      'plain values and expansion of earlier vars',
      {
        env: [
          { name: 'A', value: 'x' },
          { name: 'B', value: '$(A)-$(LATER)-$$(A)' },
          { name: 'LATER', value: 'l' },
        ],
      },
      { A: 'x', B: 'x-$(LATER)-$(A)', LATER: 'l' },
    ],
    ['empty value', { env: [{ name: 'E' }] }, { E: '' }],
    [
      'fieldRefs',
      {
        env: [
          ['NAME', 'metadata.name'],
          ['NS', 'metadata.namespace'],
          ['UID', 'metadata.uid'],
          ['APP', "metadata.labels['app']"],
          ['ANN', "metadata.annotations['x/y']"],
          ['MISSING', "metadata.labels['nope']"],
          ['NODE', 'spec.nodeName'],
          ['SA', 'spec.serviceAccountName'],
          ['HOST', 'status.hostIP'],
          ['IP', 'status.podIP'],
          ['IPS', 'status.podIPs'],
        ].map(([name, fieldPath]) => ({ name: name!, valueFrom: { fieldRef: { fieldPath: fieldPath! } } })),
      },
      {
        NAME: 'web-0',
        NS: 'shop',
        UID: 'u-1',
        APP: 'web',
        ANN: 'z',
        MISSING: '',
        NODE: 'n1',
        SA: 'sa',
        HOST: '192.168.1.10',
        IP: '10.244.1.5',
        IPS: '10.244.1.5,fd00::5',
      },
    ],
    [
      'resourceFieldRef with divisor, node allocatable when no limit, other container',
      {
        resources: { limits: { cpu: '250m' } },
        env: [
          { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
          { name: 'CPU_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
          {
            name: 'SIDE',
            valueFrom: { resourceFieldRef: { containerName: 'side', resource: 'limits.memory', divisor: '1Mi' } },
          },
        ],
      },
      { CPU: '1', CPU_M: '250', MEM: '8192', REQ: '0', SIDE: '64' },
    ],
    [
      'configMap/secret keys; optional missing skipped',
      {
        env: [
          { name: 'CA', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'A' } } },
          { name: 'TOK', valueFrom: { secretKeyRef: { name: 'sec', key: 'token' } } },
          { name: 'OPT1', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
          { name: 'OPT2', valueFrom: { secretKeyRef: { name: 'gone', key: 'k', optional: true } } },
        ],
      },
      { CA: 'a', TOK: 's3cret' },
    ],
    [
      'envFrom with prefix, env overrides, optional missing source skipped',
      {
        envFrom: [
          { configMapRef: { name: 'cfg' }, prefix: 'CFG_' },
          { secretRef: { name: 'sec' } },
          { configMapRef: { name: 'gone', optional: true } },
        ],
        env: [
          { name: 'token', value: 'override' },
          { name: 'X', value: '$(CFG_A)$(token)' },
        ],
      },
      { CFG_A: 'a', CFG_B: 'b', 'CFG_bad=key': 'x', token: 'override', X: 'aoverride' },
    ],
  ];
  for (const [name, c, want] of cases) {
    test(name, () => {
      const r = env(c);
      assert.ok('env' in r, JSON.stringify(r));
      assert.deepEqual(r.env, want);
    });
  }

  const errors: [string, Partial<ContainerSpec>, EnvContext, string][] = [
    [
      'missing configmap',
      { env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }] },
      ctx,
      'configmap "gone" not found',
    ],
    [
      'missing configmap key',
      { env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] },
      ctx,
      "couldn't find key k in ConfigMap shop/cfg",
    ],
    [
      'missing secret key',
      { env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'sec', key: 'k' } } }] },
      ctx,
      "couldn't find key k in Secret shop/sec",
    ],
    ['missing envFrom secret', { envFrom: [{ secretRef: { name: 'gone' } }] }, ctx, 'secret "gone" not found'],
    [
      'unsupported fieldPath',
      { env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.nope' } } }] },
      ctx,
      'field label not supported: spec.nope',
    ],
    [
      'unsupported resource',
      { env: [{ name: 'A', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }] },
      ctx,
      'unsupported container resource : limits.gpu',
    ],
  ];
  for (const [name, c, x, want] of errors) test(`error: ${name}`, () => assert.deepEqual(env(c, x), { error: want }));

  test('no limit and unknown allocatable says what to do', () => {
    const r = env(
      { env: [{ name: 'A', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }] },
      { ...ctx, nodeAllocatable: undefined },
    );
    assert.ok('error' in r && /set resources.limits.cpu or pass nodeAllocatable/.test(r.error));
  });
  test('expandCommand', () => {
    assert.deepEqual(
      expandCommand({ name: 'c', command: ['/bin/echo', '$(A)'], args: ['$$(A)', '$(B)'] }, { A: 'x' }),
      { command: ['/bin/echo', 'x'], args: ['$(A)', '$(B)'] },
    );
  });
});

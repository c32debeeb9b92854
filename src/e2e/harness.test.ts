/** The harness's own pure parts: reading kubectl tables the way a user reads them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTable } from './table.js';
import { inServiceCidr, serviceYaml } from './manifests.js';
import { parse } from 'yaml';

test('parseTable splits rows by the header column offsets, keeping empty and multi-word cells', () => {
  const cases: { text: string; want: Record<string, string>[] }[] = [
    {
      text: 'NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\nkubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   5m\n',
      want: [
        {
          NAME: 'kubernetes',
          TYPE: 'ClusterIP',
          'CLUSTER-IP': '10.96.0.1',
          'EXTERNAL-IP': '<none>',
          'PORT(S)': '443/TCP',
          AGE: '5m',
        },
      ],
    },
    {
      text: 'NAME   STATUS    ROLES    AGE   VERSION\nn1     Unknown   <none>   3s    \n',
      want: [{ NAME: 'n1', STATUS: 'Unknown', ROLES: '<none>', AGE: '3s', VERSION: '' }],
    },
    {
      text: 'NAME   READY   NODE     NOMINATED NODE   READINESS GATES\np      0/1     <none>   <none>           <none>\n',
      want: [{ NAME: 'p', READY: '0/1', NODE: '<none>', 'NOMINATED NODE': '<none>', 'READINESS GATES': '<none>' }],
    },
    { text: '', want: [] },
  ];
  for (const c of cases) assert.deepEqual(parseTable(c.text), c.want);
});

test('serviceYaml writes a manifest that parses to the Service asked for', () => {
  const svc = parse(
    serviceYaml('web', {
      namespace: 'ns1',
      port: 8080,
      targetPort: 80,
      labels: { tier: 'web' },
      clusterIP: '10.96.0.50',
    }),
  );
  assert.deepEqual(svc, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'ns1', labels: { tier: 'web' } },
    spec: { selector: { app: 'web' }, clusterIP: '10.96.0.50', ports: [{ port: 8080, targetPort: 80 }] },
  });
});

test('inServiceCidr accepts exactly 10.96.0.0/12', () => {
  const cases: [string, boolean][] = [
    ['10.96.0.1', true],
    ['10.111.255.254', true],
    ['10.112.0.1', false],
    ['10.95.255.255', false],
    ['192.168.0.1', false],
    ['None', false],
    ['', false],
    ['10.96.0.256', false],
  ];
  for (const [ip, want] of cases) assert.equal(inServiceCidr(ip), want, ip);
});

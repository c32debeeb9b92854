import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { userOfCertificateSubject } from './authenticator.js';
import { kubeconfigYaml } from './state/kubeconfig.js';

test("a client certificate's subject names the user (CN) and its groups (each O), as kube's x509 authenticator", () => {
  const cases: [string, Parameters<typeof userOfCertificateSubject>[0], ReturnType<typeof userOfCertificateSubject>][] =
    [
      ['CN and one O', { CN: 'alice', O: 'devs' }, { name: 'alice', groups: ['devs', 'system:authenticated'] }],
      [
        'several O values (node:tls gives an array)',
        { CN: 'alice', O: ['devs', 'ops'] },
        { name: 'alice', groups: ['devs', 'ops', 'system:authenticated'] },
      ],
      ['no O', { CN: 'bob' }, { name: 'bob', groups: ['system:authenticated'] }],
      [
        'system:authenticated in O is not repeated',
        { CN: 'bob', O: 'system:authenticated' },
        { name: 'bob', groups: ['system:authenticated'] },
      ],
      ['no CN: nobody', { O: 'devs' }, undefined],
      ['empty CN: nobody', { CN: '', O: 'devs' }, undefined],
      ['no subject: nobody', undefined, undefined],
    ];
  for (const [name, subject, want] of cases) assert.deepEqual(userOfCertificateSubject(subject), want, name);
});

test('a kubeconfig user with a client certificate carries it inline, under USER@CLUSTER', () => {
  const doc = parse(
    kubeconfigYaml({
      server: 'https://10.0.0.1:6443',
      name: 'podnet-dev',
      userName: 'alice@podnet-dev',
      clientCert: { certPem: 'CERT', keyPem: 'KEY' },
    }),
  ) as Record<string, unknown>;
  assert.deepEqual(doc['users'], [
    {
      name: 'alice@podnet-dev',
      user: {
        'client-certificate-data': Buffer.from('CERT').toString('base64'),
        'client-key-data': Buffer.from('KEY').toString('base64'),
      },
    },
  ]);
  assert.deepEqual(doc['contexts'], [
    { name: 'alice@podnet-dev', context: { cluster: 'podnet-dev', user: 'alice@podnet-dev' } },
  ]);
  assert.equal(doc['current-context'], 'alice@podnet-dev');
});

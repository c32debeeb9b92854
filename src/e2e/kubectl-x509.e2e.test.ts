/**
 * Users with X.509 client certificates, the way kubeadm and kind clusters
 * hand them out: `podnet user-kubeconfig` mints a kubeconfig whose
 * certificate the cluster CA signed, and the real kubectl uses it. The
 * certificate's CN is the user, its O values the groups (`kubectl auth
 * whoami`); RBAC decides what it may do, on plain requests and on upgrades
 * (exec); a certificate from another CA authenticates nobody.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ensureCa, issueUserCert } from '../apiserver/state/pki.js';
import { kubeconfigYaml } from '../apiserver/state/kubeconfig.js';
import { podnetBin } from './cluster.js';
import { Cluster, kubectlBinaries, uniqueName } from './harness.js';
import { kubectl, needs } from '../testing/requirements.js';

describe('integration: users with client certificates (kubectl 1.32)', { skip: needs(kubectl) }, () => {
  let cluster: Cluster;
  const bin = kubectlBinaries()[0]!;
  const user = uniqueName('alice');
  const group = uniqueName('devs');
  let kc = '';
  const as = (kubeconfig: string, args: string[]) => cluster.kubectl(bin).run(['--kubeconfig', kubeconfig, ...args]);
  const admin = () => cluster.kubectl(bin);
  const mint = (args: string[]) =>
    spawnSync(process.execPath, [podnetBin, 'user-kubeconfig', '--state', cluster.stateDir, ...args], {
      encoding: 'utf8',
    });

  before(async () => {
    cluster = await Cluster.start();
    kc = join(cluster.workDir, `${user}.kubeconfig`);
    const r = mint([user, '--group', `${group},extra-${group}`, '--days', '2', '--out', kc]);
    assert.equal(r.status, 0, r.stderr);
  });
  after(async () => {
    await cluster?.close();
  });

  test('the kubeconfig holds a certificate for the user, mode 0600, context USER@CLUSTER', () => {
    assert.equal(statSync(kc).mode & 0o777, 0o600);
    const doc = parse(readFileSync(kc, 'utf8')) as {
      'current-context': string;
      users: { user: Record<string, string> }[];
    };
    assert.equal(doc['current-context'], `${user}@podnet`);
    assert.ok(doc.users[0]!.user['client-certificate-data'] && doc.users[0]!.user['client-key-data']);
    assert.equal(doc.users[0]!.user['token'], undefined);
    const certPem = Buffer.from(doc.users[0]!.user['client-certificate-data'], 'base64').toString();
    const text = execFileSync('openssl', ['x509', '-noout', '-subject', '-enddate'], {
      input: certPem,
      encoding: 'utf8',
    });
    assert.match(text, new RegExp(`CN\\s*=\\s*${user}`));
  });

  test('kubectl auth whoami names the user and its groups', async () => {
    const r = await as(kc, ['auth', 'whoami', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const review = JSON.parse(r.stdout) as { status: { userInfo: { username: string; groups: string[] } } };
    assert.equal(review.status.userInfo.username, user);
    assert.deepEqual(review.status.userInfo.groups, [group, `extra-${group}`, 'system:authenticated']);
  });

  test('RBAC decides: forbidden until a binding to its group, then allowed', async () => {
    const before = await as(kc, ['get', 'configmaps', '-n', 'default']);
    assert.notEqual(before.code, 0);
    assert.match(before.stderr, new RegExp(`User "${user}" cannot list resource "configmaps"`));
    await admin().ok(['create', 'clusterrolebinding', `view-${group}`, '--clusterrole=view', `--group=${group}`]);
    const after = await as(kc, ['get', 'configmaps', '-n', 'default', '-o', 'name']);
    assert.equal(after.code, 0, after.stderr);
    assert.equal((await as(kc, ['auth', 'can-i', 'create', 'pods'])).stdout.trim(), 'no');
  });

  test('an upgrade (exec) is authorized as the certificate user, not refused as anonymous', async () => {
    const pod = uniqueName('x509-pod');
    await admin().ok(['run', pod, '--image=registry.k8s.io/pause:3.9', '--restart=Never']);
    const r = await as(kc, ['exec', pod, '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`User "${user}" cannot create resource "pods/exec"`), r.stderr);
  });

  test('a certificate signed by another CA is Unauthorized', async () => {
    const foreign = mkdtempSync(join(tmpdir(), 'podnet-x509-'));
    try {
      ensureCa(foreign, 'not-the-cluster-ca');
      const ours = parse(readFileSync(kc, 'utf8')) as { clusters: { cluster: { server: string } }[] };
      const path = join(foreign, 'kubeconfig');
      writeFileSync(
        path,
        kubeconfigYaml({
          server: ours.clusters[0]!.cluster.server,
          caCertPem: cluster.server.caCertPem!,
          name: 'foreign',
          clientCert: issueUserCert(foreign, { name: 'admin', groups: ['system:masters'], days: 1 }),
        }),
      );
      const r = await as(path, ['get', 'namespaces']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Unauthorized/);
    } finally {
      rmSync(foreign, { recursive: true, force: true });
    }
  });

  test('bad input is refused with a reason and writes nothing', () => {
    const out = join(cluster.workDir, 'never.kubeconfig');
    for (const [args, message] of [
      [['bob', '--days', '0', '--out', out], /--days 0: a whole number of days from 1 to 3650/],
      [['bob smith', '--out', out], /USER "bob smith": up to 253 printable characters/],
      [['bob', '--group', 'a/b', '--out', out], /--group "a\/b"/],
    ] as const) {
      const r = mint([...args]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    }
    assert.throws(() => statSync(out), /ENOENT/);
    const missing = spawnSync(
      process.execPath,
      [podnetBin, 'user-kubeconfig', 'bob', '--state', join(tmpdir(), uniqueName('none'))],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no cluster CA or kubeconfig in .*pass the --state/);
  });
});

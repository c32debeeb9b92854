/**
 * Authorization end to end, tried the way an attacker holding one node's
 * credentials would: on a real `podnet up` cluster with the real kubectl,
 * node 1's own kubeconfig must not reach node 2's Secrets, Node or pods,
 * nor mint a Node with a podCIDR; `kubectl auth can-i --list` answers with
 * the bootstrap roles for the admin, a view user, a node and cluster DNS;
 * RBAC's escalation check holds; no credential is on any command line.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterSkip, sh, TestCluster, type Run } from './cluster.js';
import { TokenAuthenticator } from '../apiserver/state/tokens.js';
import { writeKubeconfig } from '../apiserver/state/kubeconfig.js';

describe('authorization on podnet up', { skip: clusterSkip, timeout: 900_000 }, () => {
  const c = new TestCluster(2, 'vxlan');
  const ns = 'authz-e2e';
  const node1 = c.node(1);
  const node2 = c.node(2);
  const viewer = `viewer-${c.name}`;
  const nsAdmin = `nsadmin-${c.name}`;
  const as = (kubeconfig: string, args: string[], input?: string): Run =>
    sh(['kubectl', '--kubeconfig', kubeconfig, ...args], { timeoutMs: 60_000, ...(input ? { input } : {}) });
  const nodeKc = () => join(c.dir, 'nodes', node1, 'kubeconfig');
  const dnsKc = () => join(c.dir, 'addons', 'kube-dns.kubeconfig');
  const userKc = (user: string) => join(c.dir, `${user}.kubeconfig`);
  const denied = (r: Run, what: RegExp) => {
    assert.notEqual(r.code, 0, `expected a refusal, got success:\n${r.out}`);
    assert.match(r.out, /Forbidden|forbidden/, r.out);
    assert.match(r.out, what, r.out);
  };

  before(() => {
    c.up();
    const tokens = TokenAuthenticator.load(c.dir);
    const server = c.layout.apiserverPort ? `https://${c.layout.hostIp}:${c.layout.apiserverPort}` : '';
    const caCertPem = readFileSync(join(c.dir, 'pki', 'ca.crt'), 'utf8');
    for (const user of [viewer, nsAdmin])
      writeKubeconfig(userKc(user), { server, caCertPem, token: tokens.userToken(user), name: user });
    c.k(['create', 'namespace', ns]);
    c.k(['create', 'clusterrolebinding', `view-${viewer}`, '--clusterrole=view', `--user=${viewer}`]);
    c.k(['-n', ns, 'create', 'rolebinding', 'ns-admin', '--clusterrole=admin', `--user=${nsAdmin}`]);
    for (const i of [1, 2]) {
      c.k(['-n', ns, 'create', 'secret', 'generic', `secret${i}`, `--from-literal=password=p${i}`]);
      c.apply(`apiVersion: v1
kind: Pod
metadata: {name: pod${i}, namespace: ${ns}}
spec:
  nodeName: ${c.node(i)}
  containers:
  - name: app
    image: registry.k8s.io/pause:3.9
    env:
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: secret${i}, key: password}}
`);
    }
    c.k(['-n', ns, 'wait', '--for=condition=Ready', '--timeout=90s', 'pod/pod1', 'pod/pod2']);
  });
  after(() => c.destroy());

  test("a node reads the Secret its own pod uses, and not another node's pod's Secret", () => {
    assert.equal(as(nodeKc(), ['-n', ns, 'get', 'secret', 'secret1', '-o', 'name']).stdout.trim(), 'secret/secret1');
    denied(as(nodeKc(), ['-n', ns, 'get', 'secret', 'secret2']), /no relationship found between node/);
    denied(as(nodeKc(), ['get', 'secrets', '-A']), /cannot list resource "secrets"/);
    denied(as(nodeKc(), ['-n', 'kube-system', 'get', 'configmaps']), /cannot list resource "configmaps"/);
  });

  test('a node cannot touch another Node', () => {
    denied(
      as(nodeKc(), ['delete', 'node', node2, '--wait=false']),
      new RegExp(`not allowed to modify node "${node2}"`),
    );
    denied(as(nodeKc(), ['label', 'node', node2, 'evil=yes']), /not allowed to modify node/);
    // PUT the status straight (kubectl patch would first need a read of nodes/status, which nodes lack in kube too).
    const other = JSON.parse(c.k(['get', 'node', node2, '-o', 'json'])) as {
      status: { conditions: { type: string; status: string }[] };
    };
    for (const cond of other.status.conditions) if (cond.type === 'Ready') cond.status = 'False';
    denied(
      as(nodeKc(), ['replace', '--raw', `/api/v1/nodes/${node2}/status`, '-f', '-'], JSON.stringify(other)),
      new RegExp(`not allowed to modify node "${node2}"`),
    );
    denied(
      as(nodeKc(), ['label', 'node', node1, 'node-restriction.kubernetes.io/trusted=yes']),
      /not allowed to modify labels/,
    );
    denied(
      as(nodeKc(), ['patch', 'node', node1, '--type=merge', '-p', '{"spec":{"podCIDR":"10.244.99.0/24"}}']),
      /podCIDR/,
    );
  });

  test('a node cannot create a Node, least of all one with a podCIDR', () => {
    const fake = `fake-${c.name}`;
    const node = `apiVersion: v1
kind: Node
metadata: {name: ${fake}}
spec: {podCIDR: 10.244.2.0/24, podCIDRs: [10.244.2.0/24]}
`;
    denied(as(nodeKc(), ['create', '-f', '-'], node), new RegExp(`not allowed to modify node "${fake}"`));
    assert.notEqual(c.kubectl(['get', 'node', fake]).code, 0, 'the fake Node must not exist');
  });

  test("a node cannot re-status, relabel or delete another node's pods, nor create pods", () => {
    const pod2 = JSON.parse(c.k(['-n', ns, 'get', 'pod', 'pod2', '-o', 'json'])) as {
      status: { podIP?: string; podIPs?: { ip: string }[] };
    };
    pod2.status.podIP = '203.0.113.9';
    pod2.status.podIPs = [{ ip: '203.0.113.9' }];
    denied(
      as(nodeKc(), ['replace', '--raw', `/api/v1/namespaces/${ns}/pods/pod2/status`, '-f', '-'], JSON.stringify(pod2)),
      /can only update pod status for pods with spec.nodeName set to itself/,
    );
    denied(as(nodeKc(), ['-n', ns, 'label', 'pod', 'pod2', 'app=evil']), /cannot patch resource "pods"/);
    denied(
      as(nodeKc(), ['-n', ns, 'delete', 'pod', 'pod2', '--wait=false']),
      /can only delete pods with spec.nodeName set to itself/,
    );
    denied(as(nodeKc(), ['-n', ns, 'run', 'evil', '--image=registry.k8s.io/pause:3.9']), /can only create mirror pods/);
    assert.notEqual(c.k(['-n', ns, 'get', 'pod', 'pod2', '-o', 'jsonpath={.status.podIP}']), '203.0.113.9');
  });

  test('a node lists only its own pods; its agent still runs them', () => {
    denied(as(nodeKc(), ['get', 'pods', '-A']), /spec.nodeName field selector/);
    const own = as(nodeKc(), ['get', 'pods', '-A', `--field-selector=spec.nodeName=${node1}`, '-o', 'name']);
    assert.equal(own.code, 0, own.out);
    assert.match(own.stdout, /pod\/pod1/);
    assert.doesNotMatch(own.stdout, /pod\/pod2/);
  });

  test('kubectl auth can-i --list: the admin may do anything', () => {
    const out = c.k(['auth', 'can-i', '--list']);
    assert.match(out, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/m, out);
    assert.equal(c.k(['auth', 'can-i', 'delete', 'nodes']).trim(), 'yes');
  });

  test('kubectl auth can-i --list: a view user reads, never Secrets, never writes', () => {
    const list = as(userKc(viewer), ['auth', 'can-i', '--list', '-n', ns]);
    assert.equal(list.code, 0, list.out);
    assert.match(list.stdout, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]/m, list.stdout);
    assert.match(list.stdout, /^ingresses\.networking\.k8s\.io\s+\[\]\s+\[\]\s+\[get list watch\]/m, list.stdout);
    assert.match(list.stdout, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/m);
    assert.doesNotMatch(list.stdout, /^secrets/m);
    assert.equal(as(userKc(viewer), ['auth', 'can-i', 'list', 'pods', '-n', ns]).stdout.trim(), 'yes');
    assert.equal(as(userKc(viewer), ['auth', 'can-i', 'get', 'secrets', '-n', ns]).stdout.trim(), 'no');
    assert.equal(as(userKc(viewer), ['auth', 'can-i', 'create', 'deployments.apps', '-n', ns]).stdout.trim(), 'no');
    denied(as(userKc(viewer), ['-n', ns, 'get', 'secret', 'secret1']), /User "viewer-/);
    denied(as(userKc(viewer), ['-n', ns, 'delete', 'pod', 'pod1', '--wait=false']), /cannot delete resource "pods"/);
    assert.equal(as(userKc(viewer), ['-n', ns, 'get', 'pods', '-o', 'name']).code, 0);
  });

  test('kubectl auth can-i --list: a node has the node rules, marked incomplete', () => {
    const list = as(nodeKc(), ['auth', 'can-i', '--list']);
    assert.equal(list.code, 0, list.out);
    assert.match(list.stdout, /^nodes\s+\[\]\s+\[\]\s+\[create delete get list watch patch update\]/m, list.stdout);
    assert.match(list.stdout, /^pods\/status\s+\[\]\s+\[\]\s+\[patch update\]/m, list.stdout);
    assert.match(
      list.stdout,
      /^leases\.coordination\.k8s\.io\s+\[\]\s+\[\]\s+\[get list watch create update patch delete\]/m,
    );
    const canI = (...args: string[]) => as(nodeKc(), ['auth', 'can-i', ...args, '-n', ns]).stdout.trim();
    assert.equal(canI('create', 'pods', '--subresource=exec'), 'no', 'create pods/exec');
    // kubectl prints the Node authorizer's reason after the answer.
    assert.match(canI('get', 'secret/secret2'), /^no - no relationship found between node/, 'get secret/secret2');
    assert.equal(canI('get', 'secret/secret1'), 'yes', 'get secret/secret1');
  });

  test('kubectl auth can-i --list: cluster DNS reads what it serves and nothing else', () => {
    const list = as(dnsKc(), ['auth', 'can-i', '--list']);
    assert.equal(list.code, 0, list.out);
    assert.match(list.stdout, /^endpointslices\.discovery\.k8s\.io\s+\[\]\s+\[\]\s+\[list watch\]/m, list.stdout);
    assert.match(list.stdout, /^services\s+\[\]\s+\[\]\s+\[list watch\]/m, list.stdout);
    assert.equal(as(dnsKc(), ['auth', 'can-i', 'get', 'secrets', '-A']).stdout.trim(), 'no');
    assert.equal(as(dnsKc(), ['auth', 'can-i', 'create', 'pods', '-n', 'kube-system']).stdout.trim(), 'no');
    // Its Lease of applied endpoints lives in kube-system; node Leases stay out of reach.
    assert.equal(as(dnsKc(), ['auth', 'can-i', 'patch', 'leases', '-n', 'kube-system']).stdout.trim(), 'yes');
    assert.equal(as(dnsKc(), ['auth', 'can-i', 'patch', 'leases', '-n', 'kube-node-lease']).stdout.trim(), 'no');
    const who = as(dnsKc(), ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(who.stdout, 'system:serviceaccount:kube-system:kube-dns', who.out);
  });

  test('RBAC escalation: a namespace admin cannot grant what it does not hold', () => {
    const kc = userKc(nsAdmin);
    const ok = as(kc, ['-n', ns, 'create', 'role', 'pod-reader', '--verb=get', '--resource=pods']);
    assert.equal(ok.code, 0, ok.out);
    denied(
      as(kc, ['-n', ns, 'create', 'role', 'node-reader', '--verb=get', '--resource=nodes']),
      /attempting to grant RBAC permissions not currently held/,
    );
    denied(
      as(kc, ['-n', ns, 'create', 'rolebinding', 'grab', '--clusterrole=cluster-admin', `--user=${nsAdmin}`]),
      /attempting to grant RBAC permissions not currently held/,
    );
    denied(
      as(kc, ['create', 'clusterrolebinding', `grab-${c.name}`, '--clusterrole=cluster-admin', `--user=${nsAdmin}`]),
      /cannot create resource "clusterrolebindings"/,
    );
    assert.equal(as(kc, ['auth', 'can-i', 'get', 'pods', '-n', 'default']).stdout.trim(), 'no');
  });

  test('no credential is on any command line', () => {
    const file = JSON.parse(readFileSync(join(c.dir, 'tokens.json'), 'utf8')) as {
      admin: string;
      nodes: Record<string, string>;
      users?: Record<string, string>;
    };
    const secrets = [file.admin, ...Object.values(file.nodes), ...Object.values(file.users ?? {})];
    const ps = sh(['ps', '-eww', '-o', 'args']);
    assert.equal(ps.code, 0, ps.out);
    assert.ok(ps.stdout.includes(node1), 'ps shows the node agents');
    for (const t of secrets) assert.ok(!ps.stdout.includes(t), 'a bearer token is visible in ps output');
    for (const path of [nodeKc(), dnsKc()]) {
      const mode = sh(['stat', '-c', '%a', path]).stdout.trim();
      assert.equal(mode, '600', `${path} is mode ${mode}`);
    }
  });
});

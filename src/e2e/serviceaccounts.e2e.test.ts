/**
 * ServiceAccounts end to end on a `podnet up` cluster (runc), tried the way
 * a user in a pod and an attacker would: every namespace has its default
 * ServiceAccount and kube-root-ca.crt; `kubectl create token` mints a bound
 * token the API server accepts; a pod's mounted token reaches the API
 * server through https://kubernetes.default.svc with exactly its RBAC
 * rights and stops working once the pod is deleted; automount false means
 * no mount; externalIPs are refused (the API server's address first of
 * all); a deleted and re-registered Node keeps its podCIDR and its pods'
 * network.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clusterSkip, eventually, netexecPod, sh, TestCluster } from './cluster.js';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

describe('ServiceAccounts, in-cluster API access and admission', { skip: clusterSkip, timeout: 600_000 }, () => {
  const c = new TestCluster(2, 'vxlan', ['--runtime', 'runc']);
  const ns = 'sa-e2e';
  const ipOf = (pod: string) => c.k(['-n', ns, 'get', 'pod', pod, '-o', 'jsonpath={.status.podIP}']);
  const inPod = (pod: string, command: string) => c.podShell(1, ipOf(pod), command);
  const withToken = (token: string, args: string[]) =>
    sh(['kubectl', '--kubeconfig', c.kubeconfig, '--token', token, ...args], { timeoutMs: 60_000 });

  before(async () => {
    c.up();
    c.k(['create', 'namespace', ns]);
    c.k(['-n', ns, 'create', 'serviceaccount', 'reader']);
    c.k(['-n', ns, 'create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods']);
    c.k(['-n', ns, 'create', 'rolebinding', 'reader-reads-pods', '--role=pod-reader', `--serviceaccount=${ns}:reader`]);
    c.k(['-n', ns, 'create', 'secret', 'generic', 'hidden', '--from-literal=k=v']);
    const withSa = (name: string, spec: string) =>
      netexecPod(name, c.node(1), spec).replace(
        `metadata: {name: ${name},`,
        `metadata: {name: ${name}, namespace: ${ns},`,
      );
    c.apply(
      [
        withSa('app', '  serviceAccountName: reader\n'),
        withSa('nomount', '  serviceAccountName: reader\n  automountServiceAccountToken: false\n'),
        withSa('victim', '  serviceAccountName: reader\n'),
      ].join(''),
    );
    c.k(['-n', ns, 'wait', '--for=condition=Ready', '--timeout=120s', 'pod/app', 'pod/nomount', 'pod/victim']);
    for (const pod of ['app', 'nomount', 'victim'])
      await eventually(`${pod} to listen`, () => inPod(pod, 'echo up') === 'up\n');
  });
  after(() => c.destroy());

  test('every namespace has its default ServiceAccount and the cluster CA', async () => {
    await eventually(
      'default ServiceAccount',
      () => c.kubectl(['-n', ns, 'get', 'serviceaccount', 'default']).code === 0,
    );
    const ca = c.k(['-n', ns, 'get', 'configmap', 'kube-root-ca.crt', '-o', 'jsonpath={.data.ca\\.crt}']);
    assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
    c.k(['-n', ns, 'delete', 'serviceaccount', 'default']);
    await eventually('default ServiceAccount back', () => c.kubectl(['-n', ns, 'get', 'sa', 'default']).code === 0);
  });

  test('kubectl create token: a bound token the API server accepts, with the ServiceAccount rights', () => {
    const token = c.k(['-n', ns, 'create', 'token', 'reader', '--duration=15m']).trim();
    assert.equal(token.split('.').length, 3, 'a JWT');
    const who = withToken(token, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(who.stdout, `system:serviceaccount:${ns}:reader`, who.out);
    assert.equal(withToken(token, ['-n', ns, 'get', 'pods', '-o', 'name']).code, 0);
    const secrets = withToken(token, ['-n', ns, 'get', 'secrets']);
    assert.notEqual(secrets.code, 0);
    assert.match(secrets.out, /forbidden: User "system:serviceaccount:sa-e2e:reader" cannot list resource "secrets"/);
    const short = c.kubectl(['-n', ns, 'create', 'token', 'reader', '--duration=1m']);
    assert.notEqual(short.code, 0);
    assert.match(short.out, /may not specify a duration less than 10 minutes/);
  });

  test("a pod's mounted token, CA and namespace reach the API server with exactly its RBAC rights", () => {
    const pod = 'app';
    assert.equal(inPod(pod, `cat ${SA_DIR}/namespace`), ns);
    assert.match(inPod(pod, `head -1 ${SA_DIR}/ca.crt`), /BEGIN CERTIFICATE/);
    assert.match(inPod(pod, 'echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT'), /^10\.96\.0\.1:443\n$/);
    const curl = (path: string) =>
      inPod(
        pod,
        `curl -sS --max-time 10 --cacert ${SA_DIR}/ca.crt -H "Authorization: Bearer $(cat ${SA_DIR}/token)" ` +
          `-o /dev/null -w '%{http_code}' https://kubernetes.default.svc${path}`,
      );
    assert.equal(curl('/api'), '200', 'discovery through kubernetes.default.svc');
    assert.equal(curl(`/api/v1/namespaces/${ns}/pods`), '200', 'what the RoleBinding grants');
    assert.equal(curl(`/api/v1/namespaces/${ns}/secrets`), '403', 'what it does not');
    assert.equal(curl('/api/v1/nodes'), '403');
    const noToken = inPod(
      pod,
      `curl -sS --max-time 10 --cacert ${SA_DIR}/ca.crt -o /dev/null -w '%{http_code}' https://kubernetes.default.svc/api`,
    );
    assert.equal(noToken, '401');
  });

  test("the pod's token is bound to the pod: invalid once it is deleted", async () => {
    const token = inPod('victim', `cat ${SA_DIR}/token`);
    assert.equal(withToken(token, ['-n', ns, 'get', 'pods', '-o', 'name']).code, 0);
    c.k(['-n', ns, 'delete', 'pod', 'victim', '--wait=true', '--timeout=60s']);
    await eventually('the token to be refused', () => {
      const r = withToken(token, ['-n', ns, 'get', 'pods']);
      return r.code !== 0 && /Unauthorized|must be logged in/.test(r.out);
    });
  });

  test('automountServiceAccountToken: false mounts nothing', () => {
    assert.match(inPod('nomount', `ls ${SA_DIR} 2>&1; echo rc=$?`), /No such file or directory[\s\S]*rc=[12]/);
    const vols = c.k(['-n', ns, 'get', 'pod', 'nomount', '-o', 'jsonpath={.spec.volumes}']);
    assert.doesNotMatch(vols, /kube-api-access/);
    assert.match(
      c.k(['-n', ns, 'get', 'pod', 'app', '-o', 'jsonpath={.spec.volumes[*].name}']),
      /kube-api-access-\w{5}/,
    );
  });

  test('a pod of a missing ServiceAccount is refused', () => {
    const r = c.kubectl([
      '-n',
      ns,
      'run',
      'ghost',
      '--image=podnet/agnhost',
      '--overrides={"spec":{"serviceAccountName":"ghost"}}',
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /error looking up service account sa-e2e\/ghost: serviceaccount "ghost" not found/);
  });

  test("externalIPs are refused, the API server's address above all", () => {
    const apiserverIp = c.layout.hostIp;
    const r = c.kubectl(
      ['-n', ns, 'create', '-f', '-'],
      `apiVersion: v1
kind: Service
metadata: {name: capture}
spec:
  selector: {app: app}
  ports: [{port: ${c.layout.apiserverPort}, targetPort: 8080}]
  externalIPs: [${apiserverIp}]
`,
    );
    assert.notEqual(r.code, 0);
    assert.match(r.out, /services "capture" is forbidden: Use of external IPs is denied by admission control/);
  });

  test('a deleted and re-registered Node keeps its podCIDR, and its pods their network', async () => {
    const node = c.node(2);
    const before = c.k(['get', 'node', node, '-o', 'jsonpath={.spec.podCIDR}']);
    assert.match(before, /^10\.244\.\d+\.0\/24$/);
    c.k(['delete', 'node', node]);
    await eventually(
      'the node to register again with its podCIDR',
      () => {
        const r = c.kubectl(['get', 'node', node, '-o', 'jsonpath={.spec.podCIDR}']);
        return r.code === 0 && r.stdout !== '' ? r.stdout : undefined;
      },
      90_000,
    ).then((after) => assert.equal(after, before));
    c.apply(netexecPod('after-rereg', node));
    c.waitReady(['after-rereg'], 120);
    const ip = c.podIp('after-rereg');
    assert.ok(ip.startsWith(before.replace(/0\/24$/, '')), `${ip} inside ${before}`);
    await eventually('node 1 reaches the pod on the re-registered node', () =>
      c.curl(1, `http://${ip}:8080/hostname`) === 'after-rereg' ? true : undefined,
    );
  });
});

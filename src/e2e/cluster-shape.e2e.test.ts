/**
 * End to end (root): `podnet up` with a cluster of another shape than the
 * defaults (--cluster-cidr, --service-cidr, --cluster-domain) passes the
 * walkthrough: the API server keeps the shape in kube-system/podnet-config,
 * nodes get pod subnets of the new cluster CIDR and ping pods across nodes,
 * a ClusterIP Service from the new service CIDR answers from a node and from
 * a pod, and cluster DNS (at the new service CIDR's 10th address) resolves
 * its name in the new domain. A rerun with a contradicting flag is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clusterSkip, netexecPod, TestCluster } from './cluster.js';

const CLUSTER_CIDR = '172.28.0.0/16';
const SERVICE_CIDR = '10.112.0.0/16';
const DOMAIN = 'podnet.test';
const DNS_IP = '10.112.0.10';

const inCidr = (ip: string, prefix: string) => ip.startsWith(prefix);

describe('podnet up with a non-default cluster shape', { skip: clusterSkip, timeout: 400_000 }, () => {
  const cluster = new TestCluster(2, 'vxlan', [
    '--cluster-cidr',
    CLUSTER_CIDR,
    '--service-cidr',
    SERVICE_CIDR,
    '--cluster-domain',
    DOMAIN,
  ]);
  const ip: Record<string, string> = {};
  let clusterIp = '';

  before(() => {
    cluster.up();
    cluster.apply(
      netexecPod('a', cluster.node(1)) +
        netexecPod('b', cluster.node(2)) +
        `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: b}
  ports: [{port: 80, targetPort: 8080}]
`,
    );
    cluster.waitReady(['a', 'b']);
    ip.a = cluster.podIp('a');
    ip.b = cluster.podIp('b');
    clusterIp = cluster.k(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
  });
  after(() => cluster.destroy());

  test('the cluster keeps its shape in kube-system/podnet-config', () => {
    const data = JSON.parse(
      cluster.k(['-n', 'kube-system', 'get', 'configmap', 'podnet-config', '-o', 'jsonpath={.data}']),
    ) as Record<string, string>;
    assert.equal(data.clusterCIDR, CLUSTER_CIDR);
    assert.equal(data.serviceCIDR, SERVICE_CIDR);
    assert.equal(data.clusterDNS, DNS_IP);
    assert.equal(data.clusterDomain, DOMAIN);
    assert.equal(cluster.k(['get', 'service', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']), '10.112.0.1');
    assert.equal(
      cluster.k(['-n', 'kube-system', 'get', 'service', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}']),
      DNS_IP,
    );
  });

  test('node subnets and pod IPs come from the cluster CIDR; pods ping across nodes', () => {
    for (const cidr of cluster.k(['get', 'nodes', '-o', 'jsonpath={.items[*].spec.podCIDR}']).split(' '))
      assert.ok(inCidr(cidr, '172.28.'), `node podCIDR ${cidr} is not in ${CLUSTER_CIDR}`);
    assert.ok(inCidr(ip.a!, '172.28.') && inCidr(ip.b!, '172.28.'), JSON.stringify(ip));
    cluster.execOk(1, ['ping', '-c', '1', '-W', '3', ip.b!]);
    cluster.execOk(2, ['ping', '-c', '1', '-W', '3', ip.a!]);
    cluster.podShell(1, ip.a!, `ping -c 1 -W 3 ${ip.b}`);
  });

  test('a ClusterIP Service of the service CIDR answers from a node and from a pod', () => {
    assert.ok(inCidr(clusterIp, '10.112.'), `ClusterIP ${clusterIp} is not in ${SERVICE_CIDR}`);
    assert.equal(cluster.curl(1, `http://${clusterIp}/hostname`), 'b');
    assert.equal(cluster.podShell(1, ip.a!, `curl -sS --max-time 5 http://${clusterIp}/hostname`), 'b');
  });

  test("cluster DNS resolves the Service in the cluster's domain, by the search path too", () => {
    const resolv = cluster.podShell(1, ip.a!, 'cat /etc/resolv.conf');
    assert.match(resolv, new RegExp(`^nameserver ${DNS_IP.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(resolv, /^search default\.svc\.podnet\.test svc\.podnet\.test podnet\.test\b/m);
    assert.equal(cluster.podShell(1, ip.a!, `dig +short +tries=3 +time=3 web.default.svc.${DOMAIN}`).trim(), clusterIp);
    assert.equal(cluster.podShell(1, ip.a!, 'curl -sS --max-time 5 http://web/hostname'), 'b');
  });

  test('a rerun with another shape is refused and changes nothing', () => {
    const r = cluster.podnet(['up', '--state', cluster.dir, '--service-cidr', '10.96.0.0/12']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /--service-cidr 10\.96\.0\.0\/12 \(the cluster has 10\.112\.0\.0\/16\)/);
    assert.equal(cluster.curl(2, `http://${clusterIp}/hostname`), 'b');
  });
});

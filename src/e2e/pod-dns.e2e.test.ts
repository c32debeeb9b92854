/**
 * End to end (root): what a pod sees of its own name and resolver, looked at
 * from inside the pod (agnhost /shell, curled from the node): resolv.conf
 * per dnsPolicy (ClusterFirst, Default, None with dnsConfig,
 * ClusterFirstWithHostNet and ClusterFirst on hostNetwork), /etc/hosts with
 * the pod's own IP, name, spec.hostname/subdomain FQDN and hostAliases, and
 * the kernel hostname.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { clusterSkip, netexecPod, TestCluster } from './cluster.js';

/** The nameserver / search / options lines of a resolv.conf, comments and blanks dropped. */
const resolverLines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(nameserver|search|options)\s/.test(l));

const hostNetPod = (name: string, node: string, port: number, dnsPolicy?: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: ${node}
  hostNetwork: true
${dnsPolicy ? `  dnsPolicy: ${dnsPolicy}\n` : ''}  containers:
  - {name: c, image: podnet/agnhost, args: [netexec, --http-port, "${port}", --udp-port, "-1"]}
---
`;

describe('pod DNS config, hosts and hostname', { skip: clusterSkip, timeout: 300_000 }, () => {
  const cluster = new TestCluster(1, 'vxlan');
  const node = () => cluster.node(1);
  const hostResolv = resolverLines(readFileSync('/etc/resolv.conf', 'utf8'));
  const hostSearch =
    hostResolv
      .find((l) => l.startsWith('search '))
      ?.split(/\s+/)
      .slice(1) ?? [];

  before(() => {
    cluster.up();
    cluster.apply(
      [
        netexecPod('plain', node()),
        netexecPod(
          'named',
          node(),
          '  hostname: myhost\n  subdomain: mysub\n  hostAliases: [{ip: 10.1.2.3, hostnames: [alias-one, alias-two]}]\n',
        ),
        netexecPod('dflt', node(), '  dnsPolicy: Default\n'),
        netexecPod(
          'none',
          node(),
          '  dnsPolicy: "None"\n  dnsConfig: {nameservers: [192.0.2.53], searches: [a.example, b.example], options: [{name: ndots, value: "2"}, {name: edns0}]}\n',
        ),
        netexecPod('cfextra', node(), '  dnsConfig: {nameservers: [192.0.2.54], searches: [extra.example]}\n'),
        hostNetPod('hncluster', node(), 18181, 'ClusterFirstWithHostNet'),
        hostNetPod('hndefault', node(), 18182),
      ].join(''),
    );
    cluster.waitReady(['plain', 'named', 'dflt', 'none', 'cfextra', 'hncluster', 'hndefault']);
  });
  after(() => cluster.destroy());

  const inPod = (pod: string, command: string) => {
    const port = pod === 'hncluster' ? 18181 : pod === 'hndefault' ? 18182 : 8080;
    const ip = pod.startsWith('hn') ? '127.0.0.1' : cluster.podIp(pod);
    return cluster.podShell(1, ip, command, port);
  };

  test("ClusterFirst: cluster DNS, the namespace search path plus the host's, ndots:5", () => {
    assert.deepEqual(resolverLines(inPod('plain', 'cat /etc/resolv.conf')), [
      `search ${['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', ...hostSearch].join(' ')}`,
      'nameserver 10.96.0.10',
      'options ndots:5',
    ]);
  });

  test('ClusterFirst with dnsConfig: its servers and searches are appended', () => {
    const lines = resolverLines(inPod('cfextra', 'cat /etc/resolv.conf'));
    assert.ok(lines.includes('nameserver 10.96.0.10') && lines.includes('nameserver 192.0.2.54'), lines.join('\n'));
    assert.match(
      lines.find((l) => l.startsWith('search ')) ?? '',
      /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local .*extra\.example$/,
    );
  });

  test("Default: the node's own resolver", () => {
    assert.deepEqual(resolverLines(inPod('dflt', 'cat /etc/resolv.conf')), hostResolv);
  });

  test('None: exactly dnsConfig', () => {
    assert.deepEqual(resolverLines(inPod('none', 'cat /etc/resolv.conf')), [
      'search a.example b.example',
      'nameserver 192.0.2.53',
      'options ndots:2 edns0',
    ]);
  });

  test("hostNetwork: ClusterFirstWithHostNet uses cluster DNS, plain ClusterFirst falls back to the node's resolver", () => {
    const withHostNet = resolverLines(inPod('hncluster', 'cat /etc/resolv.conf'));
    assert.ok(withHostNet.includes('nameserver 10.96.0.10'), withHostNet.join('\n'));
    assert.ok(withHostNet.includes('options ndots:5'), withHostNet.join('\n'));
    assert.deepEqual(resolverLines(inPod('hndefault', 'cat /etc/resolv.conf')), hostResolv);
  });

  test('hostname and /etc/hosts: the pod name by default', () => {
    const ip = cluster.podIp('plain');
    assert.equal(inPod('plain', 'hostname').trim(), 'plain');
    const hosts = inPod('plain', 'cat /etc/hosts');
    assert.match(hosts, /^127\.0\.0\.1\s+localhost$/m);
    assert.match(hosts, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s+plain$`, 'm'));
  });

  test('spec.hostname + subdomain: hostname, FQDN in /etc/hosts, hostname -f; hostAliases appended', () => {
    const ip = cluster.podIp('named');
    assert.equal(inPod('named', 'hostname').trim(), 'myhost');
    assert.equal(inPod('named', 'hostname -f').trim(), 'myhost.mysub.default.svc.cluster.local');
    const hosts = inPod('named', 'cat /etc/hosts');
    assert.match(
      hosts,
      new RegExp(`^${ip.replace(/\./g, '\\.')}\\s+myhost\\.mysub\\.default\\.svc\\.cluster\\.local\\s+myhost$`, 'm'),
    );
    assert.match(hosts, /^10\.1\.2\.3\s+alias-one\s+alias-two$/m);
    assert.doesNotMatch(hosts, /\bnamed\b/, 'the pod name is not the hostname when spec.hostname is set');
  });

  test("hostNetwork pods have the node's hostname", () => {
    // Nodes of a local cluster share the host's UTS namespace.
    assert.equal(inPod('hncluster', 'hostname').trim(), hostname());
  });
});

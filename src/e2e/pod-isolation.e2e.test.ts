/**
 * End to end (root): a pod under runc, tried as an attacker in it would. It
 * must not see the node's or the cluster's state (the state dir, tokens,
 * the CA key), nor other pods' or the node's processes, and cannot enter
 * namespaces, mount or unshare. securityContext holds (runAsUser shows in
 * id, a read-only root refuses writes), and a memory hog is OOMKilled and
 * restarted with the kubelet's status. Pod Security Admission refuses a
 * privileged pod in a restricted namespace with kube's message;
 * shareProcessNamespace puts a pod's containers in one PID namespace.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clusterSkip, eventually, netexecPod, TestCluster } from './cluster.js';

const userPod = (name: string, node: string) =>
  netexecPod(
    name,
    node,
    '  securityContext: {runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 2000}\n',
  ).replace(
    'args: [netexec, --http-port, "8080"]',
    'args: [netexec, --http-port, "8080"]\n    securityContext: {readOnlyRootFilesystem: true}',
  );

const hogPod = (name: string, node: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: hog
    image: podnet/agnhost
    # tail keeps the whole "line" of /dev/zero in memory: it grows until the limit.
    command: [/bin/sh, -c, 'tail /dev/zero']
    resources: {limits: {memory: 32Mi, cpu: 500m}}
---
`;

const volumesPod = (name: string, node: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}-cm}
data: {greeting: hello, other: x}
---
apiVersion: v1
kind: Secret
metadata: {name: ${name}-secret}
data: {password: c2VjcmV0}
---
${netexecPod(
  name,
  node,
  `  volumes:
  - {name: cm, configMap: {name: ${name}-cm, items: [{key: greeting, path: say/greeting}], defaultMode: 0440}}
  - {name: sec, secret: {secretName: ${name}-secret}}
  - {name: mem, emptyDir: {medium: Memory, sizeLimit: 8Mi}}
`,
).replace(
  'args: [netexec, --http-port, "8080"]',
  'args: [netexec, --http-port, "8080"]\n    volumeMounts: [{name: cm, mountPath: /config}, {name: sec, mountPath: /secret}, {name: mem, mountPath: /scratch}, {name: mem, mountPath: /sub, subPath: part}]',
)}`;

describe('pods under runc: isolation and securityContext', { skip: clusterSkip, timeout: 300_000 }, () => {
  const cluster = new TestCluster(1, 'vxlan', ['--runtime', 'runc']);
  const node = () => cluster.node(1);
  const sh = (pod: string, command: string) => cluster.podShell(1, cluster.podIp(pod), command);

  before(async () => {
    cluster.up();
    cluster.apply(
      [
        netexecPod('attacker', node()),
        netexecPod('victim', node()),
        userPod('user', node()),
        hogPod('hog', node()),
        volumesPod('vols', node()),
      ].join(''),
    );
    cluster.waitReady(['attacker', 'victim', 'user', 'vols']);
    // Ready means started (no readiness probe); netexec listens a moment later.
    for (const pod of ['attacker', 'user', 'vols'])
      await eventually(`${pod} to listen`, () => sh(pod, 'echo up') === 'up\n');
  });
  after(() => cluster.destroy());

  test("the node's and the cluster's state are not in the pod's root", () => {
    const out = sh(
      'attacker',
      `ls -d ${cluster.dir} ${cluster.dir}/tokens.json ${cluster.dir}/pki/ca.key /var/lib/podnet /etc/shadow 2>&1; echo; ls /; echo; echo "var: $(ls -A /var) run: $(ls -A /var/run)"`,
    );
    for (const path of [cluster.dir, `${cluster.dir}/tokens.json`, `${cluster.dir}/pki/ca.key`, '/etc/shadow'])
      assert.match(out, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}': No such file or directory`));
    // The root is the image's view: no /root, /home, /var, /run of the node.
    const [, listing, varListing] = out.split('\n\n');
    const root = listing!.split(/\s+/).filter(Boolean);
    for (const hidden of ['root', 'home', 'run', 'srv', 'opt']) assert.ok(!root.includes(hidden), `/${hidden} visible`);
    // /var holds only the mount point of the ServiceAccount token.
    assert.equal(varListing?.trim(), 'var: run run: secrets', 'only /var/run/secrets in /var');
  });

  test("other pods' and the node's processes are invisible", () => {
    const ps = sh('attacker', 'ps -eo pid,args');
    assert.match(ps, /netexec/);
    const lines = ps.trim().split('\n').slice(1);
    // Its own netexec (PID 1), the shell and ps: nothing of the node, the agent or the victim pod.
    assert.ok(lines.length <= 4, `more processes than its own:\n${ps}`);
    assert.doesNotMatch(ps, /podnet node |podnet-shim| runc |sleep infinity/);
    assert.match(lines[0]!, /^\s*1\s/, 'the container has its own PID namespace');
  });

  test('cannot nsenter, unshare, mount or load a module', () => {
    const out = sh(
      'attacker',
      'nsenter -t 1 -n true 2>&1; echo nsenter=$?; unshare -n true 2>&1; echo unshare=$?; ' +
        'mount -t tmpfs x /tmp 2>&1; echo mount=$?; ' +
        '{ echo x > /proc/sys/kernel/hostname; } 2>&1; ' +
        'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status',
    );
    assert.match(out, /nsenter=1/);
    assert.match(out, /unshare=1/);
    assert.match(out, /mount=(1|32)/);
    assert.doesNotMatch(out, /mount=0/);
    assert.match(out, /hostname: Read-only file system/, '/proc/sys is read-only');
    assert.match(out, /NoNewPrivs:\s+1/);
    assert.match(out, /Seccomp:\s+2/);
  });

  test('runAsUser, runAsGroup and the pod groups are the process identity (id)', () => {
    // The node's /etc/passwd may name uid 1000; the numbers are what counts.
    assert.match(sh('user', 'id').trim(), /^uid=1000(\(\S+\))? gid=3000 groups=3000,2000,4000$/);
    const exec = cluster.k(['exec', 'user', '--', 'id', '-u']);
    assert.equal(exec.trim(), '1000', 'kubectl exec runs as the container user too');
  });

  test('a read-only root filesystem refuses writes, /tmp included', () => {
    const out = sh('user', 'touch /tmp/x 2>&1; echo rc=$?; touch /etc/x 2>&1; echo rc=$?');
    assert.match(out, /Read-only file system[\s\S]*rc=1[\s\S]*Read-only file system[\s\S]*rc=1/);
    // The plain pod may write its /tmp (the image's writable layer here).
    assert.match(sh('attacker', 'touch /tmp/x && echo ok'), /ok/);
  });

  test('a memory hog is OOMKilled (137) and restarted; QoS classes in status', async () => {
    const last = await eventually(
      'the hog to be killed',
      () => {
        const t = cluster.jsonpath('hog', '{.status.containerStatuses[0].lastState.terminated}');
        return t ? (JSON.parse(t) as { reason: string; exitCode: number }) : undefined;
      },
      90_000,
    );
    assert.equal(last.reason, 'OOMKilled');
    assert.equal(last.exitCode, 137);
    assert.ok(Number(cluster.jsonpath('hog', '{.status.containerStatuses[0].restartCount}')) >= 1);
    // Limits alone are also the requests: Guaranteed.
    assert.equal(cluster.jsonpath('hog', '{.status.qosClass}'), 'Guaranteed');
    assert.equal(cluster.jsonpath('attacker', '{.status.qosClass}'), 'BestEffort');
  });

  test('volumes: configMap items and mode, secret, a sized memory emptyDir, subPath', () => {
    const out = sh(
      'vols',
      'cat /config/say/greeting; echo; stat -L -c %a /config/say/greeting; ls /config; cat /secret/password; echo; ' +
        'grep " /scratch " /proc/mounts; touch /sub/f && ls /scratch/part; touch /config/x 2>&1; echo rc=$?',
    );
    assert.match(out, /^hello\n440\nsay\nsecret\n/);
    assert.match(out, /tmpfs \/scratch tmpfs rw.*size=8192k/);
    assert.match(out, /\nf\n/, 'the subPath is a directory of the same emptyDir');
    assert.match(out, /Read-only file system\nrc=1/, 'configMap volumes are read-only');
  });

  test("restricted Pod Security refuses a privileged pod with kube's message; warn lets it through with kube's warning", () => {
    cluster.apply(`apiVersion: v1
kind: Namespace
metadata:
  name: psa-restricted
  labels: {pod-security.kubernetes.io/enforce: restricted}
---
apiVersion: v1
kind: Namespace
metadata:
  name: psa-warned
  labels: {pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/warn: restricted}
`);
    const privileged = (ns: string) => `apiVersion: v1
kind: Pod
metadata: {name: priv, namespace: ${ns}}
spec:
  containers:
  - {name: c, image: podnet/agnhost, securityContext: {privileged: true}}
`;
    const refused = cluster.kubectl(['apply', '-f', '-'], privileged('psa-restricted'));
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.out,
      /Error from server \(Forbidden\): error when creating "STDIN": pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged \(container "c" must not set securityContext.privileged=true\), allowPrivilegeEscalation != false \(container "c" must set securityContext.allowPrivilegeEscalation=false\), unrestricted capabilities \(container "c" must set securityContext.capabilities.drop=\["ALL"\]\), runAsNonRoot != true \(pod or container "c" must set securityContext.runAsNonRoot=true\), seccompProfile \(pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"\)/,
    );
    // Baseline refuses it too; a plain pod passes enforce and gets restricted's warning.
    assert.match(
      cluster.kubectl(['apply', '-f', '-'], privileged('psa-warned')).out,
      /violates PodSecurity "baseline:latest": privileged \(container "c" must not set securityContext.privileged=true\)/,
    );
    const warned = cluster.kubectl(['-n', 'psa-warned', 'run', 'plain', '--image=podnet/agnhost']);
    assert.equal(warned.code, 0, warned.out);
    assert.match(
      warned.out,
      /Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
    );
    // A pod that meets restricted runs there.
    cluster.apply(`apiVersion: v1
kind: Pod
metadata: {name: hardened, namespace: psa-restricted}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: c
    image: podnet/agnhost
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`);
    cluster.k(['-n', 'psa-restricted', 'wait', '--for=condition=Ready', 'pod/hardened', '--timeout=60s']);
  });

  test("shareProcessNamespace: the pod's containers see each other's processes, PID 1 reaps", async () => {
    cluster.apply(`apiVersion: v1
kind: Pod
metadata: {name: shared}
spec:
  nodeName: ${node()}
  shareProcessNamespace: true
  terminationGracePeriodSeconds: 1
  containers:
  - {name: a, image: podnet/agnhost, command: [/bin/sh, -c, 'exec sleep 4242']}
  - {name: b, image: podnet/agnhost, command: [/bin/sh, -c, 'exec sleep 4343']}
`);
    cluster.waitReady(['shared']);
    const ps = await eventually('both sleeps in one namespace', () => {
      const out = cluster.k(['exec', 'shared', '-c', 'a', '--', 'ps', '-eo', 'pid,args']);
      return /sleep 4343/.test(out) && /sleep 4242/.test(out) && out;
    });
    assert.match(ps, /^\s*1\s+\S*podnet-shim pause$/m, "PID 1 is the pod's init");
    // An orphan of a container is reaped by PID 1: no zombie stays behind.
    cluster.k(['exec', 'shared', '-c', 'b', '--', '/bin/sh', '-c', '(sleep 0.2 &) ; exit 0']);
    await eventually(
      'no zombie',
      () => !/\sZ/.test(cluster.k(['exec', 'shared', '-c', 'a', '--', 'ps', '-eo', 'pid,stat,args'])),
    );
    // A pod without it keeps one namespace per container.
    assert.doesNotMatch(sh('attacker', 'ps -eo args'), /sleep 4343/);
  });

  test('a ConfigMap update reaches the running pod (atomic swap of ..data)', async () => {
    cluster.k(['patch', 'configmap', 'vols-cm', '-p', '{"data":{"greeting":"bonjour"}}']);
    await eventually('the new greeting', () => sh('vols', 'cat /config/say/greeting') === 'bonjour', 60_000);
    assert.match(sh('vols', 'readlink /config/..data'), /^\.\.[0-9a-f]{16}\n?$/);
  });
});

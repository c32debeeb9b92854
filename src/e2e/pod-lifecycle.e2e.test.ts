/**
 * End to end (root), the kubelet side of issue 3 as kubectl shows it:
 * readiness gates Ready; a failing liveness probe restarts the container
 * with back-off; init containers run first; exit codes show in status; an
 * unknown image is ErrImagePull with a message saying how to provide it;
 * `kubectl delete pod` finishes within the grace period and leaves nothing
 * on the node; a killed and restarted agent leaves its pods running,
 * unrestarted and reachable, with an open TCP connection intact.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clusterSkip, eventually, netexecPod, TestCluster } from './cluster.js';

interface ContainerStatus {
  ready: boolean;
  restartCount: number;
  containerID?: string;
  state: {
    running?: { startedAt: string };
    waiting?: { reason: string; message?: string };
    terminated?: { exitCode: number; reason: string; startedAt?: string; finishedAt?: string };
  };
  lastState: { terminated?: { exitCode: number; reason: string } };
}
interface PodJson {
  metadata: { uid: string };
  status: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

const ECHO_SERVER = "require('net').createServer((s) => s.pipe(s)).listen(9000)";
const ECHO_CLIENT =
  "const s = require('net').connect(9000, process.argv[1]); process.stdin.pipe(s); s.pipe(process.stdout); s.on('close', () => { console.log('CLOSED'); process.exit(0); })";

/** Pids whose network namespace is the named netns. */
function pidsInNetns(netns: string): number[] {
  const ino = statSync(`/run/netns/${netns}`).ino;
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/net`) === `net:[${ino}]`;
      } catch {
        return false;
      }
    });
}

describe('pod lifecycle', { skip: clusterSkip, timeout: 300_000 }, () => {
  const cluster = new TestCluster(2, 'vxlan');
  // The path where the pods below share files: an emptyDir volume mounted there (pods see no node files).
  const shared = mkdtempSync(join(tmpdir(), 'podnet-e2e-files-'));
  const pod = (name: string) => JSON.parse(cluster.k(['get', 'pod', name, '-o', 'json'])) as PodJson;
  const condition = (p: PodJson, type: string) => p.status.conditions?.find((c) => c.type === type)?.status;

  before(() => {
    cluster.up();
    cluster.apply(`
apiVersion: v1
kind: Pod
metadata: {name: never-ready}
spec:
  containers:
  - name: c
    image: podnet/agnhost
    args: [netexec, --http-port, "8080"]
    readinessProbe: {httpGet: {path: "/echo?code=503", port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: ready-later}
spec:
  containers:
  - name: c
    image: podnet/agnhost
    args: [netexec, --http-port, "8080"]
    readinessProbe: {exec: {command: [/bin/sh, -c, "test -f ${shared}/ready"]}, periodSeconds: 1}
    volumeMounts: [{name: shared, mountPath: ${shared}}]
  volumes: [{name: shared, emptyDir: {}}]
---
apiVersion: v1
kind: Pod
metadata: {name: unhealthy}
spec:
  containers:
  - name: c
    image: podnet/agnhost
    args: [netexec, --http-port, "8080"]
    livenessProbe: {httpGet: {path: "/echo?code=500", port: 8080}, periodSeconds: 1, failureThreshold: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: with-init}
spec:
  initContainers:
  - {name: init, image: podnet/agnhost, command: [/bin/sh, -c, "sleep 1; echo made-by-init > ${shared}/init-file"], volumeMounts: [{name: shared, mountPath: ${shared}}]}
  containers:
  - {name: c, image: podnet/agnhost, command: [/bin/sh, -c, "test -f ${shared}/init-file && exec sleep 3600"], volumeMounts: [{name: shared, mountPath: ${shared}}]}
  volumes: [{name: shared, emptyDir: {}}]
---
apiVersion: v1
kind: Pod
metadata: {name: exit-three}
spec:
  restartPolicy: Never
  containers:
  - {name: c, image: podnet/agnhost, command: [/bin/sh, -c, "exit 3"]}
---
apiVersion: v1
kind: Pod
metadata: {name: no-image}
spec:
  containers:
  - {name: c, image: "no-such-registry.example/missing:1.0"}
`);
  });
  after(async () => {
    try {
      await cluster.destroy();
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  test('a failing readiness probe keeps the pod unready; once it passes, Ready', async () => {
    await eventually('ready-later running', () => pod('ready-later').status.containerStatuses?.[0]?.state.running);
    await eventually('never-ready running', () => pod('never-ready').status.containerStatuses?.[0]?.state.running);
    // Several probe periods of failures: still unready, and no restarts (readiness never restarts).
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      for (const name of ['ready-later', 'never-ready']) {
        const p = pod(name);
        assert.equal(condition(p, 'Ready'), 'False', `${name} must not be Ready while its probe fails`);
        assert.equal(p.status.containerStatuses?.[0]?.ready, false);
        assert.equal(p.status.containerStatuses?.[0]?.restartCount, 0);
      }
    }
    assert.match(cluster.k(['get', 'pod', 'never-ready', '--no-headers']), /^never-ready\s+0\/1\s+Running\s/);
    // Fix it from inside the pod (the probe's file), as a user would.
    cluster.podShell(1, cluster.podIp('ready-later'), `touch ${shared}/ready`);
    cluster.waitReady(['ready-later']);
    assert.match(cluster.k(['get', 'pod', 'ready-later', '--no-headers']), /^ready-later\s+1\/1\s+Running\s+0\s/);
    assert.equal(condition(pod('never-ready'), 'Ready'), 'False');
  });

  test('a failing liveness probe restarts the container, with back-off in between', async () => {
    const seen = new Set<string>();
    const restarted = await eventually(
      'two liveness restarts',
      () => {
        const s = pod('unhealthy').status.containerStatuses?.[0];
        if (s?.state.waiting) seen.add(s.state.waiting.reason);
        return s && s.restartCount >= 2 ? s : undefined;
      },
      90_000,
    );
    // The back-off shows as the CrashLoopBackOff waiting state, or (when the restarts happened before this test
    // looked, on a busy machine) as the agent's BackOff event.
    const backOffEvents = cluster.k([
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=unhealthy,reason=BackOff',
      '-o',
      'name',
    ]);
    assert.ok(
      seen.has('CrashLoopBackOff') || backOffEvents.trim() !== '',
      `the restarts must back off (waiting reasons seen: ${[...seen].join(', ') || 'none'}; no BackOff event)`,
    );
    const last = restarted.lastState.terminated;
    assert.ok(last, `lastState must show the killed container as terminated: ${JSON.stringify(restarted)}`);
    // How it ended is the program's choice: agnhost exits on SIGTERM (0, Completed) or dies of it (143, Error).
    assert.ok(
      ['Completed', 'Error'].includes(last.reason) && [0, 137, 143].includes(last.exitCode),
      `lastState: ${JSON.stringify(last)}`,
    );
    assert.match(cluster.k(['get', 'pod', 'unhealthy', '--no-headers']), /^unhealthy\s+\d\/1\s+\S+\s+[2-9]/);
  });

  test('init containers run to completion before the app container starts', async () => {
    cluster.waitReady(['with-init']);
    const p = pod('with-init');
    const init = p.status.initContainerStatuses?.[0]?.state.terminated;
    assert.ok(init, JSON.stringify(p.status.initContainerStatuses));
    assert.deepEqual([init.exitCode, init.reason], [0, 'Completed']);
    const app = p.status.containerStatuses?.[0];
    assert.equal(app?.restartCount, 0, "the app container found the init container's file on its first start");
    assert.ok(
      Date.parse(app.state.running!.startedAt) >= Date.parse(init.finishedAt!),
      `app started ${app.state.running!.startedAt} before init finished ${init.finishedAt}`,
    );
    assert.equal(condition(p, 'Initialized'), 'True');
  });

  test('exit codes show in status; restartPolicy Never ends the pod Failed', async () => {
    await eventually('exit-three Failed', () => pod('exit-three').status.phase === 'Failed');
    assert.equal(cluster.jsonpath('exit-three', '{.status.containerStatuses[0].state.terminated.exitCode}'), '3');
    assert.equal(cluster.jsonpath('exit-three', '{.status.containerStatuses[0].state.terminated.reason}'), 'Error');
    assert.equal(cluster.jsonpath('exit-three', '{.status.containerStatuses[0].restartCount}'), '0');
  });

  test('an unknown image: ErrImagePull with a message that says how to provide it', async () => {
    const waiting = await eventually(
      'no-image waiting',
      () => pod('no-image').status.containerStatuses?.[0]?.state.waiting,
    );
    assert.equal(waiting.reason, 'ErrImagePull');
    assert.match(waiting.message ?? '', /no-such-registry\.example\/missing:1\.0/);
    assert.match(waiting.message ?? '', /image table/);
    assert.match(waiting.message ?? '', /images\.yaml/, 'names the file to add the image to');
    assert.match(cluster.k(['get', 'pod', 'no-image', '--no-headers']), /^no-image\s+0\/1\s+ErrImagePull\s/);
  });

  test('kubectl delete pod returns within the grace period and leaves nothing on the node', () => {
    const node = cluster.node(2);
    cluster.apply(
      netexecPod('doomed', node, '').replace('terminationGracePeriodSeconds: 5', 'terminationGracePeriodSeconds: 30'),
    );
    cluster.waitReady(['doomed']);
    const p = pod('doomed');
    const ip = p.status.podIP!;
    const netns = `podnet-${node}-${p.metadata.uid.replace(/-/g, '').slice(0, 12)}`;
    const reservation = join(cluster.dir, 'nodes', node, 'pods', 'cni', 'networks', 'podnet', ip);
    assert.ok(existsSync(`/run/netns/${netns}`), `expected the pod's netns ${netns}`);
    assert.ok(existsSync(reservation), `expected the IPAM reservation ${reservation}`);
    const procs = pidsInNetns(netns);
    assert.ok(procs.length > 0, "expected the pod's processes in its netns");
    const vethsBefore = cluster.execOk(2, ['ip', '-o', 'link', 'show', 'type', 'veth']).trim().split('\n');

    // --timeout: kubectl fails unless the pod is gone within the grace period.
    cluster.k(['delete', 'pod', 'doomed', '--timeout=30s']);

    assert.equal(existsSync(`/run/netns/${netns}`), false, `netns ${netns} left behind`);
    assert.equal(existsSync(reservation), false, `IPAM reservation ${reservation} left behind`);
    assert.deepEqual(
      procs.filter((pid) => existsSync(`/proc/${pid}`)),
      [],
      'pod processes left running',
    );
    const vethsAfter = cluster
      .execOk(2, ['ip', '-o', 'link', 'show', 'type', 'veth'])
      .trim()
      .split('\n')
      .filter(Boolean);
    assert.equal(
      vethsAfter.length,
      vethsBefore.length - 1,
      `exactly the pod's veth is gone:\nbefore ${vethsBefore.join('\n')}\nafter ${vethsAfter.join('\n')}`,
    );
    assert.ok(vethsAfter.every((v) => vethsBefore.includes(v)));
    assert.equal(cluster.exec(1, ['ping', '-c', '1', '-W', '1', ip]).code === 0, false, `${ip} still answers`);
  });

  test('an agent that crashes or is killed and started again leaves its pods running, reachable, connections open', async () => {
    cluster.apply(`${netexecPod('survivor', cluster.node(2))}apiVersion: v1
kind: Pod
metadata: {name: echo}
spec:
  nodeName: ${cluster.node(2)}
  containers:
  - {name: c, image: podnet/agnhost, command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(ECHO_SERVER)}]}
`);
    cluster.waitReady(['survivor', 'echo']);
    const before = { survivor: pod('survivor'), echo: pod('echo') };
    const echoIp = before.echo.status.podIP!;

    // A TCP connection from node1 into the echo pod, held open across the restart.
    const client = cluster.spawnOnNode(1, [process.execPath, '-e', ECHO_CLIENT, echoIp]);
    let received = '';
    client.stdout.on('data', (b: Buffer) => {
      received += b.toString();
    });
    await eventually(
      'the client to connect',
      () => {
        client.stdin.write('before\n');
        return received.includes('before') || undefined;
      },
      30_000,
    );

    const adopted = async (how: string) => {
      await eventually(
        `node2 Ready again (${how})`,
        () =>
          cluster.k([
            'get',
            'node',
            cluster.node(2),
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
          ]) === 'True',
      );
      // Give the new agent a few relist rounds to (wrongly) disturb what it adopted.
      await new Promise((r) => setTimeout(r, 3000));

      for (const name of ['survivor', 'echo'] as const) {
        const now = pod(name);
        const [was, is] = [before[name].status.containerStatuses![0]!, now.status.containerStatuses![0]!];
        assert.equal(is.restartCount, 0, `${name} restarted (${how})`);
        assert.equal(is.containerID, was.containerID, `${name} has a new container (${how})`);
        assert.deepEqual(is.state.running, was.state.running, `${name} is not the same running container (${how})`);
        assert.equal(now.status.podIP, before[name].status.podIP);
        assert.equal(condition(now, 'Ready'), 'True');
      }
      assert.equal(cluster.curl(1, `http://${before.survivor.status.podIP}:8080/hostname`), 'survivor');
      client.stdin.write(`after-${how}\n`);
      await eventually(
        `the held connection to still echo (${how})`,
        () => received.includes(`after-${how}`) || undefined,
        15_000,
      );
    };

    // A crash: the agent's supervisor starts it again by itself.
    await cluster.crashAgent(2);
    await adopted('crash');
    // Agent and supervisor gone: the next `podnet up` starts them.
    await cluster.killAgent(2);
    cluster.upAgain();
    await adopted('up');
    assert.doesNotMatch(received, /CLOSED/);
  });
});

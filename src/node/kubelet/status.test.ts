import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRuntimeState, SandboxState } from '../runtime/types.js';
import { podStatus, statusEqual, type StatusInput } from './status.js';
import type { Pod, PodSpec, PodStatus } from './types.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const S = (ms: number) => iso(ms).replace('.000Z', 'Z');
const running = (name: string, attempt = 0): ContainerRuntimeState => ({
  name,
  attempt,
  state: 'running',
  pid: 1,
  startedAt: iso(T0),
});
const exited = (name: string, exitCode: number, attempt = 0): ContainerRuntimeState => ({
  name,
  attempt,
  state: 'exited',
  startedAt: iso(T0),
  finishedAt: iso(T0 + 1000),
  exitCode,
  reason: exitCode === 0 ? 'Completed' : 'Error',
});
const sandbox = (cs: ContainerRuntimeState[], alive = true): SandboxState => ({
  uid: 'u1',
  namespace: 'ns',
  name: 'p',
  hostNetwork: false,
  ip: '10.244.0.5',
  createdAt: iso(T0),
  alive,
  containers: Object.fromEntries(cs.map((c) => [c.name, c])),
});
const pod = (spec: Partial<PodSpec> = {}, status?: PodStatus): Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
  spec: { containers: [{ name: 'a', image: 'img-a' }], ...spec },
  ...(status ? { status } : {}),
});
const gen = (i: Partial<StatusInput> & { pod: Pod }) =>
  podStatus({ probe: {}, waiting: {}, now: T0, hostIp: '192.168.1.10', ...i });
const cond = (s: PodStatus) =>
  Object.fromEntries((s.conditions ?? []).map((c) => [c.type, [c.status, c.reason ?? '', c.message ?? '']]));

describe('podStatus phase and conditions', () => {
  const cases: [string, Partial<StatusInput> & { pod: Pod }, string, Record<string, string[]>][] = [
    [
      'no sandbox yet: Pending, ContainerCreating',
      { pod: pod() },
      'Pending',
      {
        PodReadyToStartContainers: ['False', '', ''],
        Initialized: ['True', '', ''],
        Ready: ['False', 'ContainersNotReady', 'containers with unready status: [a]'],
        ContainersReady: ['False', 'ContainersNotReady', 'containers with unready status: [a]'],
        PodScheduled: ['True', '', ''],
      },
    ],
    [
      'running, no probes: Running and Ready',
      { pod: pod(), sandbox: sandbox([running('a')]) },
      'Running',
      {
        PodReadyToStartContainers: ['True', '', ''],
        Initialized: ['True', '', ''],
        Ready: ['True', '', ''],
        ContainersReady: ['True', '', ''],
        PodScheduled: ['True', '', ''],
      },
    ],
    [
      'readiness probe without result: not ready',
      {
        pod: pod({ containers: [{ name: 'a', readinessProbe: { tcpSocket: { port: 80 } } }] }),
        sandbox: sandbox([running('a')]),
      },
      'Running',
      {
        PodReadyToStartContainers: ['True', '', ''],
        Initialized: ['True', '', ''],
        Ready: ['False', 'ContainersNotReady', 'containers with unready status: [a]'],
        ContainersReady: ['False', 'ContainersNotReady', 'containers with unready status: [a]'],
        PodScheduled: ['True', '', ''],
      },
    ],
    [
      'init pending',
      { pod: pod({ initContainers: [{ name: 'i' }] }), sandbox: sandbox([running('i')]) },
      'Pending',
      {
        PodReadyToStartContainers: ['True', '', ''],
        Initialized: ['False', 'ContainersNotInitialized', 'containers with incomplete status: [i]'],
        Ready: ['False', 'ContainersNotReady', 'containers with unready status: [a]'],
        ContainersReady: ['False', 'ContainersNotReady', 'containers with unready status: [a]'],
        PodScheduled: ['True', '', ''],
      },
    ],
    [
      'Never, exited 0: Succeeded / PodCompleted',
      { pod: pod({ restartPolicy: 'Never' }), sandbox: sandbox([exited('a', 0)]) },
      'Succeeded',
      {
        PodReadyToStartContainers: ['True', '', ''],
        Initialized: ['True', 'PodCompleted', ''],
        Ready: ['False', 'PodCompleted', ''],
        ContainersReady: ['False', 'PodCompleted', ''],
        PodScheduled: ['True', '', ''],
      },
    ],
    [
      'Never, exited 1: Failed / PodFailed',
      { pod: pod({ restartPolicy: 'Never' }), sandbox: sandbox([exited('a', 1)]) },
      'Failed',
      {
        PodReadyToStartContainers: ['True', '', ''],
        Initialized: ['True', '', ''],
        Ready: ['False', 'PodFailed', ''],
        ContainersReady: ['False', 'PodFailed', ''],
        PodScheduled: ['True', '', ''],
      },
    ],
    [
      'Never, init failed: Failed',
      { pod: pod({ restartPolicy: 'Never', initContainers: [{ name: 'i' }] }), sandbox: sandbox([exited('i', 1)]) },
      'Failed',
      {
        PodReadyToStartContainers: ['True', '', ''],
        Initialized: ['False', 'ContainersNotInitialized', 'containers with incomplete status: [i]'],
        Ready: ['False', 'PodFailed', ''],
        ContainersReady: ['False', 'PodFailed', ''],
        PodScheduled: ['True', '', ''],
      },
    ],
    [
      'Always, exited and waiting for restart: Running',
      {
        pod: pod(),
        sandbox: sandbox([exited('a', 1)]),
        waiting: { a: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } },
      },
      'Running',
      {
        PodReadyToStartContainers: ['True', '', ''],
        Initialized: ['True', '', ''],
        Ready: ['False', 'ContainersNotReady', 'containers with unready status: [a]'],
        ContainersReady: ['False', 'ContainersNotReady', 'containers with unready status: [a]'],
        PodScheduled: ['True', '', ''],
      },
    ],
    [
      'terminal pod stays terminal',
      { pod: pod({}, { phase: 'Failed' }), sandbox: sandbox([running('a')]) },
      'Failed',
      {
        PodReadyToStartContainers: ['True', '', ''],
        Initialized: ['True', '', ''],
        Ready: ['False', 'PodFailed', ''],
        ContainersReady: ['False', 'PodFailed', ''],
        PodScheduled: ['True', '', ''],
      },
    ],
    [
      'podIsTerminal: stopped Always pod with exit 0 is Succeeded',
      { pod: pod(), sandbox: sandbox([exited('a', 0)]), podIsTerminal: true },
      'Succeeded',
      {
        PodReadyToStartContainers: ['True', '', ''],
        Initialized: ['True', 'PodCompleted', ''],
        Ready: ['False', 'PodCompleted', ''],
        ContainersReady: ['False', 'PodCompleted', ''],
        PodScheduled: ['True', '', ''],
      },
    ],
    [
      'readiness gate missing',
      { pod: pod({ readinessGates: [{ conditionType: 'x/ok' }] }), sandbox: sandbox([running('a')]) },
      'Running',
      {
        PodReadyToStartContainers: ['True', '', ''],
        Initialized: ['True', '', ''],
        Ready: [
          'False',
          'ReadinessGatesNotReady',
          'corresponding condition of pod readiness gate "x/ok" does not exist.',
        ],
        ContainersReady: ['True', '', ''],
        PodScheduled: ['True', '', ''],
      },
    ],
  ];
  for (const [name, input, phase, conds] of cases) {
    test(name, () => {
      const s = gen(input);
      assert.equal(s.phase, phase);
      assert.deepEqual(cond(s), conds);
    });
  }
});

describe('container statuses', () => {
  test('running container', () => {
    const s = gen({ pod: pod(), sandbox: sandbox([running('a', 2)]), imageIDs: { a: 'img-a@sha256:1' } });
    assert.deepEqual(s.containerStatuses, [
      {
        name: 'a',
        image: 'img-a',
        imageID: 'img-a@sha256:1',
        containerID: 'podnet://u1-a-2',
        ready: true,
        started: true,
        restartCount: 2,
        state: { running: { startedAt: S(T0) } },
        lastState: {},
      },
    ]);
    assert.equal(s.podIP, '10.244.0.5');
    assert.deepEqual(s.hostIPs, [{ ip: '192.168.1.10' }]);
    assert.equal(s.startTime, S(T0));
  });
  test('startup probe gates started and ready', () => {
    const p = pod({ containers: [{ name: 'a', startupProbe: { exec: { command: ['x'] } } }] });
    const before = gen({ pod: p, sandbox: sandbox([running('a')]) }).containerStatuses![0]!;
    assert.deepEqual([before.started, before.ready], [false, false]);
    const after = gen({ pod: p, sandbox: sandbox([running('a')]), probe: { a: { started: true } } })
      .containerStatuses![0]!;
    assert.deepEqual([after.started, after.ready], [true, true]);
  });
  test('crash loop: waiting with the terminated state moved to lastState', () => {
    const s = gen({
      pod: pod(),
      sandbox: sandbox([exited('a', 2, 3)]),
      waiting: {
        a: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=a pod=p_ns(u1)' },
      },
    });
    const c = s.containerStatuses![0]!;
    assert.deepEqual(c.state, {
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=a pod=p_ns(u1)' },
    });
    assert.deepEqual(c.lastState, {
      terminated: {
        exitCode: 2,
        reason: 'Error',
        startedAt: S(T0),
        finishedAt: S(T0 + 1000),
        containerID: 'podnet://u1-a-3',
      },
    });
    assert.equal(c.restartCount, 3);
  });
  test('a new attempt takes the previous terminated state as lastState', () => {
    const first = gen({ pod: pod(), sandbox: sandbox([exited('a', 1, 0)]) });
    const second = gen({ pod: pod({}, first), sandbox: sandbox([running('a', 1)]) });
    assert.deepEqual(second.containerStatuses![0]!.lastState, first.containerStatuses![0]!.state);
    const third = gen({ pod: pod({}, second), sandbox: sandbox([running('a', 1)]), now: T0 + 5000 });
    assert.ok(statusEqual(second, third), 'stable once published');
  });
  test('init containers: PodInitializing, then ready after exit 0', () => {
    const p = pod({ initContainers: [{ name: 'i', image: 'img-i' }] });
    const s1 = gen({ pod: p, sandbox: sandbox([running('i')]) });
    assert.deepEqual(s1.containerStatuses![0]!.state, { waiting: { reason: 'PodInitializing' } });
    const s2 = gen({ pod: p, sandbox: sandbox([exited('i', 0), running('a')]) });
    assert.equal(s2.initContainerStatuses![0]!.ready, true);
    assert.equal(cond(s2).Initialized![0], 'True');
  });
  test('container the runtime lost while running: unknown termination, restart counted', () => {
    const prev = gen({ pod: pod(), sandbox: sandbox([running('a', 1)]) });
    const s = gen({ pod: pod({}, prev) });
    const c = s.containerStatuses![0]!;
    assert.equal(c.restartCount, 2);
    assert.equal(c.lastState.terminated?.reason, 'ContainerStatusUnknown');
    assert.equal(c.lastState.terminated?.exitCode, 137);
    assert.equal(s.podIP, '10.244.0.5', 'pod IP kept from the published status');
  });
  test('config error shows as waiting reason', () => {
    const s = gen({
      pod: pod(),
      sandbox: sandbox([]),
      waiting: { a: { reason: 'CreateContainerConfigError', message: 'configmap "x" not found' } },
    });
    assert.deepEqual(s.containerStatuses![0]!.state, {
      waiting: { reason: 'CreateContainerConfigError', message: 'configmap "x" not found' },
    });
    assert.equal(s.phase, 'Pending');
  });
  test('hostNetwork pods get the host IP', () => {
    assert.equal(gen({ pod: pod({ hostNetwork: true }), sandbox: sandbox([running('a')]) }).podIP, '192.168.1.10');
  });
});

describe('determinism and timestamps', () => {
  test('same inputs give deep-equal output', () => {
    const i = { pod: pod(), sandbox: sandbox([running('a')]) };
    assert.deepEqual(gen(i), gen(i));
  });
  test('lastTransitionTime and startTime kept while unchanged; changed conditions restamped', () => {
    const s1 = gen({
      pod: pod({ containers: [{ name: 'a', readinessProbe: { tcpSocket: { port: 1 } } }] }),
      sandbox: sandbox([running('a')]),
    });
    const p2 = pod({ containers: [{ name: 'a', readinessProbe: { tcpSocket: { port: 1 } } }] }, s1);
    const same = gen({ pod: p2, sandbox: sandbox([running('a')]), now: T0 + 60_000 });
    assert.ok(statusEqual(s1, same));
    const ready = gen({ pod: p2, sandbox: sandbox([running('a')]), probe: { a: { ready: true } }, now: T0 + 60_000 });
    const ltt = Object.fromEntries(ready.conditions!.map((c) => [c.type, c.lastTransitionTime]));
    assert.equal(ltt.Ready, S(T0 + 60_000));
    assert.equal(ltt.ContainersReady, S(T0 + 60_000));
    assert.equal(ltt.PodScheduled, S(T0));
    assert.equal(ready.startTime, S(T0));
  });
  test('foreign conditions are kept first; statusEqual ignores null vs absent', () => {
    const foreign = { type: 'x/ok', status: 'True' as const, lastTransitionTime: S(T0 - 1000) };
    const s = gen({ pod: pod({}, { conditions: [foreign] }) });
    assert.deepEqual(s.conditions![0], foreign);
    assert.ok(statusEqual({ phase: 'Running', message: undefined }, JSON.parse('{"phase":"Running","message":null}')));
    assert.ok(!statusEqual({ phase: 'Running' }, { phase: 'Pending' }));
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRuntimeState, SandboxState } from '../runtime/types.js';
import { BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, backoffRetryAt, nextBackoff } from './backoff.js';
import { planPod, type PlanInput, type PodPlan } from './plan.js';
import type { Pod, PodSpec, PodStatus } from './types.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const running = (name: string, attempt = 0): ContainerRuntimeState => ({
  name,
  attempt,
  state: 'running',
  pid: 100,
  startedAt: iso(T0),
});
const exited = (name: string, exitCode: number, attempt = 0, finishedAt = T0): ContainerRuntimeState => ({
  name,
  attempt,
  state: 'exited',
  startedAt: iso(T0 - 5000),
  finishedAt: iso(finishedAt),
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
const pod = (spec: Partial<PodSpec> = {}, extra: { deleting?: boolean; status?: PodStatus } = {}): Pod => ({
  metadata: {
    name: 'p',
    namespace: 'ns',
    uid: 'u1',
    ...(extra.deleting ? { deletionTimestamp: iso(T0), deletionGracePeriodSeconds: 5 } : {}),
  },
  spec: { containers: [{ name: 'a' }, { name: 'b' }], terminationGracePeriodSeconds: 20, ...spec },
  ...(extra.status ? { status: extra.status } : {}),
});
const base: PodPlan = {
  killPod: false,
  gracePeriodSeconds: 20,
  createSandbox: false,
  kill: [],
  start: [],
  waiting: [],
  backoff: {},
};
const plan = (p: Partial<PlanInput> & { pod: Pod }) => planPod({ probe: {}, backoff: {}, now: T0, ...p });
const inits = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };

describe('nextBackoff / backoffRetryAt', () => {
  test('10 s doubling to 300 s', () => {
    let e = nextBackoff(undefined, T0, T0);
    const delays = [e.delayMs];
    for (let i = 0; i < 7; i++) {
      e = nextBackoff(e, e.lastUpdate + 1000, e.lastUpdate + 1000);
      delays.push(e.delayMs);
    }
    assert.deepEqual(
      delays.map((d) => d / 1000),
      [10, 20, 40, 80, 160, 300, 300, 300],
    );
  });
  test('reset after running fine for more than 10 minutes', () => {
    const e = { delayMs: BACKOFF_MAX_MS, lastUpdate: T0 };
    assert.equal(nextBackoff(e, T0 + 600_001, T0 + 600_001).delayMs, BACKOFF_INITIAL_MS);
    assert.equal(nextBackoff(e, T0 + 599_000, T0 + 599_000).delayMs, BACKOFF_MAX_MS);
    assert.equal(backoffRetryAt(e, T0 + 600_001, T0 + 600_002), undefined);
  });
  test('retry time counts from the exit', () => {
    const e = { delayMs: 20_000, lastUpdate: T0 };
    assert.equal(backoffRetryAt(e, T0 + 5000, T0 + 6000), T0 + 25_000);
    assert.equal(backoffRetryAt(e, T0 + 5000, T0 + 25_000), undefined);
    assert.equal(backoffRetryAt(undefined, T0, T0), undefined);
  });
});

describe('planPod', () => {
  const cases: [string, Partial<PlanInput> & { pod: Pod }, Partial<PodPlan>][] = [
    [
      'new pod: create sandbox, start all app containers',
      { pod: pod() },
      {
        createSandbox: true,
        start: [
          { name: 'a', attempt: 0 },
          { name: 'b', attempt: 0 },
        ],
      },
    ],
    [
      'new pod with init containers: start the first init only',
      { pod: pod(inits) },
      { createSandbox: true, startInit: { name: 'i1', attempt: 0 } },
    ],
    ['all running: nothing to do', { pod: pod(), sandbox: sandbox([running('a'), running('b')]) }, {}],
    ['first init running: wait', { pod: pod(inits), sandbox: sandbox([running('i1')]) }, {}],
    [
      'first init done: start the second',
      { pod: pod(inits), sandbox: sandbox([exited('i1', 0)]) },
      { startInit: { name: 'i2', attempt: 0 } },
    ],
    [
      'inits done: start app containers',
      { pod: pod(inits), sandbox: sandbox([exited('i1', 0), exited('i2', 0)]) },
      {
        start: [
          { name: 'a', attempt: 0 },
          { name: 'b', attempt: 0 },
        ],
      },
    ],
    [
      'failed init restarts (Always), first failure without back-off',
      { pod: pod(inits), sandbox: sandbox([exited('i1', 0), exited('i2', 1)]) },
      { startInit: { name: 'i2', attempt: 1 }, backoff: { i2: { delayMs: 10_000, lastUpdate: T0 } } },
    ],
    [
      'failed init with Never fails the pod',
      { pod: pod({ ...inits, restartPolicy: 'Never' }), sandbox: sandbox([exited('i1', 2)]) },
      { killPod: true, phase: 'Failed' },
    ],
    [
      'app containers started: inits are not rerun',
      { pod: pod(inits), sandbox: sandbox([exited('i1', 0), running('a'), running('b')]) },
      {},
    ],
    [
      'Always restarts an exited container',
      { pod: pod(), sandbox: sandbox([running('a'), exited('b', 0, 3)]) },
      { start: [{ name: 'b', attempt: 4 }], backoff: { b: { delayMs: 10_000, lastUpdate: T0 } } },
    ],
    [
      'OnFailure restarts failures only',
      { pod: pod({ restartPolicy: 'OnFailure' }), sandbox: sandbox([exited('a', 0), exited('b', 1)]) },
      { start: [{ name: 'b', attempt: 1 }], backoff: { b: { delayMs: 10_000, lastUpdate: T0 } } },
    ],
    [
      'OnFailure all succeeded: Succeeded',
      { pod: pod({ restartPolicy: 'OnFailure' }), sandbox: sandbox([exited('a', 0), exited('b', 0)]) },
      { killPod: true, phase: 'Succeeded' },
    ],
    [
      'Never keeps one running, leaves the failed one',
      { pod: pod({ restartPolicy: 'Never' }), sandbox: sandbox([running('a'), exited('b', 1)]) },
      {},
    ],
    [
      'Never all exited with a failure: Failed',
      { pod: pod({ restartPolicy: 'Never' }), sandbox: sandbox([exited('a', 0), exited('b', 1)]) },
      { killPod: true, phase: 'Failed' },
    ],
    [
      'crash-looping container waits out its back-off',
      {
        pod: pod(),
        sandbox: sandbox([running('a'), exited('b', 1, 4, T0 - 5000)]),
        backoff: { b: { delayMs: 40_000, lastUpdate: T0 - 60_000 } },
      },
      {
        waiting: [
          { name: 'b', retryAt: T0 + 35_000, message: 'back-off 40s restarting failed container=b pod=p_ns(u1)' },
        ],
      },
    ],
    [
      'back-off elapsed: restart and double',
      {
        pod: pod(),
        sandbox: sandbox([running('a'), exited('b', 1, 4, T0 - 41_000)]),
        backoff: { b: { delayMs: 40_000, lastUpdate: T0 - 60_000 } },
      },
      { start: [{ name: 'b', attempt: 5 }], backoff: { b: { delayMs: 80_000, lastUpdate: T0 } } },
    ],
    [
      'liveness failure: kill only (the next sync restarts it as an exited container)',
      { pod: pod(), sandbox: sandbox([running('a', 2), running('b')]), probe: { a: { livenessFailed: true } } },
      {
        kill: [
          {
            name: 'a',
            reason: 'LivenessProbe',
            message: 'Container a failed liveness probe, will be restarted',
            gracePeriodSeconds: 20,
          },
        ],
      },
    ],
    [
      'container killed by liveness twice within its back-off: waits (no tight kill loop)',
      {
        pod: pod(),
        sandbox: sandbox([running('a'), exited('b', 137, 2, T0 - 1000)]),
        backoff: { b: { delayMs: 10_000, lastUpdate: T0 - 3000 } },
      },
      {
        waiting: [
          { name: 'b', retryAt: T0 + 9000, message: 'back-off 10s restarting failed container=b pod=p_ns(u1)' },
        ],
      },
    ],
    [
      'startup failure with probe grace period',
      {
        pod: pod({
          containers: [{ name: 'a', startupProbe: { exec: { command: ['x'] }, terminationGracePeriodSeconds: 3 } }],
        }),
        sandbox: sandbox([running('a')]),
        probe: { a: { startupFailed: true } },
      },
      {
        kill: [
          {
            name: 'a',
            reason: 'StartupProbe',
            message: 'Container a failed startup probe, will be restarted',
            gracePeriodSeconds: 3,
          },
        ],
      },
    ],
    [
      'liveness failure with Never and nothing else running: stop the pod',
      {
        pod: pod({ restartPolicy: 'Never', containers: [{ name: 'a' }] }),
        sandbox: sandbox([running('a')]),
        probe: { a: { livenessFailed: true } },
      },
      { killPod: true, phase: 'Failed' },
    ],
    [
      'deleted pod: kill everything with the deletion grace period',
      { pod: pod({}, { deleting: true }), sandbox: sandbox([running('a'), running('b')]) },
      { killPod: true, gracePeriodSeconds: 5 },
    ],
    [
      'dead sandbox: recreate, restart from the first init, counts continue',
      {
        pod: pod(inits),
        sandbox: sandbox([exited('i1', 0, 1), exited('i2', 0, 1), exited('a', 137, 2), running('b', 5)], false),
      },
      {
        killPod: true,
        createSandbox: true,
        startInit: { name: 'i1', attempt: 2 },
        backoff: { i1: { delayMs: 10_000, lastUpdate: T0 } },
      },
    ],
    [
      'dead sandbox with Never after containers ran: no new sandbox',
      { pod: pod({ restartPolicy: 'Never' }), sandbox: sandbox([exited('a', 0), exited('b', 0)], false) },
      { killPod: true, phase: 'Succeeded' },
    ],
    [
      'dead sandbox, OnFailure: succeeded containers are not restarted',
      { pod: pod({ restartPolicy: 'OnFailure' }), sandbox: sandbox([exited('a', 0), exited('b', 1)], false) },
      {
        killPod: true,
        createSandbox: true,
        start: [{ name: 'b', attempt: 1 }],
        backoff: { b: { delayMs: 10_000, lastUpdate: T0 } },
      },
    ],
    [
      'sandbox lost: restart counts continue from the published status',
      {
        pod: pod(
          {},
          {
            status: {
              containerStatuses: [
                {
                  name: 'a',
                  state: { running: {} },
                  lastState: {},
                  ready: true,
                  restartCount: 2,
                  image: '',
                  imageID: '',
                },
                {
                  name: 'b',
                  state: { waiting: { reason: 'ContainerCreating' } },
                  lastState: {},
                  ready: false,
                  restartCount: 0,
                  image: '',
                  imageID: '',
                },
              ],
            },
          },
        ),
      },
      {
        createSandbox: true,
        start: [
          { name: 'a', attempt: 3 },
          { name: 'b', attempt: 0 },
        ],
      },
    ],
    [
      'terminal phase published: only stop',
      { pod: pod({}, { status: { phase: 'Succeeded' } }), sandbox: sandbox([exited('a', 0), exited('b', 0)]) },
      { killPod: true, phase: 'Succeeded' },
    ],
  ];
  for (const [name, input, want] of cases) test(name, () => assert.deepEqual(plan(input), { ...base, ...want }));
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus } from '../kubelet/types.js';
import type { SandboxState } from '../runtime/types.js';
import { nsenterExecArgv } from '../runtime/process-runner.js';
import { runcExecArgv } from '../../host/runc.js';
import { parseEnviron, withPty } from './exec.js';
import { dialFailure } from './pod-connection.js';
import { attemptOf, logAttempt, parseRoute, runningContainer } from './target.js';

const id = (a: number) => `podnet://u1-c-${a}`;
const status = (s: Partial<ContainerStatus>): ContainerStatus => ({
  name: 'c',
  state: {},
  lastState: {},
  ready: false,
  restartCount: 0,
  image: 'x',
  imageID: '',
  ...s,
});

describe('streaming targets', () => {
  const logs: [string, ContainerStatus | undefined, boolean, ReturnType<typeof logAttempt>][] = [
    ['running', status({ state: { running: {} }, containerID: id(2) }), false, { attempt: 2 }],
    [
      'previous of a running restart',
      status({
        state: { running: {} },
        containerID: id(2),
        lastState: { terminated: { exitCode: 1, containerID: id(1) } },
      }),
      true,
      { attempt: 1 },
    ],
    [
      'no previous',
      status({ state: { running: {} }, containerID: id(0) }),
      true,
      { error: 'previous terminated container "c" in pod "p" not found' },
    ],
    [
      'crash loop: the last exit, with or without --previous',
      status({
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 3, containerID: id(4) } },
      }),
      false,
      { attempt: 4 },
    ],
    ['terminated', status({ state: { terminated: { exitCode: 0, containerID: id(0) } } }), false, { attempt: 0 }],
    [
      'terminated without an id',
      status({ state: { terminated: { exitCode: 137 } } }),
      false,
      { error: 'container "c" in pod "p" is terminated' },
    ],
    [
      'still creating',
      status({ state: { waiting: { reason: 'ContainerCreating' } } }),
      false,
      { error: 'container "c" in pod "p" is waiting to start: ContainerCreating' },
    ],
    [
      'image cannot be pulled',
      status({ state: { waiting: { reason: 'ErrImagePull' } } }),
      false,
      { error: `container "c" in pod "p" is waiting to start: image can't be pulled` },
    ],
    [
      'pull back-off',
      status({ state: { waiting: { reason: 'ImagePullBackOff' } } }),
      false,
      { error: 'container "c" in pod "p" is waiting to start: trying and failing to pull image' },
    ],
    ['no status yet', undefined, false, { error: 'container "c" in pod "p" is not available' }],
    ['no state at all', status({}), false, { error: 'container "c" in pod "p" is waiting to start - no logs yet' }],
  ];
  for (const [name, s, previous, want] of logs)
    test(`log attempt: ${name}`, () => assert.deepEqual(logAttempt(s, 'c', 'p', previous), want));

  test('attempt from a container id', () => {
    assert.equal(attemptOf('podnet://0b3a-web-12'), 12);
    assert.equal(attemptOf(undefined), undefined);
  });

  test('exec and attach only reach a running container of a live sandbox', () => {
    const sandbox = (alive: boolean, state: 'running' | 'exited'): SandboxState => ({
      uid: 'u',
      namespace: 'n',
      name: 'p',
      hostNetwork: false,
      ip: '10.0.0.2',
      createdAt: '',
      alive,
      containers: {
        c:
          state === 'running'
            ? { name: 'c', attempt: 1, state, pid: 42, startedAt: '' }
            : { name: 'c', attempt: 1, state, startedAt: '', finishedAt: '', exitCode: 0, reason: 'Completed' },
      },
    });
    assert.deepEqual(runningContainer(sandbox(true, 'running'), 'c'), { attempt: 1, pid: 42 });
    const notFound = { error: 'container not found ("c")' };
    assert.deepEqual(runningContainer(sandbox(true, 'exited'), 'c'), notFound);
    assert.deepEqual(runningContainer(sandbox(false, 'running'), 'c'), notFound);
    assert.deepEqual(runningContainer(undefined, 'c'), notFound);
  });

  const routes: [string, ReturnType<typeof parseRoute>][] = [
    ['/exec/default/web/c1', { kind: 'exec', namespace: 'default', pod: 'web', container: 'c1' }],
    ['/attach/ns/p/c', { kind: 'attach', namespace: 'ns', pod: 'p', container: 'c' }],
    ['/containerLogs/ns/p/c', { kind: 'containerLogs', namespace: 'ns', pod: 'p', container: 'c' }],
    ['/portForward/ns/p', { kind: 'portForward', namespace: 'ns', pod: 'p' }],
    ['/portForward/ns/p/extra', undefined],
    ['/exec/ns/p', undefined],
    ['/run/ns/p/c', undefined],
  ];
  for (const [path, want] of routes) test(`route ${path}`, () => assert.deepEqual(parseRoute(path), want));

  test('exec enters the container process with its environment', () => {
    assert.deepEqual(parseEnviron(Buffer.from('PATH=/bin\0A=x=y\0\0BAD\0')), { PATH: '/bin', A: 'x=y' });
    assert.deepEqual(nsenterExecArgv(42, { PATH: '/bin' }, ['ls', '-l']), [
      'nsenter',
      '-t',
      '42',
      '-n',
      '-u',
      '-i',
      '-m',
      '-w',
      '--',
      '/usr/bin/env',
      '-i',
      '--',
      'PATH=/bin',
      'ls',
      '-l',
    ]);
    const tty = withPty(nsenterExecArgv(42, {}, ['sh']), true);
    assert.deepEqual(tty.slice(1, 4), ['pty', '--', 'nsenter']);
  });

  test('under runc, exec is runc exec of the attempt, a pty around it for a tty', () => {
    assert.deepEqual(runcExecArgv('/r', 'id-c-0', ['ls'], false, '/p').slice(1), [
      '--root',
      '/r',
      'exec',
      '--pid-file',
      '/p',
      'id-c-0',
      'ls',
    ]);
    const tty = withPty(runcExecArgv('/r', 'id-c-0', ['sh'], true, '/p'), true);
    assert.deepEqual(tty.slice(1, 3), ['pty', '--']);
    assert.deepEqual(tty.slice(4), ['--root', '/r', 'exec', '--pid-file', '/p', '--tty', 'id-c-0', 'sh']);
  });
});

describe('port-forward relays', () => {
  const cases: [string, string, string | undefined][] = [
    [
      'refused',
      '2026/12/07 12:30:42 socat[1] E connect(5, AF=2 127.0.0.1:9999, 16): Connection refused\n',
      'connect(5, AF=2 127.0.0.1:9999, 16): Connection refused',
    ],
    ['the pod closed mid-stream', '2026/12/07 13:14:29 socat[2] E write(5, 0x55, 8192): Broken pipe\n', undefined],
    ['a reset', 'socat[3] E read(5, 0x55, 8192): Connection reset by peer\n', undefined],
    ['nothing', '', undefined],
  ];
  for (const [name, stderr, want] of cases)
    test(`only a failed connect is an error: ${name}`, () => assert.equal(dialFailure(stderr), want));
});

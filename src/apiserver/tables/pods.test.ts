import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { podPrinter } from './pods.js';
import { ago, kobj, now } from './testdata.js';

const container = (name: string) => ({ name, image: 'nginx:1.27' });
const running = (name: string, ready = true, restartCount = 0, extra: Record<string, unknown> = {}) => ({
  name,
  ready,
  restartCount,
  started: true,
  state: { running: { startedAt: ago(200) } },
  ...extra,
});
const waiting = (name: string, reason: string, restartCount = 0, extra: Record<string, unknown> = {}) => ({
  name,
  ready: false,
  restartCount,
  state: { waiting: { reason } },
  ...extra,
});
const terminated = (name: string, t: Record<string, unknown>, restartCount = 0) => ({
  name,
  ready: false,
  restartCount,
  state: { terminated: { finishedAt: ago(60), ...t } },
});

function pod(spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}) {
  return kobj('v1', 'Pod', 'web-0', { spec: { containers: [container('app')], ...spec }, status }, 300, meta);
}

// [name, pod, Ready, Status, Restarts]
const cases: [string, ReturnType<typeof pod>, string, string, string][] = [
  ['unscheduled', pod({}, { phase: 'Pending' }), '0/1', 'Pending', '0'],
  [
    'creating containers',
    pod({ nodeName: 'node-1' }, { phase: 'Pending', containerStatuses: [waiting('app', 'ContainerCreating')] }),
    '0/1',
    'ContainerCreating',
    '0',
  ],
  [
    'running and ready',
    pod(
      { containers: [container('app'), container('log')] },
      { phase: 'Running', containerStatuses: [running('app'), running('log')] },
    ),
    '2/2',
    'Running',
    '0',
  ],
  [
    'running, one not ready',
    pod(
      { containers: [container('app'), container('log')] },
      { phase: 'Running', containerStatuses: [running('app'), running('log', false)] },
    ),
    '1/2',
    'Running',
    '0',
  ],
  [
    'crash looping with last restart time',
    pod(
      {},
      {
        phase: 'Running',
        containerStatuses: [
          waiting('app', 'CrashLoopBackOff', 5, {
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(90) } },
          }),
        ],
      },
    ),
    '0/1',
    'CrashLoopBackOff',
    '5 (90s ago)',
  ],
  [
    'restarted, now running',
    pod(
      {},
      {
        phase: 'Running',
        containerStatuses: [
          running('app', true, 2, { lastState: { terminated: { exitCode: 137, finishedAt: ago(4 * 3600) } } }),
        ],
      },
    ),
    '1/1',
    'Running',
    '2 (4h ago)',
  ],
  [
    'restarts without a termination time',
    pod({}, { phase: 'Running', containerStatuses: [running('app', true, 3)] }),
    '1/1',
    'Running',
    '3',
  ],
  [
    'completed',
    pod({}, { phase: 'Succeeded', containerStatuses: [terminated('app', { exitCode: 0, reason: 'Completed' })] }),
    '0/1',
    'Completed',
    '0',
  ],
  [
    'failed with Error',
    pod({}, { phase: 'Failed', containerStatuses: [terminated('app', { exitCode: 1, reason: 'Error' })] }),
    '0/1',
    'Error',
    '0',
  ],
  [
    'terminated without reason: exit code',
    pod({}, { phase: 'Failed', containerStatuses: [terminated('app', { exitCode: 137 })] }),
    '0/1',
    'ExitCode:137',
    '0',
  ],
  [
    'terminated without reason: signal',
    pod({}, { phase: 'Failed', containerStatuses: [terminated('app', { exitCode: 137, signal: 9 })] }),
    '0/1',
    'Signal:9',
    '0',
  ],
  [
    'evicted',
    pod({}, { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }),
    '0/1',
    'Evicted',
    '0',
  ],
  [
    'first init container running',
    pod(
      { initContainers: [container('init')] },
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'init', ready: false, restartCount: 0, state: { running: { startedAt: ago(5) } } },
        ],
        containerStatuses: [waiting('app', 'PodInitializing')],
      },
    ),
    '0/1',
    'Init:0/1',
    '0',
  ],
  [
    'second of two init containers',
    pod(
      { initContainers: [container('a'), container('b')] },
      {
        phase: 'Pending',
        initContainerStatuses: [terminated('a', { exitCode: 0, reason: 'Completed' }), waiting('b', 'PodInitializing')],
        containerStatuses: [waiting('app', 'PodInitializing')],
      },
    ),
    '0/1',
    'Init:1/2',
    '0',
  ],
  [
    'init container crash looping',
    pod(
      { initContainers: [container('init')] },
      {
        phase: 'Pending',
        initContainerStatuses: [
          waiting('init', 'CrashLoopBackOff', 4, { lastState: { terminated: { exitCode: 1, finishedAt: ago(30) } } }),
        ],
        containerStatuses: [waiting('app', 'PodInitializing')],
      },
    ),
    '0/1',
    'Init:CrashLoopBackOff',
    '4 (30s ago)',
  ],
  [
    'init container failed',
    pod(
      { initContainers: [container('init')] },
      {
        phase: 'Failed',
        initContainerStatuses: [terminated('init', { exitCode: 1, reason: 'Error' })],
      },
    ),
    '0/1',
    'Init:Error',
    '0',
  ],
  [
    'init container failed without reason',
    pod(
      { initContainers: [container('init')] },
      {
        phase: 'Pending',
        initContainerStatuses: [terminated('init', { exitCode: 2 })],
      },
    ),
    '0/1',
    'Init:ExitCode:2',
    '0',
  ],
  [
    'sidecar init container counts as a container',
    pod(
      { initContainers: [{ ...container('proxy'), restartPolicy: 'Always' }] },
      {
        phase: 'Running',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'True' },
        ],
        initContainerStatuses: [
          running('proxy', true, 1, { lastState: { terminated: { exitCode: 1, finishedAt: ago(600) } } }),
        ],
        containerStatuses: [running('app')],
      },
    ),
    '2/2',
    'Running',
    '1 (10m ago)',
  ],
  [
    'one container done, another still running and pod ready',
    pod(
      { containers: [container('app'), container('job')] },
      {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [running('app'), terminated('job', { exitCode: 0, reason: 'Completed' })],
      },
    ),
    '1/2',
    'Running',
    '0',
  ],
  [
    'one container done, another running, pod not ready',
    pod(
      { containers: [container('app'), container('job')] },
      {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [running('app'), terminated('job', { exitCode: 0, reason: 'Completed' })],
      },
    ),
    '1/2',
    'NotReady',
    '0',
  ],
  [
    'first container reason wins',
    pod(
      { containers: [container('a'), container('b')] },
      {
        phase: 'Pending',
        containerStatuses: [waiting('a', 'ImagePullBackOff'), waiting('b', 'ContainerCreating')],
      },
    ),
    '0/2',
    'ImagePullBackOff',
    '0',
  ],
  [
    'being deleted',
    pod({}, { phase: 'Running', containerStatuses: [running('app')] }, { deletionTimestamp: ago(0) }),
    '1/1',
    'Terminating',
    '0',
  ],
  [
    'being deleted on a lost node',
    pod(
      {},
      { phase: 'Running', reason: 'NodeLost', containerStatuses: [running('app')] },
      { deletionTimestamp: ago(0) },
    ),
    '1/1',
    'Unknown',
    '0',
  ],
  [
    'node lost, not yet deleted',
    pod({}, { phase: 'Running', reason: 'NodeLost', containerStatuses: [running('app')] }),
    '1/1',
    'NodeLost',
    '0',
  ],
  [
    'scheduling gated',
    pod(
      { schedulingGates: [{ name: 'wait' }] },
      {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
      },
    ),
    '0/1',
    'SchedulingGated',
    '0',
  ],
];

describe('pod printer: Ready, Status, Restarts', () => {
  for (const [name, p, ready, status, restarts] of cases) {
    test(name, () => {
      const cells = podPrinter.print(p, now).cells;
      assert.deepEqual(cells.slice(0, 5), ['web-0', ready, status, restarts, '5m']);
    });
  }
});

describe('pod printer: wide cells and row conditions', () => {
  test('unscheduled pod shows <none> for IP, node, nominated node, readiness gates', () => {
    assert.deepEqual(podPrinter.print(pod({}, { phase: 'Pending' }), now).cells.slice(5), [
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
  });

  test('scheduled pod with IP and one of two readiness gates true', () => {
    const p = pod(
      {
        nodeName: 'node-1',
        readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }],
      },
      {
        phase: 'Running',
        podIP: '10.244.1.7',
        podIPs: [{ ip: '10.244.1.7' }, { ip: 'fd00::7' }],
        nominatedNodeName: 'node-2',
        conditions: [
          { type: 'example.com/lb', status: 'True' },
          { type: 'example.com/dns', status: 'False' },
        ],
        containerStatuses: [running('app')],
      },
    );
    assert.deepEqual(podPrinter.print(p, now).cells.slice(5), ['10.244.1.7', 'node-1', 'node-2', '1/2']);
  });

  test('succeeded and failed pods carry the Completed row condition', () => {
    assert.deepEqual(podPrinter.print(pod({}, { phase: 'Succeeded' }), now).conditions, [
      { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
    ]);
    assert.equal(podPrinter.print(pod({}, { phase: 'Failed' }), now).conditions?.[0]?.reason, 'Failed');
    assert.equal(podPrinter.print(pod({}, { phase: 'Running' }), now).conditions, undefined);
  });

  test("columns are the real printer's", () => {
    assert.deepEqual(
      podPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Ready', 'string', '', 0],
        ['Status', 'string', '', 0],
        ['Restarts', 'string', '', 0],
        ['Age', 'string', '', 0],
        ['IP', 'string', '', 1],
        ['Node', 'string', '', 1],
        ['Nominated Node', 'string', '', 1],
        ['Readiness Gates', 'string', '', 1],
      ],
    );
  });
});

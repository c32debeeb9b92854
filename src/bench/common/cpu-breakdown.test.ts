import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentOf, cpuBetween, type ProcSample } from './cpu-breakdown.js';

const S = '/tmp/podnet-bench-b1';

test('a process is put in its component by argv; strangers in none', () => {
  const cases: [string[], string | undefined][] = [
    [
      ['/usr/bin/node', '--initial-old-space-size=64', 'bin/podnet', 'apiserver', '--supervise', '--state', S],
      'apiserver supervisor',
    ],
    [['/usr/bin/node', '--max-old-space-size=1024', 'bin/podnet', 'apiserver', '--state', S], 'apiserver'],
    [['/usr/bin/node', 'bin/podnet', 'node', '--state', `${S}/nodes/n1`, '--node-ip', '10.0.0.1'], 'node agent'],
    [
      ['/usr/bin/node', 'bin/podnet', 'node', '--supervise', '--state', `${S}/nodes/n1`, '--node-ip', '10.0.0.1'],
      'node agent supervisor',
    ],
    [['/usr/bin/node', 'dist/cli/main-entry.js', 'dns', '--kubeconfig', `${S}/addons/kube-dns.kubeconfig`], 'dns'],
    [['/usr/bin/node', 'dist/cli/main-entry.js', 'router', '--run-dir', `${S}/routers/n1`], 'router'],
    [['haproxy', '-W', '-f', `${S}/routers/n1/haproxy.cfg`], 'haproxy'],
    [['/usr/bin/node', 'bin/podnet', 'console', '--certificate-authority', `${S}/pki/ca.crt`], 'console'],
    [['/usr/bin/node', 'bin/podnet', 'node', '--state', '/tmp/other/nodes/n1', '--node-ip', '10.0.0.1'], undefined],
    [['sleep', 'infinity'], undefined],
  ];
  for (const [argv, want] of cases) assert.equal(componentOf(argv, S), want, argv.join(' '));
});

test('CPU between two samples: new processes from zero, children by ancestor, reaped time apart', () => {
  const p = (pid: number, ppid: number, argv: string[], own: number, reaped = 0): ProcSample => ({
    pid,
    ppid,
    argv,
    own,
    reaped,
  });
  const agent = ['/usr/bin/node', 'bin/podnet', 'node', '--state', `${S}/nodes/n1`, '--node-ip', '10.0.0.1'];
  const app = ['/usr/bin/node', 'dist/images/agnhost/main.js', 'netexec'];
  const before = new Map([
    [10, p(10, 1, agent, 5, 1)],
    [99, p(99, 1, ['bash'], 50)],
    [20, p(20, 10, ['sleep', 'infinity'], 0)],
  ]);
  const after = new Map([
    [10, p(10, 1, agent, 7, 4)],
    [99, p(99, 1, ['bash'], 80)],
    [20, p(20, 10, ['sleep', 'infinity'], 0)],
    [21, p(21, 10, ['/opt/podnet-shim', 'run', 'x', '--', ...app], 0.01)],
    [22, p(22, 21, app, 0.2)],
    [23, p(23, 21, app, 0.3)],
    // Another cluster's pod on the same machine.
    [31, p(31, 30, ['/opt/podnet-shim', 'run', 'y', '--', ...app], 0.01)],
    [32, p(32, 31, app, 0.9)],
  ]);
  const rows = cpuBetween(before, after, S);
  const by = Object.fromEntries(rows.map((r) => [r.component, r]));
  assert.deepEqual(Object.keys(by).sort(), ['node agent', 'node agent children', 'pod app', 'podnet-shim']);
  assert.equal(by['node agent']!.own, 2);
  assert.equal(by['node agent']!.reaped, 3);
  assert.equal(by['pod app']!.processes, 2);
  assert.ok(Math.abs(by['pod app']!.own - 0.5) < 1e-9);
  assert.equal(rows[0]!.component, 'node agent', 'largest first');
});

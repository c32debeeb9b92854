import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { SandboxState } from '../runtime/types.js';
import { ProbeManager } from './probes.js';
import { resolvePort, runProbe, type ProbeTarget } from './probe-run.js';
import type { ContainerSpec, Pod, ProbeSpec } from './types.js';

const LO = '127.0.0.1';
let httpPort = 0;
let grpcPort = 0;
let closedPort = 0;
let healthy = true;
let lastHeaders: http.IncomingHttpHeaders = {};
const servers: { close(): void }[] = [];

function listen(s: net.Server | http.Server | http2.Http2Server): Promise<number> {
  return new Promise((r) => s.listen(0, LO, () => r((s.address() as AddressInfo).port)));
}

before(async () => {
  const h = http.createServer((req, res) => {
    lastHeaders = req.headers;
    const routes: Record<string, [number, Record<string, string>?]> = {
      '/ok': [200],
      '/fail': [500],
      '/toggle': [healthy ? 200 : 503],
      '/same-host': [302, { location: '/fail' }],
      '/other-host': [302, { location: 'http://example.invalid/' }],
      '/loop': [302, { location: '/loop' }],
    };
    const [code, headers] = routes[req.url ?? ''] ?? [404];
    res.writeHead(code, headers);
    res.end('body');
  });
  httpPort = await listen(h);
  servers.push(h);
  const g = http2.createServer();
  g.on('stream', (stream, headers) => {
    if (headers[':path'] !== '/grpc.health.v1.Health/Check') {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true });
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const req = Buffer.concat(chunks);
      const service = req.length > 7 ? req.subarray(7).toString() : '';
      const status = service === 'down' ? 2 : 1;
      const msg = Buffer.from([0x08, status]);
      const frame = Buffer.alloc(5);
      frame.writeUInt32BE(msg.length, 1);
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.concat([frame, msg]));
    });
  });
  grpcPort = await listen(g);
  servers.push(g);
  const tmp = net.createServer();
  closedPort = await listen(tmp);
  await new Promise((r) => tmp.close(r));
});
after(() => {
  for (const s of servers) s.close();
});

const container: ContainerSpec = { name: 'c', ports: [{ name: 'web', containerPort: 0 }] };
const noExec = async () => {
  throw new Error('no exec in this test');
};
const target = (exec: ProbeTarget['exec'] = noExec): ProbeTarget => ({
  podIp: LO,
  container: { ...container, ports: [{ name: 'web', containerPort: httpPort }] },
  exec,
});

describe('runProbe handlers', () => {
  const cases: [string, () => ProbeSpec, string, RegExp?][] = [
    ['http 200', () => ({ httpGet: { port: httpPort, path: '/ok' } }), 'success'],
    ['http named port and path without slash', () => ({ httpGet: { port: 'web', path: 'ok' } }), 'success'],
    ['http 500', () => ({ httpGet: { port: httpPort, path: '/fail' } }), 'failure', /statuscode: 500/],
    [
      'http same-host redirect is followed',
      () => ({ httpGet: { port: httpPort, path: '/same-host' } }),
      'failure',
      /statuscode: 500/,
    ],
    [
      'http other-host redirect counts as success',
      () => ({ httpGet: { port: httpPort, path: '/other-host' } }),
      'success',
      /Probe terminated redirects/,
    ],
    [
      'http redirect loop',
      () => ({ httpGet: { port: httpPort, path: '/loop' } }),
      'failure',
      /stopped after 10 redirects/,
    ],
    ['http connection refused', () => ({ httpGet: { port: closedPort } }), 'failure', /ECONNREFUSED/],
    ['unknown named port is an error', () => ({ httpGet: { port: 'nope' } }), 'error', /couldn't find port: nope/],
    ['tcp open', () => ({ tcpSocket: { port: httpPort } }), 'success'],
    ['tcp closed', () => ({ tcpSocket: { port: closedPort } }), 'failure', /dial tcp 127.0.0.1:\d+/],
    ['exec exit 0', () => ({ exec: { command: ['true'] } }), 'success'],
    ['grpc serving', () => ({ grpc: { port: grpcPort } }), 'success'],
    ['grpc not serving', () => ({ grpc: { port: grpcPort, service: 'down' } }), 'failure', /NOT_SERVING/],
    ['grpc connection refused', () => ({ grpc: { port: closedPort } }), 'failure', /failed to connect/],
  ];
  for (const [name, spec, result, output] of cases) {
    test(name, async () => {
      const exec = async (argv: string[]) => ({ code: argv[0] === 'true' ? 0 : 1, stdout: '', stderr: '' });
      const r = await runProbe(spec(), target(exec));
      assert.equal(r.result, result, r.output);
      if (output) assert.match(r.output, output);
    });
  }
  test('http headers: custom, user agent, Host override', async () => {
    await runProbe(
      {
        httpGet: {
          port: httpPort,
          path: '/ok',
          httpHeaders: [
            { name: 'X-Probe', value: '1' },
            { name: 'Host', value: 'svc.example' },
          ],
        },
      },
      target(),
    );
    assert.equal(lastHeaders['x-probe'], '1');
    assert.equal(lastHeaders.host, 'svc.example');
    assert.match(lastHeaders['user-agent'] ?? '', /^kube-probe\//);
  });
  test('exec non-zero and exec that throws fail with output', async () => {
    const r1 = await runProbe(
      { exec: { command: ['false'] } },
      target(async () => ({ code: 1, stdout: 'bad', stderr: '' })),
    );
    assert.deepEqual(r1, { result: 'failure', output: 'bad' });
    const r2 = await runProbe(
      { exec: { command: ['sleep'] } },
      target(async () => {
        throw new Error('timed out after 1000ms');
      }),
    );
    assert.equal(r2.result, 'failure');
    assert.match(r2.output, /timed out/);
  });
  test('http timeout', async () => {
    const slow = net.createServer(() => {
      /* accept, never answer */
    });
    const port = await listen(slow);
    try {
      const t = Date.now();
      const r = await runProbe({ httpGet: { port }, timeoutSeconds: 0.2 }, target());
      assert.equal(r.result, 'failure');
      assert.ok(Date.now() - t < 3000);
    } finally {
      slow.close();
    }
  });
  test('resolvePort', () => {
    assert.equal(resolvePort(80, container), 80);
    assert.equal(resolvePort('8080', container), 8080);
    assert.equal(resolvePort('web', container), 0);
  });
});

function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () =>
      cond() ? resolve() : Date.now() > end ? reject(new Error(`timed out waiting for ${what}`)) : setTimeout(poll, 10);
    poll();
  });
}

describe('ProbeManager', () => {
  const fast = { periodSeconds: 0.03, timeoutSeconds: 0.5 };
  const mkPod = (c: Partial<ContainerSpec>): Pod => ({
    metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
    spec: { containers: [{ name: 'c', ...c }] },
  });
  const sb = (attempt: number, startedAt = new Date().toISOString()): SandboxState => ({
    uid: 'u1',
    namespace: 'ns',
    name: 'p',
    hostNetwork: false,
    ip: LO,
    createdAt: startedAt,
    alive: true,
    containers: { c: { name: 'c', attempt, state: 'running', pid: 1, startedAt } },
  });

  test('readiness: false until first success, follows the endpoint, thresholds apply', async () => {
    healthy = true;
    const changes: string[] = [];
    const m = new ProbeManager({ exec: noExec, onChange: (uid, c) => changes.push(`${uid}/${c}`) });
    const pod = mkPod({
      readinessProbe: { httpGet: { port: httpPort, path: '/toggle' }, ...fast, failureThreshold: 2 },
    });
    try {
      m.syncPod(pod, sb(0));
      assert.equal(m.states('u1').c?.ready, undefined);
      await waitFor(() => m.states('u1').c?.ready === true, 'ready');
      healthy = false;
      await waitFor(() => m.states('u1').c?.ready === false, 'unready');
      assert.ok(changes.length >= 2 && changes.every((c) => c === 'u1/c'));
    } finally {
      m.stopAll();
      healthy = true;
    }
  });

  test('startup gates liveness; liveness failure holds until a new attempt', async () => {
    let execCalls: string[] = [];
    let liveOk = false;
    const exec = async (_uid: string, _c: string, argv: string[]) => {
      execCalls.push(argv[0]!);
      return { code: argv[0] === 'startup' ? 0 : liveOk ? 0 : 1, stdout: '', stderr: '' };
    };
    const unhealthy: string[] = [];
    const m = new ProbeManager({ exec, onChange: () => {}, onUnhealthy: (e) => unhealthy.push(e.message) });
    const pod = mkPod({
      startupProbe: { exec: { command: ['startup'] }, ...fast },
      livenessProbe: { exec: { command: ['live'] }, ...fast, failureThreshold: 2 },
    });
    try {
      m.syncPod(pod, sb(0));
      await waitFor(() => m.states('u1').c?.livenessFailed === true, 'liveness failure');
      assert.equal(m.states('u1').c?.started, true);
      assert.equal(execCalls[0], 'startup', 'startup probe runs first');
      assert.equal(execCalls.filter((x) => x === 'startup').length, 1, 'startup stops after success');
      assert.match(unhealthy[0]!, /^Liveness probe failed/);
      const n = execCalls.length;
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(execCalls.length, n, 'no probing while on hold');
      // The agent restarts the container: a new attempt gets fresh verdicts.
      liveOk = true;
      execCalls = [];
      m.syncPod(pod, sb(1));
      assert.deepEqual(m.states('u1').c, {});
      await waitFor(() => execCalls.includes('live'), 'liveness probing again');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(m.states('u1').c?.livenessFailed, undefined);
    } finally {
      m.stopAll();
    }
  });

  test('startup failure threshold sets startupFailed', async () => {
    const m = new ProbeManager({ exec: async () => ({ code: 1, stdout: '', stderr: '' }), onChange: () => {} });
    try {
      m.syncPod(mkPod({ startupProbe: { exec: { command: ['x'] }, ...fast, failureThreshold: 3 } }), sb(0));
      await waitFor(() => m.states('u1').c?.startupFailed === true, 'startup failure');
      assert.equal(m.states('u1').c?.started, undefined);
    } finally {
      m.stopAll();
    }
  });

  test('initialDelaySeconds holds the first probe', async () => {
    let calls = 0;
    const m = new ProbeManager({
      exec: async () => {
        calls++;
        return { code: 0, stdout: '', stderr: '' };
      },
      onChange: () => {},
    });
    try {
      m.syncPod(mkPod({ readinessProbe: { exec: { command: ['x'] }, ...fast, initialDelaySeconds: 0.3 } }), sb(0));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(calls, 0);
      await waitFor(() => m.states('u1').c?.ready === true, 'ready after the delay');
    } finally {
      m.stopAll();
    }
  });

  test('stopped containers and removed pods lose their workers', () => {
    const m = new ProbeManager({ exec: noExec, onChange: () => {} });
    const pod = mkPod({ readinessProbe: { exec: { command: ['x'] }, initialDelaySeconds: 60 } });
    m.syncPod(pod, sb(0));
    assert.deepEqual(Object.keys(m.states('u1')), ['c']);
    m.syncPod(pod, { ...sb(0), alive: false });
    assert.deepEqual(m.states('u1'), {});
    m.syncPod(pod, sb(1));
    m.removePod('u1');
    assert.deepEqual(m.states('u1'), {});
  });
});

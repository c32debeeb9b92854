/**
 * End to end (root): `kubectl rollout restart` of a 10-replica Deployment
 * whose app exits at once on SIGTERM (agnhost netexec), with no preStop
 * hook, under steady load through a ClusterIP (from a node), a NodePort
 * (from another node, to the first node's address) and by DNS name from a
 * pod. Every request is a new connection; none may fail: each replaced pod
 * must have left every node's service proxy before its process stops.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { clusterSkip, eventually, TestCluster } from './cluster.js';

const loadClient = fileURLToPath(new URL('./load-client.js', import.meta.url));
const REPLICAS = 10;

interface LoadResult {
  ok: number;
  failed: number;
  errors: Record<string, number>;
}

/** A running load client: closing its stdin ends it and yields its counts. */
class Load {
  private out = '';
  private readonly ended: Promise<LoadResult>;
  constructor(
    readonly label: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    child.stdout.on('data', (d: Buffer) => (this.out += d.toString()));
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    this.ended = new Promise((resolve, reject) =>
      child.on('close', (code) => {
        const line = this.out.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as LoadResult);
        } catch {
          reject(new Error(`${label}: load client exited ${code} without a result:\n${this.out}${err}`));
        }
      }),
    );
  }
  stop(): Promise<LoadResult> {
    this.child.stdin.end();
    return this.ended;
  }
  kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** How long the agents waited before SIGTERM, from their logs (figures only: nothing is asserted on time). */
function drainFigures(cluster: TestCluster): string {
  const dir = join(cluster.dir, 'logs');
  const text = readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
  const waits = [...text.matchAll(/pod default\/web-\S+: left every endpoint consumer in (\d+) ms/g)]
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const cut = [...text.matchAll(/pod default\/web-\S+: stopping after \d+ ms although/g)].length;
  const at = (q: number) => waits[Math.min(waits.length - 1, Math.floor(q * waits.length))] ?? NaN;
  return `drain before SIGTERM: ${waits.length} pods, p50 ${at(0.5)} ms, max ${at(1)} ms; ${cut} stopped at the budget`;
}

describe('rollout restart under load drops nothing', { skip: clusterSkip, timeout: 600_000 }, () => {
  const cluster = new TestCluster(2, 'vxlan');
  const loads: Load[] = [];
  before(() => cluster.up());
  after(async () => {
    for (const l of loads) l.kill();
    await cluster.destroy();
  });
  const k = (...args: string[]) => cluster.k(args);

  const start = (label: string, argv: string[]) => {
    const load = new Load(label, spawn(argv[0]!, argv.slice(1), { detached: true }));
    loads.push(load);
    return load;
  };
  const pods = () =>
    (
      JSON.parse(k('get', 'pods', '-l', 'app=web', '-o', 'json')) as {
        items: { metadata: { name: string; deletionTimestamp?: string } }[];
      }
    ).items;

  test(`kubectl rollout restart of ${REPLICAS} replicas: zero failed requests via ClusterIP, NodePort and DNS`, async (t) => {
    cluster.apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${REPLICAS}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: podnet/agnhost
        args: [netexec, --http-port, "8080"]
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: load}
spec:
  nodeName: ${cluster.node(2)}
  containers:
  - {name: load, image: podnet/agnhost, args: [pause]}
`);
    k('rollout', 'status', 'deployment/web', '--timeout=180s');
    cluster.waitReady(['load']);
    const clusterIp = k('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}');
    const nodePort = k('get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}');
    const node1Ip = k('get', 'node', cluster.node(1), '-o', 'jsonpath={.status.addresses[0].address}');
    await eventually('the Service answers on node 1', () => cluster.curl(1, `http://${clusterIp}/hostname`).length > 0);
    // Every data plane publishes what it has applied: both nodes' proxies, both DNS replicas, both routers.
    const consumers = await eventually('every endpoint consumer publishes', () => {
      const out = k(
        'get',
        'leases',
        '-A',
        '-l',
        'podnet.io/endpoints-consumer',
        '-o',
        'jsonpath={range .items[*]}{.metadata.labels.podnet\\.io/endpoints-consumer} {.metadata.annotations.podnet\\.io/endpointslices-applied}{"\\n"}{end}',
      );
      const rows = out.split('\n').filter((l) => /^\w+ \d+$/.test(l));
      const kinds = rows.map((l) => l.split(' ')[0]).sort();
      return kinds.join() === 'dns,dns,proxy,proxy,router,router' ? kinds : undefined;
    });
    t.diagnostic(`endpoint consumers: ${consumers.join(', ')}`);

    const netns = (i: number) => ['nsenter', `--net=/run/netns/podnet-${cluster.node(i)}`, '--'];
    const node = process.execPath;
    const running = [
      start('ClusterIP from node 1', [...netns(1), node, loadClient, `http://${clusterIp}/hostname`]),
      start('NodePort from node 2', [...netns(2), node, loadClient, `http://${node1Ip}:${nodePort}/hostname`]),
      start('DNS name from a pod', [
        'kubectl',
        `--kubeconfig=${cluster.kubeconfig}`,
        'exec',
        '-i',
        'load',
        '--',
        node,
        loadClient,
        'http://web.default.svc.cluster.local/hostname',
      ]),
    ];
    await new Promise((r) => setTimeout(r, 3000));
    const before = new Set(pods().map((p) => p.metadata.name));
    assert.equal(k('rollout', 'restart', 'deployment/web'), 'deployment.apps/web restarted\n');
    k('rollout', 'status', 'deployment/web', '--timeout=300s');
    await eventually(
      'every old pod gone',
      () => {
        const now = pods();
        return now.length === REPLICAS && now.every((p) => !before.has(p.metadata.name));
      },
      120_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const results = await Promise.all(running.map(async (l) => ({ label: l.label, ...(await l.stop()) })));
    for (const r of results) t.diagnostic(`${r.label}: ${r.ok} ok, ${r.failed} failed ${JSON.stringify(r.errors)}`);
    t.diagnostic(drainFigures(cluster));
    for (const r of results) assert.ok(r.ok > 0, `${r.label}: no request succeeded`);
    assert.deepEqual(
      results.filter((r) => r.failed > 0).map((r) => `${r.label}: ${r.failed} failed ${JSON.stringify(r.errors)}`),
      [],
    );
  });
});

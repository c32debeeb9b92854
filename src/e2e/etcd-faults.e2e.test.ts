/**
 * The control plane under faults (issue 22): `podnet up --store etcd
 * --apiservers 2` with 3 nodes; the official JavaScript client writes
 * steadily through both API servers while 20 watches follow the writes
 * (16 of the official client's, resumed by the test from their last
 * resourceVersion on the other server, and 4 podnet informers on a
 * failover client). Then: kill -9 the etcd leader, kill -9 the API server
 * holding the controller lease, restart both with `podnet up`. Checked:
 * no acknowledged write lost, no watch event missed or delivered twice
 * (by resourceVersion), no ClusterIP or NodePort handed out twice, the
 * controllers resume (the time it took is reported), and a Service
 * answers throughout.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import type { KObject } from '../api/meta.js';
import { findResource } from '../api/resources.js';
import { KubeClient } from '../client/client.js';
import { Informer } from '../client/informer.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { apiserverPorts } from '../cluster/layout.js';
import { etcdServer } from '../store/etcd/testing/throwaway-etcd.js';
import { needs } from '../testing/requirements.js';
import { clusterSkip, eventually, netexecPod, podnetBin, TestCluster } from './cluster.js';

const skip = clusterSkip || needs(etcdServer);
const NS = 'faults';
const WATCHES = 20;
const INFORMERS = 4;
const WRITERS = 2;
const configMaps = findResource('', 'v1', 'configmaps')!;
const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;
const slices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A command run without blocking the event loop (the writers and watches keep going meanwhile). */
function run(argv: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1));
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** One watch of the official client that the test itself resumes, from its last resourceVersion, on the next server. */
class ResumedWatch {
  readonly seen: { name: string; rv: number }[] = [];
  readonly problems: string[] = [];
  private abort: AbortController | undefined;
  private stopped = false;
  resumes = 0;

  constructor(
    private readonly configs: KubeConfig[],
    private rv: string,
    private server: number,
  ) {}

  start(): void {
    void this.open();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private async open(): Promise<void> {
    while (!this.stopped) {
      const ended = new Promise<unknown>((resolve) => {
        new Watch(this.configs[this.server]!)
          .watch(
            `/api/v1/namespaces/${NS}/configmaps`,
            { resourceVersion: this.rv, allowWatchBookmarks: true },
            (type, obj: KObject) => this.event(type, obj),
            resolve,
          )
          .then((a) => (this.abort = a), resolve);
      });
      await ended;
      if (this.stopped) return;
      this.resumes++;
      this.server = (this.server + 1) % this.configs.length;
      await sleep(200);
    }
  }

  private event(type: string, obj: KObject): void {
    if (type === 'ERROR') {
      this.problems.push(`ERROR event: ${JSON.stringify(obj)}`);
      return;
    }
    const rv = obj.metadata.resourceVersion!;
    if (type === 'ADDED') this.seen.push({ name: obj.metadata.name!, rv: Number(rv) });
    this.rv = rv;
  }
}

describe('etcd and two API servers under faults', { skip, timeout: 600_000 }, () => {
  const cluster = new TestCluster(3, 'vxlan', ['--store', 'etcd', '--apiservers', '2']);
  const configs: KubeConfig[] = [];
  let urls: string[] = [];

  before(() => {
    cluster.up();
    urls = apiserverPorts(cluster.layout).map((p) => `https://${cluster.layout.hostIp}:${p}`);
    const text = readFileSync(cluster.kubeconfig, 'utf8');
    for (const url of urls) {
      const kc = new KubeConfig();
      kc.loadFromString(text.replace(/server: \S+/, `server: ${url}`));
      configs.push(kc);
    }
    cluster.k(['create', 'namespace', NS]);
    cluster.apply(
      netexecPod('web', cluster.node(2)) +
        `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`,
    );
    cluster.waitReady(['web'], 120);
  });
  after(() => cluster.destroy());

  test('no acked write lost, no watch event missed or repeated, allocations unique, controllers resume', async (t) => {
    const layout = cluster.layout;
    const apis = configs.map((kc) => kc.makeApiClient(CoreV1Api));
    const initial = await apis[0]!.listNamespacedConfigMap({ namespace: NS });
    const startRv = initial.metadata!.resourceVersion!;
    // What the namespace held before (kube-root-ca.crt, say) is not an event of this run.
    const before = new Set(initial.items.map((c) => c.metadata!.name!));

    // 20 watches: official-client ones resumed by hand, and podnet informers on a failover client.
    const watches = Array.from(
      { length: WATCHES - INFORMERS },
      (_, i) => new ResumedWatch(configs, startRv, i % configs.length),
    );
    for (const w of watches) w.start();
    const failover = new KubeClient({ ...loadKubeconfig(cluster.kubeconfig), servers: urls, userAgent: 'faults' });
    const informerSeen: Map<string, number>[] = [];
    const informers = Array.from({ length: INFORMERS }, () => {
      const counts = new Map<string, number>();
      informerSeen.push(counts);
      const inf = new Informer(failover, configMaps, { namespace: NS, minBackoffMs: 100, maxBackoffMs: 1000 });
      inf.addHandlers({ onAdd: (o) => counts.set(o.metadata.name!, (counts.get(o.metadata.name!) ?? 0) + 1) });
      inf.start();
      return inf;
    });

    // The Service answers all along: a request every second from one node after the other.
    const clusterIp = cluster.k(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    const probes = { ok: 0, failed: [] as string[] };
    let probing = true;
    const prober = (async () => {
      for (let i = 0; probing; i++) {
        const node = cluster.node((i % 3) + 1);
        const r = await run([
          'nsenter',
          `--net=/run/netns/podnet-${node}`,
          '--',
          'curl',
          '-sS',
          '--fail',
          '--max-time',
          '5',
          `http://${clusterIp}/hostname`,
        ]);
        if (r.code === 0 && r.out.trim() === 'web') probes.ok++;
        else probes.failed.push(`${new Date().toISOString()} from ${node}: ${r.code} ${r.out.trim()}`);
        await sleep(1000);
      }
    })();

    // Steady writes: ConfigMaps, every tenth a NodePort Service; a write that fails goes to the other server.
    const acked = new Set<string>();
    const ackedServices = new Set<string>();
    let failedWrites = 0;
    let writing = true;
    // On failure too: nothing of this run keeps the test process alive.
    t.after(async () => {
      probing = false;
      writing = false;
      for (const w of watches) w.stop();
      for (const inf of informers) await inf.stop();
      failover.close();
    });
    const writerErrors: unknown[] = [];
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let seq = 0; writing; seq++) {
        const name = `w${w}-${seq}`;
        const service = seq % 10 === 0;
        for (let attempt = 0; ; attempt++) {
          const api = apis[(seq + attempt) % apis.length]!;
          try {
            if (service)
              await api.createNamespacedService({
                namespace: NS,
                body: {
                  apiVersion: 'v1',
                  kind: 'Service',
                  metadata: { name: `s${name}` },
                  spec: { type: 'NodePort', ports: [{ port: 80 }] },
                },
              });
            else
              await api.createNamespacedConfigMap({
                namespace: NS,
                body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { seq: `${seq}` } },
              });
            (service ? ackedServices : acked).add(service ? `s${name}` : name);
            break;
          } catch (e) {
            const code = (e as { code?: number }).code;
            if (code === 409) break; // an earlier attempt went through after all: not acked, not lost
            // Refused for what it is (not for where it went): retrying elsewhere cannot help.
            if (code !== undefined && code >= 400 && code < 500 && code !== 429) throw e;
            failedWrites++;
            if (attempt > 50) throw e;
            await sleep(100);
          }
        }
        await sleep(20);
      }
    }).map((p) => p.catch((e: unknown) => writerErrors.push(e)));

    const pidOf = (name: string) =>
      (JSON.parse(readFileSync(join(cluster.dir, 'pids', `${name}.json`), 'utf8')) as { pid: number }).pid;
    await sleep(5000);

    // 1. kill -9 the etcd leader.
    const pki = join(cluster.dir, 'pki', 'etcd');
    const status = await run([
      'etcdctl',
      `--endpoints=${(layout.controlPlanes ?? []).map((c) => `https://${c.ip}:2379`).join(',')}`,
      `--cacert=${join(pki, 'ca.crt')}`,
      `--cert=${join(pki, 'apiserver-etcd-client.crt')}`,
      `--key=${join(pki, 'apiserver-etcd-client.key')}`,
      'endpoint',
      'status',
      '-w',
      'json',
    ]);
    assert.equal(status.code, 0, status.out);
    // Member ids are 64-bit: compare them as text.
    const members = [
      ...status.out.matchAll(/"Endpoint":"https:\/\/([\d.]+):2379".*?"member_id":(\d+).*?"leader":(\d+)/g),
    ];
    const leader = members.find((m) => m[2] === m[3]);
    assert.ok(leader, `no etcd leader in ${status.out}`);
    const leaderCp = layout.controlPlanes!.find((c) => c.ip === leader[1])!;
    t.diagnostic(`killing etcd leader ${leaderCp.name} (${leaderCp.ip})`);
    process.kill(pidOf(`etcd${leaderCp.index}`), 'SIGKILL');
    await sleep(10_000);

    // 2. kill -9 the API server whose controllers run (the controller lease's holder says which: its log names it).
    const holderOf = async () =>
      (
        (await failover.get(leases, 'kube-system', 'podnet-controller-manager')) as {
          spec?: { holderIdentity?: string };
        }
      ).spec?.holderIdentity;
    const holder = await holderOf();
    assert.ok(holder, 'no controller lease holder');
    const leaderName = ['apiserver', 'apiserver2'].find((n) =>
      readFileSync(join(cluster.dir, 'logs', `${n}.log`), 'utf8').includes(`${holder} is now the leader`),
    );
    assert.ok(leaderName, `no API server log says ${holder} leads`);
    t.diagnostic(`killing ${leaderName}, the controllers' leader`);
    const killedAt = Date.now();
    // The recorded pid is the API server's supervisor: kill it and the server under it, both abruptly.
    const supervisor = pidOf(leaderName);
    const server = readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8').trim().split(/\s+/);
    process.kill(supervisor, 'SIGKILL');
    for (const pid of server.filter(Boolean)) process.kill(Number(pid), 'SIGKILL');

    // Controllers resume in the other server: a new Service gets its EndpointSlice there.
    const survivor = apis[leaderName === 'apiserver' ? 1 : 0]!;
    // Beside the web pod (namespace default): a Service selects pods of its own namespace only.
    await survivor.createNamespacedService({
      namespace: 'default',
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'after-kill' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    await eventually('the controllers to resume in the other API server', async () => {
      const h = await holderOf();
      if (h === holder) return false;
      const list = await failover.list(slices, 'default', { labelSelector: 'kubernetes.io/service-name=after-kill' });
      return list.items.some((s) => ((s as { endpoints?: unknown[] }).endpoints ?? []).length > 0);
    });
    const resumedS = (Date.now() - killedAt) / 1000;
    t.diagnostic(`controllers resumed ${resumedS.toFixed(1)} s after the leader was killed`);

    // 3. Restart both with `podnet up` (it restarts exactly what died).
    const again = await run([process.execPath, podnetBin, 'up', '--state', cluster.dir, '--timeout', '180']);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, new RegExp(`etcd${leaderCp.index}: started`));
    assert.match(again.out, new RegExp(`${leaderName}: started`));
    await sleep(5000);
    writing = false;
    await Promise.all(writers);
    assert.deepEqual(writerErrors, [], 'a write was refused');

    // Every acknowledged write is there.
    const names = new Set((await failover.listAll(configMaps, NS)).items.map((o) => o.metadata.name!));
    const lost = [...acked].filter((n) => !names.has(n));
    assert.deepEqual(lost, [], 'acknowledged ConfigMaps missing');
    t.diagnostic(
      `${acked.size} ConfigMaps and ${ackedServices.size} Services acknowledged; ${failedWrites} attempts failed and were retried`,
    );

    // Every watch saw every object of this run exactly once, in resourceVersion order (what the namespace held
    // before the watches' resourceVersion is no event of theirs; an informer lists it).
    const created = [...names].filter((n) => !before.has(n)).sort();
    // Where each one stands, for the failure message: events seen of the expected, resumes, problems.
    const progress = () =>
      JSON.stringify({
        objects: created.length,
        watches: watches.map((w) => `${w.seen.length}/${w.resumes}r/${w.problems.length}p`),
        informers: informerSeen.map((m) => [...m.keys()].filter((n) => !before.has(n)).length),
      });
    await eventually(
      'every watch to catch up',
      () =>
        watches.every((w) => w.seen.length >= created.length) &&
        informerSeen.every((m) => [...m.keys()].filter((n) => !before.has(n)).length >= created.length),
    ).catch((e: Error) => assert.fail(`${e.message}; ${progress()}`));
    for (const [i, w] of watches.entries()) {
      assert.deepEqual(w.problems, [], `watch ${i}`);
      const seenNames = w.seen.map((s) => s.name);
      assert.equal(new Set(seenNames).size, seenNames.length, `watch ${i} delivered an event twice`);
      assert.deepEqual([...seenNames].sort(), created, `watch ${i} missed or invented events`);
      for (let k = 1; k < w.seen.length; k++)
        assert.ok(w.seen[k]!.rv > w.seen[k - 1]!.rv, `watch ${i}: resourceVersion went back at ${w.seen[k]!.name}`);
    }
    for (const [i, m] of informerSeen.entries()) {
      const keys = [...m.keys()].filter((n) => !before.has(n));
      assert.deepEqual(keys.sort(), created, `informer ${i} missed objects`);
      assert.ok(
        [...m.values()].every((n) => n === 1),
        `informer ${i} reported an object twice`,
      );
    }
    t.diagnostic(`watch resumes: ${watches.map((w) => w.resumes).join(' ')}`);

    // No ClusterIP or NodePort twice.
    const services = (await apis[0]!.listNamespacedService({ namespace: NS })).items;
    const ips = services.map((s) => s.spec!.clusterIP!);
    const ports = services.flatMap((s) => (s.spec!.ports ?? []).map((p) => p.nodePort).filter((p) => p !== undefined));
    assert.equal(new Set(ips).size, ips.length, 'a ClusterIP was allocated twice');
    assert.equal(new Set(ports).size, ports.length, 'a NodePort was allocated twice');
    for (const s of ackedServices)
      assert.ok(
        services.some((x) => x.metadata!.name === s),
        `Service ${s} lost`,
      );

    probing = false;
    await prober;
    for (const w of watches) w.stop();
    for (const inf of informers) await inf.stop();
    failover.close();
    t.diagnostic(`Service probes: ${probes.ok} answered, ${probes.failed.length} failed`);
    assert.deepEqual(probes.failed, [], 'the Service stopped answering');
    assert.ok(probes.ok > 10);
  });
});

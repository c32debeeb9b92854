/**
 * The API server benchmark: spawns `podnet apiserver` on a fresh state dir,
 * loads Services, Pods and EndpointSlices over HTTPS with keep-alive, then
 * measures list latency, watch fan-out latency and the server's memory.
 * Prints a table against the issue's goals and writes the results as JSON.
 * Run it with bench/apiserver/run (see bench/README.md).
 */
import { TokenAuthenticator } from '../../apiserver/state/tokens.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMany, type CreateResult } from './create-phase.js';
import { phaseCpu, sampleCpu, type PhaseCpu } from './cpu-usage.js';
import { BenchClient } from './http-client.js';
import { measureList } from './list-phase.js';
import {
  endpointSliceObject,
  namespaceName,
  namespaceObject,
  podObject,
  serviceName,
  serviceObject,
} from './objects.js';
import { HelpRequested, parseOptions, USAGE, type BenchOptions } from './options.js';
import { formatSideBySide, formatTable, otherCores, rows, type BenchResults, type StoreRun } from './report.js';
import { spawnApiServer, type ServerProcess } from './server-process.js';
import { measureWatch } from './watch-phase.js';
import { startThrowawayEtcd, type ThrowawayEtcd } from '../../store/etcd/testing/throwaway-etcd.js';

const DEFAULT_OUT = fileURLToPath(new URL('../../../bench/apiserver/results.json', import.meta.url));

export async function main(args: string[]): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseOptions(args, DEFAULT_OUT);
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    process.stderr.write(`bench/apiserver: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
  // What runs now, so Ctrl-C or a kill still ends the server and etcd and removes their state.
  const active: { server?: ServerProcess; client?: BenchClient; etcd?: ThrowawayEtcd } = {};
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = true;
    log(`${sig}: stopping the server`);
    active.client?.close();
    void (active.server?.stop() ?? Promise.resolve()).then(() => active.etcd?.stop()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const runs: StoreRun[] = [];
    for (const store of opts.stores) runs.push({ store, results: await runOnStore(store, opts, active, log) });
    const scaled =
      opts.services < 10_000 ||
      opts.pods < 10_000 ||
      opts.slices * opts.endpointsPerSlice < 100_000 ||
      opts.watchers < 100;
    let note = scaled
      ? 'note: a scaled-down run; the goals are stated for 10k Services, 10k Pods, 100k endpoints and 100 watchers.\n'
      : '';
    const others = Math.max(...runs.map((r) => otherCores(r.results)));
    if (others > 0.2)
      note += `note: other processes used up to ${others.toFixed(2)} cores on average during the run; wall-clock figures are disturbed (compare the CPU rows).\n`;
    for (const r of runs) process.stdout.write(`\n${r.store}:\n${formatTable(rows(r.results))}\n`);
    if (runs.length > 1) process.stdout.write(`\nside by side:\n${formatSideBySide(runs)}\n`);
    process.stdout.write(`\n${note}\n`);
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, `${JSON.stringify(report(opts, runs), null, 2)}\n`);
    log(`results written to ${opts.out}`);
    return 0;
  } catch (e) {
    // After Ctrl-C the requests in flight fail as the server goes away; that is not news.
    if (!interrupted)
      process.stderr.write(`bench/apiserver failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  } finally {
    active.client?.close();
    await active.server?.stop();
    await active.etcd?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** One whole run on one store: its own server (and etcd), stopped at the end. */
async function runOnStore(
  store: 'sqlite' | 'etcd',
  opts: BenchOptions,
  active: { server?: ServerProcess; client?: BenchClient; etcd?: ThrowawayEtcd },
  log: (s: string) => void,
): Promise<BenchResults> {
  try {
    if (store === 'etcd') {
      active.etcd = await startThrowawayEtcd();
      log(`etcd (single member, loopback) at ${active.etcd.endpoint}, pid ${active.etcd.pid}`);
    }
    const server = await spawnApiServer({
      mode: opts.server,
      nodeArgs: opts.serverNodeArgs,
      verbose: opts.verbose,
      ...(active.etcd && { etcdServers: active.etcd.endpoint }),
    });
    active.server = server;
    log(
      `[${store}] server (${opts.server === 'cli' ? 'bin/podnet apiserver, controllers on' : 'API server only, controllers off'}) pid ${server.pid} at ${server.url}, state ${server.stateDir}`,
    );
    active.client = new BenchClient(server.url, server.token, server.caPem, opts.concurrency);
    await waitReady(active.client);
    if (opts.identity === 'rbac') {
      const token = await rbacUserToken(active.client, server.stateDir);
      active.client.close();
      active.client = new BenchClient(server.url, token, server.caPem, opts.concurrency);
      log('as user bench-writer, authorized by RBAC (ClusterRole bench-writer)');
    }
    return await run(active.client, server, active.etcd?.pid, opts, log);
  } finally {
    active.client?.close();
    await active.server?.stop();
    await active.etcd?.stop();
    active.client = active.server = active.etcd = undefined;
  }
}

async function run(
  client: BenchClient,
  server: ServerProcess,
  storePid: number | undefined,
  o: BenchOptions,
  log: (s: string) => void,
): Promise<BenchResults> {
  const memory: BenchResults['memory'] = [];
  const mark = (after: string) => {
    const m = server.memory();
    memory.push({ after, ...m });
    log(`server memory after ${after}: VmRSS ${m.rssMiB.toFixed(0)} MiB, VmHWM ${m.hwmMiB.toFixed(0)} MiB`);
  };
  mark('start');
  const cpu: PhaseCpu[] = [];
  let cpuFrom = sampleCpu(server.pid, storePid);
  const cpuMark = (phase: string, ops: number, unit: string) => {
    const to = sampleCpu(server.pid, storePid);
    const c = { ...phaseCpu(phase, cpuFrom, to), ops, unit };
    cpu.push(c);
    cpuFrom = to;
    log(
      `  CPU: server ${c.serverS.toFixed(1)} s (${((c.serverS * 1000) / Math.max(1, ops)).toFixed(2)} ms/${unit})${storePid === undefined ? '' : `, etcd ${c.storeS.toFixed(1)} s (${((c.storeS * 1000) / Math.max(1, ops)).toFixed(2)} ms/${unit})`}, load generator ${c.benchS.toFixed(1)} s, other processes ${c.otherS.toFixed(1)} s, wall ${c.wallS.toFixed(1)} s`,
    );
  };
  const ns = (i: number) => namespaceName(i % o.namespaces);
  const creates: CreateResult[] = [];
  const create = async (spec: Parameters<typeof createMany>[1]) => {
    log(`creating ${spec.count} ${spec.kind} objects, ${spec.concurrency} in flight`);
    cpuFrom = sampleCpu(server.pid, storePid);
    const r = await createMany(client, spec);
    creates.push(r);
    log(
      `  ${r.perSecond.toFixed(0)}/s (${r.seconds.toFixed(1)} s; latency p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms)`,
    );
    cpuMark(`create ${spec.kind}`, spec.count, 'object');
  };
  await create({
    kind: 'Namespace',
    count: o.namespaces,
    concurrency: o.concurrency,
    path: () => '/api/v1/namespaces',
    object: (i) => namespaceObject(namespaceName(i)),
  });
  await create({
    kind: 'Service',
    count: o.services,
    concurrency: o.concurrency,
    path: (i) => `/api/v1/namespaces/${ns(i)}/services`,
    object: (i) => serviceObject(i, ns(i)),
  });
  mark('services');
  if (o.pods > 0) {
    await create({
      kind: 'Pod',
      count: o.pods,
      concurrency: o.concurrency,
      path: (i) => `/api/v1/namespaces/${ns(i)}/pods`,
      object: (i) => podObject(i, ns(i), o.services),
    });
    mark('pods');
  }
  if (o.slices > 0) {
    await create({
      kind: 'EndpointSlice',
      count: o.slices,
      concurrency: o.concurrency,
      path: (i) => `/apis/discovery.k8s.io/v1/namespaces/${ns(i)}/endpointslices`,
      object: (i) => endpointSliceObject(i, ns(i), o.endpointsPerSlice, o.services),
    });
  }
  mark('load');

  const lists = [];
  const listSpecs = [
    { name: 'list JSON', table: false, pageSize: undefined },
    { name: 'list Table', table: true, pageSize: undefined },
    { name: `list paged limit=${o.pageSize}`, table: false, pageSize: o.pageSize },
  ];
  for (const s of listSpecs) {
    log(`${s.name} of /api/v1/services, ${o.listRuns} runs`);
    cpuFrom = sampleCpu(server.pid, storePid);
    const r = await measureList(client, { ...s, path: '/api/v1/services', runs: o.listRuns, wantItems: o.services });
    lists.push(r);
    log(
      `  p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms, ${r.items} items, ${(r.bytes / 1048576).toFixed(1)} MiB`,
    );
    cpuMark(s.name, o.listRuns, 'list');
  }
  mark('lists');

  log(`watch: ${o.watchers} watchers, ${o.updates} patches every ${o.updateIntervalMs} ms`);
  cpuFrom = sampleCpu(server.pid, storePid);
  const targets = Array.from(
    { length: Math.min(o.updates, o.services) },
    (_, i) => `/api/v1/namespaces/${ns(i)}/services/${serviceName(i)}`,
  );
  const watch = await measureWatch(client, {
    collection: '/api/v1/services',
    targets,
    watchers: o.watchers,
    updates: o.updates,
    intervalMs: o.updateIntervalMs,
  });
  log(
    `  delivered ${watch.deliveries}/${watch.expectedDeliveries}; send->receive p50 ${watch.fromSend.p50.toFixed(1)} ms, p99 ${watch.fromSend.p99.toFixed(1)} ms`,
  );
  cpuMark('watch', o.updates, 'update');
  mark('watch');
  return { creates, lists, watch, memory, cpu };
}

async function waitReady(client: BenchClient): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await client.send({ method: 'GET', path: '/readyz' }).catch(() => undefined); // not up yet
    if (res?.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(
        `the server did not become ready within 30 s (/readyz: ${res ? `HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}` : 'no answer'})`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

function report(opts: BenchOptions, runs: StoreRun[]): object {
  const { out: _out, verbose: _verbose, ...options } = opts;
  return {
    benchmark: 'apiserver',
    date: new Date().toISOString(),
    host: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryMiB: Math.round(totalmem() / 1048576),
      node: process.version,
    },
    options,
    runs: runs.map(({ store, results }) => ({
      store,
      otherProcessesCores: otherCores(results),
      table: rows(results).map((r) => ({ ...r, value: Number.isNaN(r.value) ? null : r.value })),
      results,
    })),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}

/**
 * A user that only RBAC lets write what the bench writes: a ClusterRole
 * naming the resources and verbs (not "*"), bound to user bench-writer,
 * whose token goes into the server's token file.
 */
async function rbacUserToken(admin: BenchClient, stateDir: string): Promise<string> {
  const verbs = ['create', 'get', 'list', 'watch', 'patch', 'update', 'delete'];
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'bench-writer' },
    rules: [
      { apiGroups: [''], resources: ['namespaces', 'services', 'pods'], verbs },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs },
    ],
  };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'bench-writer' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'bench-writer' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bench-writer' }],
  };
  for (const [path, body] of [
    ['/apis/rbac.authorization.k8s.io/v1/clusterroles', role],
    ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding],
  ] as const) {
    const r = await admin.send({ method: 'POST', path, body });
    if (r.status !== 201) throw new Error(`creating ${path}: ${r.status} ${r.body.toString()}`);
  }
  return TokenAuthenticator.load(stateDir).userToken('bench-writer');
}

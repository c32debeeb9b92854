/**
 * The router controller: informers -> the routing table, kept object by
 * object (table.ts) -> the smallest change to the running HAProxy: Runtime
 * API commands for the backends and routes that changed, a seamless reload
 * only for a new backend or a new frame (TLS, listeners), batched. Level
 * triggered and safe to kill at any moment: a new controller reads back
 * what HAProxy holds and carries on; HAProxy keeps serving its last table
 * while the controller or the API server is away.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KObject } from '../api/meta.js';
import { findResource } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';
import { recordEvent } from '../client/events.js';
import { Informer, keyOf } from '../client/informer.js';
import { AppliedRevisionPublisher, SliceRevisionWatermark } from '../client/endpoints-applied.js';
import { warn } from '../log/log.js';
import {
  appliedFromRendered,
  haproxyName,
  keepAliases,
  needsReload,
  ordered,
  planMapEntry,
  planRuntime,
  planServers,
  servable,
  tableName,
  takeStandby,
  type AppliedState,
  type RuntimeCommand,
} from './haproxy/plan.js';
import { Haproxy } from './haproxy/process.js';
import {
  mapFile,
  mapKey,
  paths,
  renderFrame,
  renderHaproxy,
  type HaproxySettings,
  type Rendered,
} from './haproxy/render.js';
import { RouterMetrics } from './metrics.js';
import { selfSignedPemAsync } from './self-signed.js';
import { RouteTable, type TableChanges } from './table.js';
import type {
  IngressClassObject,
  IngressObject,
  PathType,
  RouterEndpointSliceObject,
  RouterNodeObject,
  RouterPodObject,
  RouterServiceObject,
  SecretObject,
} from './types.js';

const res = {
  ingresses: findResource('networking.k8s.io', 'v1', 'ingresses')!,
  ingressClasses: findResource('networking.k8s.io', 'v1', 'ingressclasses')!,
  services: findResource('', 'v1', 'services')!,
  endpointSlices: findResource('discovery.k8s.io', 'v1', 'endpointslices')!,
  pods: findResource('', 'v1', 'pods')!,
  secrets: findResource('', 'v1', 'secrets')!,
  nodes: findResource('', 'v1', 'nodes')!,
};

interface RouterOptions {
  client: KubeClient;
  haproxy: HaproxySettings;
  /** HAProxy runs beside the controller (its own container): wait for it, never start or stop it. */
  externalHaproxy?: boolean;
  log: (message: string) => void;
  /** A structural change waits this long for others to reload once (default 100 ms). */
  reloadDelayMs?: number;
  /** Read back what HAProxy holds and converge this often (default 30 s). */
  resyncMs?: number;
  /** Rewrite the files HAProxy would load (and `podnet router config` prints) at most this often (default 2 s). */
  fileFlushMs?: number;
  /**
   * The Lease this router owns and on which it publishes the EndpointSlice
   * revision HAProxy reflects (nodes wait for it before stopping a pod).
   */
  appliedLease?: { namespace: string; name: string; holderIdentity: string; ownerPodUid?: string };
}

export interface Router {
  table: RouteTable;
  ready(): boolean;
  metrics: RouterMetrics;
  /** Stops watching; HAProxy keeps serving (a new controller adopts it). */
  stop(): Promise<void>;
  /** Stops HAProxy too. */
  stopAll(): Promise<void>;
}

/** Writes a file only when its content changed, atomically (a reload never reads half a file). */
function writeIfChanged(path: string, text: string, mode = 0o644): void {
  try {
    if (readFileSync(path, 'utf8') === text) return;
  } catch {
    // missing: write it
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}

function writeFiles(r: Rendered, runDir: string): void {
  const p = paths(runDir);
  for (const [name, text] of r.tlsFiles) writeIfChanged(join(p.tlsDir, name), text, 0o600);
  const keep = new Set([...r.tlsFiles.keys(), 'default.pem']);
  for (const f of readdirSync(p.tlsDir)) if (!keep.has(f)) rmSync(join(p.tlsDir, f), { force: true });
  writeIfChanged(p.exactMap, mapFile(r.exact));
  writeIfChanged(p.prefixMap, mapFile(r.prefix));
  writeIfChanged(p.config, r.config);
}

/** Which map and key a route key (type, host, path) lives under. */
function mapEntryOf(rk: string): { which: 'exact' | 'prefix'; key: string } {
  const [pathType, host, path] = rk.split('\n') as [PathType, string, string];
  return { which: pathType === 'Exact' ? 'exact' : 'prefix', key: mapKey({ host, path, pathType }) };
}

export async function startRouter(o: RouterOptions): Promise<Router> {
  const log = o.log;
  const table = new RouteTable();
  const metrics = new RouterMetrics(table);
  const haproxy = new Haproxy(o.haproxy.runDir, !!o.externalHaproxy, o.haproxy.accessLog === 'stdout');
  mkdirSync(paths(o.haproxy.runDir).tlsDir, { recursive: true, mode: 0o700 });
  // Made while the informers list (HAProxy needs it to listen for TLS at all).
  const defaultCert = paths(o.haproxy.runDir).defaultCert;
  const defaultCertReady = existsSync(defaultCert)
    ? Promise.resolve()
    : selfSignedPemAsync('podnet-router.invalid').then((pem) => writeIfChanged(defaultCert, pem, 0o600));
  const onError = (e: unknown) => warn(log, `watch error (retrying): ${(e as Error).message ?? String(e)}`);
  const sliceRevision = new SliceRevisionWatermark();
  const appliedEndpoints =
    o.appliedLease && new AppliedRevisionPublisher({ client: o.client, ...o.appliedLease, consumer: 'router', log });
  const ingresses = new Informer<IngressObject>(o.client, res.ingresses, { onError });
  const informers = [
    ingresses,
    watch(new Informer<IngressClassObject>(o.client, res.ingressClasses, { onError }), (k, v) =>
      table.setIngressClass(k, v),
    ),
    watch(new Informer<RouterServiceObject>(o.client, res.services, { onError }), (k, v) => table.setService(k, v)),
    watch(new Informer<RouterEndpointSliceObject>(o.client, res.endpointSlices, { onError }), (k, v, obj) => {
      sliceRevision.observe(obj);
      table.setEndpointSlice(k, v);
    }),
    watch(new Informer<RouterPodObject>(o.client, res.pods, { onError }), (k, v) => table.setPod(k, v)),
    watch(
      new Informer<SecretObject>(o.client, res.secrets, { onError, fieldSelector: 'type=kubernetes.io/tls' }),
      (k, v) => table.setSecret(k, v),
    ),
    watch(new Informer<RouterNodeObject>(o.client, res.nodes, { onError }), (k, v) => table.setNode(k, v)),
  ];
  watch(ingresses, (k, v) => table.setIngress(k, v));

  function watch<T extends KObject>(
    inf: Informer<T>,
    set: (key: string, obj: T | undefined, seen: T) => void,
  ): Informer<T> {
    inf.addHandlers({
      onAdd: (obj) => {
        set(keyOf(obj), obj, obj);
        schedule();
      },
      onUpdate: (_old, obj) => {
        set(keyOf(obj), obj, obj);
        schedule();
      },
      onDelete: (obj) => {
        set(keyOf(obj), undefined, obj);
        schedule();
      },
    });
    return inf;
  }

  let applied: AppliedState | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  /** When the oldest change not yet applied was seen. */
  let pendingSince: number | undefined;
  /** A reload is due (a new backend or frame) but waits for the batch window to close. */
  let reloadPending = false;
  let reloadTimer: NodeJS.Timeout | undefined;
  let reloadDue = 0;
  let filesDirty = false;
  const warned = new Set<string>();
  /** Read back what HAProxy holds before the next sync (resync, or a HAProxy that may have gone). */
  let readBack = false;
  /** Until every informer has listed, a table would be missing routes: no sync before that. */
  let synced = false;

  function schedule(): void {
    pendingSince ??= performance.now();
    if (stopped || !synced) return;
    if (running) {
      again = true;
      return;
    }
    running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => syncOnce())
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          schedule();
        }
      });
  }

  async function syncOnce(): Promise<void> {
    const started = performance.now();
    const since = pendingSince ?? started;
    pendingSince = undefined;
    const changes = table.takeChanges();
    // Read with the table the changes come from: a clean sync makes HAProxy reflect every slice event up to here.
    const revision = sliceRevision.current;
    try {
      // After a read-back everything is compared, not only what the table says changed.
      const full = readBack;
      if (readBack) {
        readBack = false;
        const previous = applied;
        applied = (await haproxy.proc()) ? await haproxy.readApplied() : undefined;
        if (applied) keepAliases(previous, applied);
      }
      const frame = renderFrame(table.certificates(), o.haproxy);
      const wanted = full ? table.backends.values() : [...changes.backends].flatMap((b) => table.backends.get(b) ?? []);
      // A new backend takes a standby one where it can; only one that cannot waits for a reload.
      const newBackend = !!applied && takeStandby(applied, wanted).length > 0;
      if (!applied || reloadPending || newBackend || frame.frameHash !== applied.frameHash) {
        if (!applied || performance.now() >= reloadDue) {
          await reloadOrStart();
          metrics.changed('reload', (performance.now() - since) / 1000);
        } else {
          // Apply what can go at run time now; the reload comes when the batch window closes.
          reloadPending = true;
          pendingSince = since;
          clearTimeout(reloadTimer);
          reloadTimer = setTimeout(schedule, reloadDue - performance.now());
          await runtime(changes, since);
        }
      } else if (full) await run(fullPlan(applied), since);
      else if (changes.backends.size || changes.routes.size) await runtime(changes, since);
      metrics.synced((performance.now() - started) / 1000);
      // A refused command (readBack) leaves HAProxy short of the table until the next sync.
      if (!readBack) appliedEndpoints?.publish(revision);
      await publish(changes);
    } catch (e) {
      metrics.syncErrors++;
      warn(log, `sync failed (retrying in 1 s): ${(e as Error).message}`);
      // The changes taken are lost to this sync: the retry compares everything (read back, full plan).
      readBack = true;
      pendingSince ??= since;
      setTimeout(schedule, 1000).unref();
    }
  }

  function render(): Rendered {
    return renderHaproxy(table.snapshot(), o.haproxy);
  }

  function fullPlan(a: AppliedState): RuntimeCommand[] {
    return planRuntime(a, table.snapshot(), render(), o.haproxy.runDir);
  }

  async function reloadOrStart(): Promise<void> {
    const state = table.snapshot();
    const rendered = renderHaproxy(state, o.haproxy);
    writeFiles(rendered, o.haproxy.runDir);
    filesDirty = false;
    if (await haproxy.proc()) {
      // A refused config would leave the running worker as it is; checking first names the cause.
      await haproxy.validate();
      await haproxy.reload();
      log(`HAProxy reloaded (${state.backends.length} backends, ${state.routes.length} routes)`);
    } else {
      // No check first: it would parse the whole config once more (seconds at 10,000 routes), and a config
      // HAProxy refuses stops the start with HAProxy's own message.
      const t0 = performance.now();
      const info = await haproxy.start();
      log(
        `HAProxy started in ${Math.round(performance.now() - t0)} ms (master pid ${info.masterPid}, ${state.routes.length} routes)`,
      );
    }
    applied = appliedFromRendered(state, rendered);
    reloadPending = false;
    // The next structural change waits for others to come with it.
    reloadDue = performance.now() + (o.reloadDelayMs ?? 100);
  }

  /** Runtime API commands for what changed, limited to backends HAProxy already has. */
  async function runtime(changes: TableChanges, since: number): Promise<void> {
    const a = applied!;
    const servers = [...changes.backends]
      .filter((b) => servable(a, b))
      .map((b) => planServers(a, haproxyName(a, b), table.backends.get(b)?.servers ?? []));
    const maps: RuntimeCommand[] = [];
    for (const rk of changes.routes) {
      const { which, key } = mapEntryOf(rk);
      const backend = table.routes.get(rk)?.backend;
      if (backend !== undefined && !servable(a, backend)) continue; // comes with the reload
      const c = planMapEntry(a, o.haproxy.runDir, which, key, backend && haproxyName(a, backend));
      if (c) maps.push(c);
    }
    await run(ordered(servers, maps), since);
  }

  async function run(commands: RuntimeCommand[], since: number): Promise<void> {
    if (!commands.length) return;
    const a = applied!;
    const replies = await haproxy.commands(commands.map((c) => c.text));
    let failed = 0;
    commands.forEach((c, i) => {
      const out = replies[i] ?? '';
      if (c.succeeded(out)) c.apply(a);
      else if (c.text.startsWith('del server')) {
        // Refused while connections are attached: tried again shortly (through drain).
        table.retry(tableName(a, c.text.split(' ')[2]!.split('/')[0]!));
        setTimeout(schedule, 2000).unref();
      } else {
        failed++;
        warn(log, `HAProxy refused "${c.text}": ${out.trim().split('\n')[0]}`);
        readBack = true; // converge on what HAProxy really holds at the next sync
      }
    });
    metrics.runtimeCommandFailures += failed;
    metrics.changed('runtime', (performance.now() - since) / 1000);
    filesDirty = true;
  }

  async function publish(changes: TableChanges): Promise<void> {
    if (changes.events)
      for (const e of table.events()) {
        const key = `${e.regarding.uid}|${e.reason}|${e.message}`;
        if (warned.has(key)) continue;
        warned.add(key);
        const obj: KObject = {
          apiVersion: e.regarding.kind === 'Ingress' ? 'networking.k8s.io/v1' : 'v1',
          kind: e.regarding.kind,
          metadata: { name: e.regarding.name, namespace: e.regarding.namespace, uid: e.regarding.uid },
        };
        void recordEvent(o.client, log, obj, e.type, e.reason, e.message, 'podnet-router');
      }
    if (!changes.statuses) return;
    for (const [key, addresses] of table.ingressAddresses()) {
      const [ns, name] = key.split('/') as [string, string];
      const ing = ingresses.getByName(ns, name);
      const current = (ing?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '');
      if (!ing || current.join() === addresses.join()) continue;
      const patch = { status: { loadBalancer: { ingress: addresses.map((ip) => ({ ip })) } } };
      await o.client
        .patch(res.ingresses, ns, name, 'merge', patch, { subresource: 'status' })
        .catch((e: Error) => warn(log, `cannot update the status of Ingress ${key}: ${e.message}`));
    }
  }

  /** A controller that starts beside a running HAProxy of the same frame takes over what it holds. */
  async function adopt(): Promise<void> {
    if (!(await haproxy.proc())) return;
    const frame = renderFrame(table.certificates(), o.haproxy);
    if ((await haproxy.frameHash()) !== frame.frameHash) return; // the first sync reloads it
    applied = await haproxy.readApplied();
    // What changed while no controller watched is caught up here, or by the first sync's reload.
    reloadPending = takeStandby(applied, table.backends.values()).length > 0 || needsReload(applied, render());
    const catchUp = fullPlan(applied);
    if (!reloadPending && catchUp.length) {
      const replies = await haproxy.commands(catchUp.map((c) => c.text));
      catchUp.forEach((c, i) => c.succeeded(replies[i] ?? '') && c.apply(applied!));
    }
    log(
      `router: adopted the running HAProxy (${applied.backends.size} backends, ${catchUp.length} changes to catch up)`,
    );
  }

  const listing = performance.now();
  for (const inf of informers) inf.start();
  await Promise.all([...informers.map((i) => i.waitForSync()), defaultCertReady]);
  log(`listed the cluster in ${Math.round(performance.now() - listing)} ms: ${table.routes.size} routes`);
  table.takeChanges(); // the first sync looks at everything anyway
  await adopt();
  synced = true;
  schedule();
  await running;

  const resync = setInterval(() => {
    readBack = true;
    // Backends served by standby ones get their own names (in the access log, in metrics) at a quiet moment.
    if (applied?.aliases.size) reloadPending = true;
    schedule();
  }, o.resyncMs ?? 30_000);
  resync.unref();
  const flush = setInterval(() => {
    if (!filesDirty || running || reloadPending) return;
    filesDirty = false;
    try {
      writeFiles(render(), o.haproxy.runDir);
    } catch (e) {
      filesDirty = true;
      warn(log, `cannot write HAProxy's files: ${(e as Error).message}`);
    }
  }, o.fileFlushMs ?? 2000);
  flush.unref();

  const stop = async () => {
    stopped = true;
    clearInterval(resync);
    clearInterval(flush);
    clearTimeout(reloadTimer);
    await running;
    await Promise.all(informers.map((i) => i.stop()));
    await appliedEndpoints?.stop();
  };
  return {
    table,
    ready: () => !!applied,
    metrics,
    stop,
    stopAll: async () => {
      await stop();
      await haproxy.stop();
    },
  };
}

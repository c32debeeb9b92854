/**
 * The router controller: informers -> routing table (model.ts) -> HAProxy
 * files (haproxy/render.ts) -> the smallest change to the running HAProxy:
 * Runtime API commands for endpoints and routes, a seamless reload only
 * when the structure (backends, TLS, listeners) changes, batched. Level
 * triggered and safe to kill at any moment: a new controller reads back
 * what HAProxy holds and carries on; HAProxy keeps serving its last table
 * while the controller or the API server is away.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KObject } from '../api/meta.js';
import { findResource } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';
import { recordEvent } from '../client/events.js';
import { Informer } from '../client/informer.js';
import { Haproxy } from './haproxy/process.js';
import { appliedFromRendered, needsReload, planRuntime, type AppliedState } from './haproxy/plan.js';
import { mapFile, paths, renderHaproxy, type HaproxySettings, type Rendered } from './haproxy/render.js';
import { RouterMetrics } from './metrics.js';
import { buildRouterState } from './model.js';
import { selfSignedPem } from './self-signed.js';
import type {
  ClusterView,
  IngressClassObject,
  IngressObject,
  RouterEndpointSliceObject,
  RouterNodeObject,
  RouterPodObject,
  RouterServiceObject,
  RouterState,
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

export interface RouterOptions {
  client: KubeClient;
  haproxy: HaproxySettings;
  log: (message: string) => void;
  /** A structural change waits this long for others to reload once (default 100 ms). */
  reloadDelayMs?: number;
  /** Read back what HAProxy holds and converge this often (default 30 s). */
  resyncMs?: number;
}

export interface Router {
  /** The table last applied. */
  state(): RouterState | undefined;
  /** The files last written (what `podnet router config` prints). */
  rendered(): Rendered | undefined;
  ready(): boolean;
  metrics: RouterMetrics;
  /** Stops watching; HAProxy keeps serving (a new controller adopts it). */
  stop(): Promise<void>;
  /** Stops HAProxy too. */
  stopAll(): Promise<void>;
}

/** Writes a file only when its content changed, atomically (a reload never reads half a file). */
function writeIfChanged(path: string, text: string, mode = 0o644): boolean {
  try {
    if (readFileSync(path, 'utf8') === text) return false;
  } catch {
    // missing: write it
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
  return true;
}

function writeFiles(r: Rendered, runDir: string): void {
  const p = paths(runDir);
  if (!existsSync(p.defaultCert)) writeIfChanged(p.defaultCert, selfSignedPem('podnet-router.invalid'), 0o600);
  for (const [name, text] of r.tlsFiles) writeIfChanged(join(p.tlsDir, name), text, 0o600);
  const keep = new Set([...r.tlsFiles.keys(), 'default.pem']);
  for (const f of readdirSync(p.tlsDir)) if (!keep.has(f)) rmSync(join(p.tlsDir, f), { force: true });
  writeIfChanged(p.exactMap, mapFile(r.exact));
  writeIfChanged(p.prefixMap, mapFile(r.prefix));
  writeIfChanged(p.config, r.config);
}

/** The part of the table HAProxy can take without a reload: backends it already has, routes to those. */
function runtimePart(
  state: RouterState,
  r: Rendered,
  applied: AppliedState,
): { state: RouterState; rendered: Rendered } {
  const known = (b: string) => applied.backends.has(b);
  const keep = (want: Map<string, string>, have: Map<string, string>) => {
    const out = new Map<string, string>();
    for (const [k, b] of want) {
      if (known(b)) out.set(k, b);
      else if (have.has(k)) out.set(k, have.get(k)!); // its new backend comes with the reload
    }
    return out;
  };
  return {
    state: { ...state, backends: state.backends.filter((b) => known(b.name)) },
    rendered: { ...r, exact: keep(r.exact, applied.exact), prefix: keep(r.prefix, applied.prefix) },
  };
}

export async function startRouter(o: RouterOptions): Promise<Router> {
  const log = o.log;
  const metrics = new RouterMetrics();
  const haproxy = new Haproxy(o.haproxy.runDir);
  mkdirSync(paths(o.haproxy.runDir).tlsDir, { recursive: true, mode: 0o700 });
  const onError = (e: unknown) => log(`router: watch error (retrying): ${(e as Error).message ?? String(e)}`);
  const informers = {
    ingresses: new Informer<IngressObject>(o.client, res.ingresses, { onError }),
    ingressClasses: new Informer<IngressClassObject>(o.client, res.ingressClasses, { onError }),
    services: new Informer<RouterServiceObject>(o.client, res.services, { onError }),
    endpointSlices: new Informer<RouterEndpointSliceObject>(o.client, res.endpointSlices, { onError }),
    pods: new Informer<RouterPodObject>(o.client, res.pods, { onError }),
    secrets: new Informer<SecretObject>(o.client, res.secrets, { onError, fieldSelector: 'type=kubernetes.io/tls' }),
    nodes: new Informer<RouterNodeObject>(o.client, res.nodes, { onError }),
  };
  const view = (): ClusterView => ({
    ingresses: informers.ingresses.list(),
    ingressClasses: informers.ingressClasses.list(),
    services: informers.services.list(),
    endpointSlices: informers.endpointSlices.list(),
    pods: informers.pods.list(),
    secrets: informers.secrets.list(),
    nodes: informers.nodes.list(),
  });

  let applied: AppliedState | undefined;
  let lastState: RouterState | undefined;
  let lastRendered: Rendered | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  /** When the oldest change not yet applied was seen. */
  let pendingSince: number | undefined;
  let reloadTimer: NodeJS.Timeout | undefined;
  let reloadDue = 0;
  const warned = new Set<string>();
  /** Read back what HAProxy holds before the next sync (resync, or a HAProxy that may have gone). */
  let readBack = false;

  /** Until every informer has listed, a table would be missing routes: no sync before that. */
  let synced = false;
  const schedule = () => {
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
  };

  async function syncOnce(): Promise<void> {
    const started = performance.now();
    const since = pendingSince ?? started;
    pendingSince = undefined;
    try {
      if (readBack) {
        readBack = false;
        applied = (await haproxy.proc()) ? await haproxy.readApplied() : undefined;
      }
      const state = buildRouterState(view());
      const rendered = renderHaproxy(state, o.haproxy);
      lastState = state;
      lastRendered = rendered;
      writeFiles(rendered, o.haproxy.runDir);
      if (!applied || needsReload(applied, rendered)) {
        if (!applied || performance.now() >= reloadDue) {
          await reloadOrStart(state, rendered);
          metrics.changed('reload', (performance.now() - since) / 1000);
        } else {
          // A structural change: apply what can go at run time now, reload once the batch window closes.
          pendingSince = since;
          clearTimeout(reloadTimer);
          reloadTimer = setTimeout(schedule, reloadDue - performance.now());
          const part = runtimePart(state, rendered, applied);
          await runtime(part.state, part.rendered, since);
        }
      } else await runtime(state, rendered, since);
      metrics.routes = state.routes.length;
      metrics.backends = state.backends.length;
      metrics.certificates = state.certificates.length;
      metrics.endpoints = new Map(state.backends.map((b) => [b.name, b.servers.length]));
      metrics.synced((performance.now() - started) / 1000);
      await publish(state);
    } catch (e) {
      metrics.syncErrors++;
      log(`router: sync failed (retrying in 1 s): ${(e as Error).message}`);
      pendingSince ??= since;
      setTimeout(schedule, 1000).unref();
    }
  }

  async function reloadOrStart(state: RouterState, rendered: Rendered): Promise<void> {
    await haproxy.validate();
    const proc = await haproxy.proc();
    if (proc) {
      await haproxy.reload();
      log(`router: HAProxy reloaded (${state.backends.length} backends, ${state.routes.length} routes)`);
    } else {
      const info = await haproxy.start();
      log(`router: HAProxy started (master pid ${info.masterPid}, ${state.routes.length} routes)`);
    }
    applied = appliedFromRendered(state, rendered);
    // The next structural change waits for others to come with it.
    reloadDue = performance.now() + (o.reloadDelayMs ?? 100);
  }

  async function runtime(state: RouterState, rendered: Rendered, since: number): Promise<void> {
    const commands = planRuntime(applied!, state, rendered, o.haproxy.runDir);
    if (!commands.length) return;
    const replies = await haproxy.commands(commands.map((c) => c.text));
    let failed = 0;
    commands.forEach((c, i) => {
      const out = replies[i] ?? '';
      if (c.succeeded(out)) c.apply(applied!);
      else if (!c.text.startsWith('del server')) {
        // A refused "del server" (connections still attached) is retried quietly at the next sync.
        failed++;
        log(`router: HAProxy refused "${c.text}": ${out.trim().split('\n')[0]}`);
      }
    });
    metrics.runtimeCommandFailures += failed;
    metrics.changed('runtime', (performance.now() - since) / 1000);
    if (commands.some((c, i) => c.text.startsWith('del server') && !c.succeeded(replies[i] ?? '')))
      setTimeout(schedule, 2000).unref();
  }

  async function publish(state: RouterState): Promise<void> {
    for (const e of state.events) {
      const key = `${e.regarding.uid}|${e.reason}|${e.message}`;
      if (warned.has(key)) continue;
      warned.add(key);
      const obj = {
        apiVersion: e.regarding.kind === 'Ingress' ? 'networking.k8s.io/v1' : 'v1',
        kind: e.regarding.kind,
        metadata: { name: e.regarding.name, namespace: e.regarding.namespace, uid: e.regarding.uid },
      } as KObject;
      void recordEvent(o.client, log, obj, e.type, e.reason, e.message, 'podnet-router');
    }
    for (const [key, addresses] of state.ingressAddresses) {
      const [ns, name] = key.split('/') as [string, string];
      const ing = informers.ingresses.getByName(ns, name);
      const current = (ing?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '');
      if (!ing || JSON.stringify(current) === JSON.stringify(addresses)) continue;
      const patch = { status: { loadBalancer: { ingress: addresses.map((ip) => ({ ip })) } } };
      await o.client
        .patch(res.ingresses, ns, name, 'merge', patch, { subresource: 'status' })
        .catch((e: Error) => log(`router: cannot update the status of Ingress ${key}: ${e.message}`));
    }
  }

  /** A controller that starts beside a running HAProxy of the same structure takes over what it holds. */
  async function adopt(): Promise<void> {
    if (!(await haproxy.proc())) return;
    const state = buildRouterState(view());
    const rendered = renderHaproxy(state, o.haproxy);
    if ((await haproxy.frameHash()) !== rendered.frameHash) return; // the first sync reloads it
    applied = await haproxy.readApplied();
    log(`router: adopted the running HAProxy (${applied.servers.size} backends)`);
  }

  for (const inf of Object.values(informers)) {
    (inf as Informer<KObject>).addHandlers({ onAdd: schedule, onUpdate: schedule, onDelete: schedule });
    inf.start();
  }
  await Promise.all(Object.values(informers).map((i) => i.waitForSync()));
  await adopt();
  synced = true;
  schedule();
  await running;

  // Converge with what HAProxy really holds (a HAProxy restarted by hand, a lost command).
  const resync = setInterval(() => {
    readBack = true;
    schedule();
  }, o.resyncMs ?? 30_000);
  resync.unref();

  const stop = async () => {
    stopped = true;
    clearInterval(resync);
    clearTimeout(reloadTimer);
    await running;
    await Promise.all(Object.values(informers).map((i) => i.stop()));
  };
  return {
    state: () => lastState,
    rendered: () => lastRendered,
    ready: () => !!applied,
    metrics,
    stop,
    stopAll: async () => {
      await stop();
      await haproxy.stop();
    },
  };
}

/**
 * The service proxy loop: informers for Services and EndpointSlices ->
 * desired state (pure) -> the chosen backend, one sync at a time. Changes
 * arriving during a sync collapse into one more sync; a failed sync is
 * retried as a full rebuild with backoff; a periodic full resync undoes
 * anything changed by hand. Stale UDP flows are deleted after the rules
 * that replace them are live.
 */
import { findResource } from '../api/resources.js';
import type { KObject } from '../api/meta.js';
import type { KubeClient } from '../client/client.js';
import { Informer } from '../client/informer.js';
import type { ProxyBackend } from './backend.js';
import { changeTime } from './change-times.js';
import { deleteFlows, staleUdpFlows } from './conntrack.js';
import type { ProxyMetrics } from './metrics.js';
import { buildProxyState } from './model.js';
import type { EndpointSliceObject, ProxyNode, ProxyState, ServiceObject } from './types.js';

const servicesRes = findResource('', 'v1', 'services')!;
const slicesRes = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

export interface ProxierOptions {
  client: KubeClient;
  node: ProxyNode;
  backend: ProxyBackend;
  metrics: ProxyMetrics;
  log: (m: string) => void;
  resyncMs?: number;
  /** Called after every successful sync (benchmarks and tests read sync times here). */
  onSync?: (s: SyncReport) => void;
}

export interface SyncReport { full: boolean; ms: number; servicePorts: number; rules: number }

export class Proxier {
  private readonly services: Informer<ServiceObject>;
  private readonly slices: Informer<EndpointSliceObject>;
  private dirty = false;
  private forceFull = true;
  private running: Promise<void> | undefined;
  private stopped = false;
  private applied: ProxyState | undefined;
  private pendingChanges: number[] = [];
  private timers: NodeJS.Timeout[] = [];
  private retryMs = 500;

  constructor(private readonly o: ProxierOptions) {
    const onError = (e: unknown) => o.log(`proxy: watch: ${(e as Error).message}`);
    this.services = new Informer<ServiceObject>(o.client, servicesRes, { onError });
    this.slices = new Informer<EndpointSliceObject>(o.client, slicesRes, { onError });
    const changed = (obj: KObject) => { this.pendingChanges.push(changeTime(obj, Date.now())); this.trigger(); };
    for (const inf of [this.services, this.slices] as Informer<KObject>[]) {
      inf.addHandlers({ onAdd: changed, onUpdate: (_, n) => changed(n), onDelete: () => { this.pendingChanges.push(Date.now()); this.trigger(); } });
    }
  }

  /** Starts watching; resolves after the first sync was attempted. */
  async start(): Promise<void> {
    this.services.start();
    this.slices.start();
    await Promise.all([this.services.waitForSync(), this.slices.waitForSync()]);
    const resync = setInterval(() => { this.forceFull = true; this.trigger(); }, this.o.resyncMs ?? 60_000);
    resync.unref();
    this.timers.push(resync);
    this.trigger();
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) { clearInterval(t); clearTimeout(t); }
    await Promise.all([this.services.stop(), this.slices.stop()]);
    await this.running;
  }

  private trigger(): void {
    if (this.stopped || !this.services.hasSynced() || !this.slices.hasSynced()) return;
    this.dirty = true;
    this.running ??= this.drain();
  }

  private async drain(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      await this.syncOnce();
    }
    this.running = undefined;
  }

  private async syncOnce(): Promise<void> {
    const { backend, metrics, log, node } = this.o;
    const changes = this.pendingChanges.splice(0);
    const full = this.forceFull;
    this.forceFull = false;
    const started = performance.now();
    const state = buildProxyState(this.services.list(), this.slices.list(), node);
    try {
      metrics.rules = await backend.sync(state, full);
    } catch (e) {
      metrics.syncErrors += 1;
      log(`proxy: ${backend.mode} sync failed, retrying in ${this.retryMs} ms with a full rebuild: ${(e as Error).message}`);
      this.pendingChanges.unshift(...changes);
      this.forceFull = true;
      const t = setTimeout(() => this.trigger(), this.retryMs);
      t.unref();
      this.timers.push(t);
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
      return;
    }
    this.retryMs = 500;
    const done = Date.now();
    const ms = performance.now() - started;
    metrics.syncDuration.observe(ms / 1000);
    metrics.servicePorts = state.ports.length;
    metrics.lastSync = done;
    // The first sync programs what existed before we started: not a latency anyone waited for.
    if (this.applied) for (const t of changes) metrics.programmingLatency.observe(Math.max(0, done - t) / 1000);
    if (this.applied) {
      const flows = staleUdpFlows(this.applied, state);
      if (flows.length) await deleteFlows(flows, log);
    }
    this.applied = state;
    this.o.onSync?.({ full, ms, servicePorts: state.ports.length, rules: metrics.rules });
  }
}

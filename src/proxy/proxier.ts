/**
 * The service proxy loop: informers for Services and EndpointSlices mark
 * Services dirty (change-tracker.ts); a sync recomputes only those and
 * hands the changed service ports to the backend, one sync at a time; the
 * first sync and a periodic resync rebuild everything. Changes
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
import { ServiceChangeTracker, serviceKey, sliceServiceKey } from './change-tracker.js';
import { diffStates } from './changes.js';
import type { EndpointSliceObject, ProxyNode, ServiceObject, ServicePortState } from './types.js';
import { warn } from '../log/log.js';
import { SliceRevisionWatermark } from '../client/endpoints-applied.js';

/**
 * kube-proxy's fullSyncPeriod: every sync is incremental but one an hour.
 * A change that arrives during a full rebuild waits for it (~0.8 s at
 * 10,000 Services), so a frequent one puts a tail on the programming
 * latency; failed syncs are retried as full ones at once anyway.
 */
const FULL_SYNC_PERIOD_MS = 60 * 60_000;

const servicesRes = findResource('', 'v1', 'services')!;
const slicesRes = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const BY_SERVICE = 'service';

interface ProxierOptions {
  client: KubeClient;
  node: ProxyNode;
  backend: ProxyBackend;
  metrics: ProxyMetrics;
  log: (m: string) => void;
  /** Period of the full rebuild that undoes changes made behind our back (default FULL_SYNC_PERIOD_MS). */
  resyncMs?: number;
  /** Called after every successful sync (benchmarks and tests read sync times here). */
  onSync?: (s: SyncReport) => void;
  /** Called when the rules in the kernel reflect every EndpointSlice change up to this resourceVersion. */
  onApplied?: (sliceRevision: string) => void;
}

export interface SyncReport {
  full: boolean;
  ms: number;
  servicePorts: number;
  rules: number;
}

export class Proxier {
  private readonly services: Informer<ServiceObject>;
  private readonly slices: Informer<EndpointSliceObject>;
  private readonly tracker: ServiceChangeTracker;
  private dirty = false;
  private forceFull = true;
  private running: Promise<void> | undefined;
  private scheduled = false;
  private stopped = false;
  /** Service ports as last applied, by id (stale UDP flows are found from these). */
  private readonly applied = new Map<string, ServicePortState>();
  private synced = false;
  private pendingChanges: number[] = [];
  private timers: NodeJS.Timeout[] = [];
  private retryMs = 500;
  private readonly sliceRevision = new SliceRevisionWatermark();

  constructor(private readonly o: ProxierOptions) {
    const onError = (e: unknown) => warn(o.log, `proxy: watch: ${(e as Error).message}`);
    this.services = new Informer<ServiceObject>(o.client, servicesRes, { onError });
    this.slices = new Informer<EndpointSliceObject>(o.client, slicesRes, {
      onError,
      indexers: { [BY_SERVICE]: (s) => [sliceServiceKey(s) ?? ''] },
    });
    this.tracker = new ServiceChangeTracker(o.node, {
      service: (key) => this.services.get(key),
      slices: (key) => this.slices.byIndex(BY_SERVICE, key),
      serviceKeys: () => this.services.keys(),
    });
    const seen = (obj: KObject, now = Date.now()) => {
      this.pendingChanges.push(changeTime(obj, now));
      this.trigger();
    };
    this.services.addHandlers({
      onAdd: (s) => {
        this.tracker.markService(serviceKey(s));
        seen(s);
      },
      onUpdate: (_, s) => {
        this.tracker.markService(serviceKey(s));
        seen(s);
      },
      onDelete: (s) => {
        this.tracker.markService(serviceKey(s));
        this.pendingChanges.push(Date.now());
        this.trigger();
      },
    });
    this.slices.addHandlers({
      onAdd: (s) => {
        this.sliceRevision.observe(s);
        this.tracker.markSlice(s);
        seen(s);
      },
      onUpdate: (old, s) => {
        this.sliceRevision.observe(s);
        this.tracker.markSlice(s, old);
        seen(s);
      },
      onDelete: (s) => {
        this.sliceRevision.observe(s);
        this.tracker.markSlice(s);
        this.pendingChanges.push(Date.now());
        this.trigger();
      },
    });
  }

  /** Starts watching; resolves after the first sync was attempted. */
  async start(): Promise<void> {
    this.services.start();
    this.slices.start();
    await Promise.all([this.services.waitForSync(), this.slices.waitForSync()]);
    const resync = setInterval(() => {
      this.forceFull = true;
      this.trigger();
    }, this.o.resyncMs ?? FULL_SYNC_PERIOD_MS);
    resync.unref();
    this.timers.push(resync);
    this.trigger();
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) {
      clearInterval(t);
      clearTimeout(t);
    }
    await Promise.all([this.services.stop(), this.slices.stop()]);
    await this.running;
    this.o.backend.close?.();
  }

  /**
   * No minimum sync period: when idle, sync on the next turn of the event
   * loop (events delivered in one watch chunk share a sync); while a sync
   * runs, everything that arrives collapses into one more.
   */
  private trigger(): void {
    if (this.stopped || !this.services.hasSynced() || !this.slices.hasSynced()) return;
    this.dirty = true;
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    this.running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.scheduled = false;
      return this.drain();
    });
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
    // Read with the caches the changes come from: the rules below reflect every slice event up to here.
    const sliceRevision = this.sliceRevision.current;
    const portChanges = full ? this.tracker.rebuildAll() : this.tracker.takeChanges();
    if (!full && !portChanges.length) {
      // Events that change no rule (e.g. a slice for a headless Service): applied as they are.
      if (this.synced) this.o.onApplied?.(sliceRevision);
      return;
    }
    try {
      metrics.rules = full
        ? await backend.fullSync(this.tracker.state())
        : await backend.applyChanges(portChanges, node);
    } catch (e) {
      metrics.syncErrors += 1;
      warn(
        log,
        `proxy: ${backend.mode} sync failed, retrying in ${this.retryMs} ms with a full rebuild: ${(e as Error).message}`,
      );
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
    metrics.servicePorts = this.tracker.servicePorts;
    metrics.lastSync = done;
    // The first sync programs what existed before we started: not a latency anyone waited for.
    if (this.synced) for (const t of changes) metrics.programmingLatency.observe(Math.max(0, done - t) / 1000);
    // After a failed sync the tracker moved on without the kernel: compare with what was really applied.
    const settled = full ? diffStates({ node, ports: [...this.applied.values()] }, this.tracker.state()) : portChanges;
    if (this.synced) {
      const flows = staleUdpFlows(
        { node, ports: settled.flatMap((c) => (c.prev ? [c.prev] : [])) },
        { node, ports: settled.flatMap((c) => (c.next ? [c.next] : [])) },
      );
      if (flows.length) await deleteFlows(flows, log);
    }
    for (const c of settled) {
      if (c.next) this.applied.set(c.id, c.next);
      else this.applied.delete(c.id);
    }
    this.synced = true;
    this.o.onApplied?.(sliceRevision);
    this.o.onSync?.({ full, ms, servicePorts: this.tracker.servicePorts, rules: metrics.rules });
  }
}

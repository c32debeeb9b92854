/**
 * Before a terminating pod's processes get SIGTERM, the node agent waits
 * until the pod has left every data plane that routes to it: the
 * EndpointSlices list it as not ready, and every live endpoint consumer's
 * Lease says it has applied that slice revision (src/client/endpoints-applied.ts).
 * The wait is bounded (drainBudgetMs), so a consumer that hangs while its
 * Lease is still held costs at most that, never the pod's deletion.
 */
import type { KObject } from '../api/meta.js';
import { findResource } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';
import { ENDPOINTS_APPLIED_ANNOTATION, ENDPOINTS_CONSUMER_LABEL } from '../client/endpoints-applied.js';
import { Informer } from '../client/informer.js';
import { warn } from '../log/log.js';
import { drainDecision, type DrainConsumer, type DrainDecision, type DrainSlice } from './endpoint-drain-decision.js';

const slicesRes = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const leasesRes = findResource('coordination.k8s.io', 'v1', 'leases')!;
const BY_POD = 'pod';
/** Re-checks this often while waiting (a Lease expiring is a change in time, not an event). */
const RECHECK_MS = 200;

interface SliceObject extends KObject {
  endpoints?: { targetRef?: { uid?: string }; conditions?: { ready?: boolean } }[];
}

interface LeaseObject extends KObject {
  spec?: { renewTime?: string; leaseDurationSeconds?: number };
}

export interface DrainResult {
  ms: number;
  /** The decision when the wait ended: not done means the budget ran out. */
  decision: DrainDecision;
  /** What it waited for last before it was done (when it waited at all). */
  lastReason?: string;
}

export class EndpointDrain {
  private readonly slices: Informer<SliceObject>;
  private readonly leases: Informer<LeaseObject>;
  private readonly wakers = new Set<() => void>();

  constructor(client: KubeClient, log: (m: string) => void) {
    const onError = (e: unknown) => warn(log, `endpoint drain: watch: ${(e as Error).message}`);
    this.slices = new Informer<SliceObject>(client, slicesRes, {
      onError,
      indexers: { [BY_POD]: (s) => (s.endpoints ?? []).flatMap((e) => (e.targetRef?.uid ? [e.targetRef.uid] : [])) },
    });
    this.leases = new Informer<LeaseObject>(client, leasesRes, { onError, labelSelector: ENDPOINTS_CONSUMER_LABEL });
    const wake = () => {
      for (const w of this.wakers) w();
    };
    for (const inf of [this.slices, this.leases] as Informer<KObject>[])
      inf.addHandlers({ onAdd: wake, onUpdate: wake, onDelete: wake });
  }

  async start(): Promise<void> {
    this.slices.start();
    this.leases.start();
    await Promise.all([this.slices.waitForSync(), this.leases.waitForSync()]);
  }

  async stop(): Promise<void> {
    for (const w of this.wakers) w();
    await Promise.all([this.slices.stop(), this.leases.stop()]);
  }

  /** The decision for a pod now, from the caches. */
  decide(podUid: string, nowMs = Date.now()): DrainDecision {
    const slices: DrainSlice[] = this.slices.byIndex(BY_POD, podUid).map((s) => ({
      name: `${s.metadata.namespace}/${s.metadata.name}`,
      resourceVersion: s.metadata.resourceVersion ?? '',
      ready: (s.endpoints ?? []).some((e) => e.targetRef?.uid === podUid && e.conditions?.ready !== false),
    }));
    const consumers: DrainConsumer[] = this.leases.list().map((l) => ({
      name: `${l.metadata.namespace}/${l.metadata.name}`,
      applied: l.metadata.annotations?.[ENDPOINTS_APPLIED_ANNOTATION],
      renewTime: l.spec?.renewTime,
      leaseDurationSeconds: l.spec?.leaseDurationSeconds,
    }));
    return drainDecision(slices, consumers, nowMs);
  }

  /** Resolves when the pod has left every data plane, or when budgetMs has passed. */
  async wait(podUid: string, budgetMs: number): Promise<DrainResult> {
    const started = performance.now();
    const deadline = started + budgetMs;
    let decision = this.decide(podUid);
    let lastReason: string | undefined;
    while (!decision.done && performance.now() < deadline) {
      lastReason = decision.reason;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(RECHECK_MS, Math.max(0, deadline - performance.now())));
        this.wakers.add(done);
      });
      decision = this.decide(podUid);
    }
    return { ms: performance.now() - started, decision, ...(lastReason ? { lastReason } : {}) };
  }
}

/**
 * The EndpointSlice controller: keeps the managed EndpointSlices of every
 * Service with a selector equal to what its pods say, with the smallest
 * writes. Slices of selector-less Services are the user's and never touched.
 */
import type { KubeClient } from '../client/client.js';
import { isNotFound } from '../client/api-error.js';
import { splitKey, type Informer } from '../client/informer.js';
import { QueueController, type Logger } from './controller.js';
import {
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  MANAGED_BY,
  desiredEndpointGroups,
  managesSlices,
  planEndpointSlices,
} from './endpointslice-desired.js';
import { byNamespace, byService, enqueueServicesOnChange, res, type SharedInformers } from './shared-informers.js';
import type { EndpointSlice, Pod, Service } from './types.js';

/** Versions this controller wrote and expects to see in its cache before it trusts the cache again. */
interface Expectation {
  rv?: string;
  deleted?: boolean;
  at: number;
}

export class EndpointSliceController extends QueueController {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly expected = new Map<string, Map<string, Expectation>>();

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
    readonly maxEndpointsPerSlice = 100,
  ) {
    super('endpointslice-controller', log);
    this.services = informers.services();
    this.pods = informers.pods();
    this.slices = informers.endpointSlices();
    enqueueServicesOnChange(this.services, this.pods, (key) => this.enqueue(key));
    const sliceChanged = (s: EndpointSlice) => {
      const svc = s.metadata.labels?.[LABEL_SERVICE_NAME];
      if (svc && s.metadata.labels?.[LABEL_MANAGED_BY] === MANAGED_BY) this.enqueue(`${s.metadata.namespace}/${svc}`);
    };
    this.slices.addHandlers({ onAdd: sliceChanged, onUpdate: (_o, s) => sliceChanged(s), onDelete: sliceChanged });
  }

  protected async sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const managed = this.slices
      .byIndex(byService, key)
      .filter((s) => s.metadata.labels?.[LABEL_MANAGED_BY] === MANAGED_BY);
    if (!this.cacheCaughtUp(key, managed)) {
      this.queue.addAfter(key, 100);
      return;
    }
    const svc = this.services.get(key);
    if (!svc || svc.metadata.deletionTimestamp || !managesSlices(svc)) {
      // Only slices carrying our managed-by label are removed; a user's own slices stay.
      for (const s of managed) await this.deleteSlice(key, s);
      return;
    }
    const groups = desiredEndpointGroups(svc, this.pods.byIndex(byNamespace, namespace ?? ''));
    const plan = planEndpointSlices(svc, groups, managed, this.maxEndpointsPerSlice);
    for (const s of plan.delete) await this.deleteSlice(key, s);
    for (const s of plan.update) {
      const out = await this.client.update<EndpointSlice>(res.endpointSlices, namespace, s);
      this.expect(key, out.metadata.name!, { rv: out.metadata.resourceVersion });
    }
    for (const s of plan.create) {
      const out = await this.client.create<EndpointSlice>(res.endpointSlices, namespace, s);
      this.expect(key, out.metadata.name!, { rv: out.metadata.resourceVersion });
    }
  }

  private async deleteSlice(key: string, s: EndpointSlice): Promise<void> {
    try {
      await this.client.delete(res.endpointSlices, s.metadata.namespace, s.metadata.name!, {
        preconditions: { uid: s.metadata.uid },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    this.expect(key, s.metadata.name!, { deleted: true });
  }

  private expect(key: string, name: string, e: Omit<Expectation, 'at'>): void {
    let m = this.expected.get(key);
    if (!m) this.expected.set(key, (m = new Map<string, Expectation>()));
    m.set(name, { ...e, at: Date.now() });
  }

  /**
   * Whether the informer already shows our own last writes; acting on an
   * older cache would create duplicate slices. Expectations lapse after 10 s
   * so a lost event cannot wedge a service.
   */
  private cacheCaughtUp(key: string, managed: EndpointSlice[]): boolean {
    const m = this.expected.get(key);
    if (!m) return true;
    const now = Date.now();
    for (const [name, e] of m) {
      const live = managed.find((s) => s.metadata.name === name);
      const seen = e.deleted ? !live : !!live && !olderThan(live.metadata.resourceVersion, e.rv);
      if (seen || now - e.at > 10_000) m.delete(name);
    }
    if (m.size) return false;
    this.expected.delete(key);
    return true;
  }
}

/** resourceVersions are opaque, but kube's and ours are etcd revisions: compare numerically when they are numbers. */
function olderThan(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) < BigInt(b);
  return a !== b;
}

/**
 * kube-proxy's ServiceChangeTracker + EndpointsChangeTracker in one:
 * informer events mark a Service ("namespace/name") dirty; takeChanges
 * recomputes only the dirty Services (the pure model, per Service) and
 * returns the service ports that really changed. Unchanged ports keep
 * their state object, so the renderers' per-port caches keep hitting.
 */
import { SERVICE_NAME_LABEL, servicePorts } from './model.js';
import { samePort, type PortChange } from './changes.js';
import type { EndpointSliceObject, ProxyNode, ProxyState, ServiceObject, ServicePortState } from './types.js';

/** Where the tracker reads the current objects (the informers' caches). */
interface ObjectSource {
  service(key: string): ServiceObject | undefined;
  /** Every EndpointSlice labelled for this Service. */
  slices(serviceKey: string): EndpointSliceObject[];
  serviceKeys(): string[];
}

/** The Service ("namespace/name") an EndpointSlice belongs to, if labelled. */
export function sliceServiceKey(s: EndpointSliceObject): string | undefined {
  const name = s.metadata.labels?.[SERVICE_NAME_LABEL];
  return name ? `${s.metadata.namespace ?? 'default'}/${name}` : undefined;
}

export const serviceKey = (s: ServiceObject): string => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;

export class ServiceChangeTracker {
  /** Service key -> its ports as last handed out. */
  private readonly current = new Map<string, ServicePortState[]>();
  private readonly dirty = new Set<string>();
  private portCount = 0;

  constructor(
    private readonly node: ProxyNode,
    private readonly source: ObjectSource,
  ) {}

  markService(key: string): void {
    this.dirty.add(key);
  }

  /** A slice changed: its Service, and the one it belonged to before if its label moved. */
  markSlice(slice: EndpointSliceObject, old?: EndpointSliceObject): void {
    for (const s of [slice, old]) {
      const key = s && sliceServiceKey(s);
      if (key) this.dirty.add(key);
    }
  }

  get pending(): boolean {
    return this.dirty.size > 0;
  }
  get servicePorts(): number {
    return this.portCount;
  }

  /** Recomputes the dirty Services; returns the ports that changed. */
  takeChanges(): PortChange[] {
    const keys = [...this.dirty];
    this.dirty.clear();
    return keys.flatMap((k) => this.recompute(k));
  }

  /** Recomputes every Service (full sync: nothing relies on events having arrived). */
  rebuildAll(): PortChange[] {
    this.dirty.clear();
    const keys = new Set([...this.source.serviceKeys(), ...this.current.keys()]);
    return [...keys].flatMap((k) => this.recompute(k));
  }

  /** Every port, sorted by id (what a full render takes). */
  state(): ProxyState {
    const ports = [...this.current.values()].flat();
    ports.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { node: this.node, ports };
  }

  private recompute(key: string): PortChange[] {
    const svc = this.source.service(key);
    const fresh = svc ? servicePorts(svc, this.source.slices(key), this.node) : [];
    const before = new Map((this.current.get(key) ?? []).map((p) => [p.id, p]));
    const changes: PortChange[] = [];
    const kept = fresh.map((p) => {
      const old = before.get(p.id);
      before.delete(p.id);
      if (old && samePort(old, p)) return old;
      changes.push({ id: p.id, ...(old ? { prev: old } : {}), next: p });
      return p;
    });
    for (const old of before.values()) changes.push({ id: old.id, prev: old });
    this.portCount += kept.length - (this.current.get(key)?.length ?? 0);
    if (kept.length) this.current.set(key, kept);
    else this.current.delete(key);
    return changes;
  }
}

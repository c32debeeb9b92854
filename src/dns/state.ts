/**
 * The DNS tables kept current from object events: Services and
 * EndpointSlices -> cluster zone records and business names; Pods -> the
 * pod-IP index. Each event recomputes only the Service it touches. No I/O:
 * the sync layer feeds it, tests feed it directly.
 */
import { ClusterResolver, type ResolverConfig } from './resolver.js';
import { apexRecords } from './zone/apex.js';
import { BusinessNames, businessClaims, type ClaimOutcome } from './zone/business.js';
import { LABEL_SERVICE_NAME, type DnsEndpointSlice, type DnsPod, type DnsService } from './zone/objects.js';
import { PodIndex } from './zone/pod-index.js';
import { serviceRecords } from './zone/records.js';
import { ZoneTable } from './zone/zone.js';

export class DnsState {
  readonly zone: ZoneTable;
  readonly business = new BusinessNames();
  readonly pods = new PodIndex();
  readonly resolver: ClusterResolver;
  private readonly services = new Map<string, DnsService>();
  private readonly slicesByService = new Map<string, Map<string, DnsEndpointSlice>>();
  private readonly serviceOfSlice = new Map<string, string>();
  /** Called with the outcome of every business-name change (the sync layer records Events for losers). */
  onClaims: (outcomes: ClaimOutcome[]) => void = () => {};
  /** Bumped on any change that can alter an answer (zone, business names, pod index). */
  generation = 0;
  /**
   * Bumped on changes that can alter an answer given to every client alike:
   * zone and business names, and pods only when pod records are verified.
   * Pod churn alone (which changes client namespaces, so only per-namespace
   * answers) leaves the raw-question answer cache in place.
   */
  answerGeneration = 0;

  constructor(readonly cfg: ResolverConfig, serial = Math.floor(Date.now() / 1000)) {
    this.zone = new ZoneTable([cfg.domain, 'in-addr.arpa', 'ip6.arpa']);
    this.zone.replace('@apex', apexRecords(cfg.domain, cfg.ttl, serial));
    this.resolver = new ClusterResolver(cfg, this.zone, this.business, this.pods);
  }

  setService(svc: DnsService): void {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    this.services.set(key, svc);
    this.recompute(key);
  }

  deleteService(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    this.services.delete(key);
    this.recompute(key);
  }

  setSlice(slice: DnsEndpointSlice): void {
    const sliceKey = `${slice.metadata.namespace}/${slice.metadata.name}`;
    const svcName = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    const svcKey = svcName ? `${slice.metadata.namespace}/${svcName}` : undefined;
    const before = this.serviceOfSlice.get(sliceKey);
    if (before && before !== svcKey) this.dropSlice(sliceKey, before);
    if (!svcKey) return;
    let m = this.slicesByService.get(svcKey);
    if (!m) this.slicesByService.set(svcKey, (m = new Map()));
    m.set(sliceKey, slice);
    this.serviceOfSlice.set(sliceKey, svcKey);
    this.recompute(svcKey);
  }

  deleteSlice(namespace: string, name: string): void {
    const sliceKey = `${namespace}/${name}`;
    const svcKey = this.serviceOfSlice.get(sliceKey);
    if (svcKey) this.dropSlice(sliceKey, svcKey);
  }

  setPod(key: string, pod: DnsPod | undefined): void {
    this.pods.set(key, pod);
    this.generation++;
    if (this.cfg.podRecords === 'verified') this.answerGeneration++;
  }

  private dropSlice(sliceKey: string, svcKey: string): void {
    const m = this.slicesByService.get(svcKey);
    m?.delete(sliceKey);
    if (m && !m.size) this.slicesByService.delete(svcKey);
    this.serviceOfSlice.delete(sliceKey);
    this.recompute(svcKey);
  }

  private recompute(key: string): void {
    const svc = this.services.get(key);
    const slices = [...(this.slicesByService.get(key)?.values() ?? [])];
    this.zone.replace(key, svc ? serviceRecords(svc, slices, this.cfg) : []);
    const outcomes = this.business.setService(key, svc ? businessClaims(svc, slices, this.cfg) : []);
    this.generation++;
    this.answerGeneration++;
    if (outcomes.length) this.onClaims(outcomes);
  }
}

/**
 * The DNS tables kept current from object events: Services with
 * ClusterIPs -> the ClusterIP index (records derived per question);
 * headless and ExternalName Services with their EndpointSlices -> stored
 * zone records; annotations -> business names; Pods -> the pod-IP index.
 * Each event recomputes only the Service it touches. No I/O: the sync
 * layer feeds it, tests feed it directly.
 */
import { ClusterResolver, type ResolverConfig } from './resolver.js';
import { apexRecords } from './zone/apex.js';
import { ClusterIpServices } from './zone/cluster-ips.js';
import { BusinessNames, businessClaims, type ClaimOutcome } from './zone/business.js';
import { LABEL_SERVICE_NAME, type DnsEndpointSlice, type DnsPod, type DnsService } from './zone/objects.js';
import { PodIndex } from './zone/pod-index.js';
import { serviceRecords } from './zone/records.js';
import { ZoneTable } from './zone/zone.js';
import { slimServiceKey } from './zone/slim.js';

export class DnsState {
  readonly zone: ZoneTable;
  readonly business = new BusinessNames();
  readonly pods = new PodIndex();
  readonly clusterIps: ClusterIpServices;
  readonly resolver: ClusterResolver;
  /**
   * Services by "namespace/name". The sync layer makes this map the
   * Services informer's cache, so each Service is held once; the informer
   * may already have stored an object when its handler calls in here.
   */
  readonly services = new Map<string, DnsService>();
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

  constructor(
    readonly cfg: ResolverConfig,
    serial = Math.floor(Date.now() / 1000),
  ) {
    this.zone = new ZoneTable([cfg.domain, 'in-addr.arpa', 'ip6.arpa']);
    this.zone.replace('@apex', apexRecords(cfg.domain, cfg.ttl, serial));
    this.clusterIps = new ClusterIpServices(cfg, this.services);
    this.resolver = new ClusterResolver(cfg, this.zone, this.clusterIps, this.business, this.pods);
  }

  /**
   * A Service was added or changed; `before` is the object it replaces
   * (pass it when the map is the informer's cache, which already holds `svc`).
   */
  setService(svc: DnsService, before = this.services.get(slimServiceKey(svc))): void {
    const key = slimServiceKey(svc);
    this.services.set(key, svc);
    if (before && before !== svc && sameDnsView(before, svc)) return; // a write DNS cannot see (labels, status): keep the caches
    this.clusterIps.update(before === svc ? undefined : before, svc);
    this.recompute(key);
  }

  /** A Service was deleted; `last` is its last known state. */
  deleteService(last: DnsService): void {
    const key = slimServiceKey(last);
    this.services.delete(key);
    this.clusterIps.update(last, undefined);
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
    if (!m) this.slicesByService.set(svcKey, (m = new Map<string, DnsEndpointSlice>()));
    m.set(sliceKey, slice);
    this.serviceOfSlice.set(sliceKey, svcKey);
    this.recomputeForSlices(svcKey);
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
    this.recomputeForSlices(svcKey);
  }

  /** A ClusterIP Service's answers never depend on its endpoints: endpoint churn there changes nothing and keeps the answer caches. */
  private recomputeForSlices(svcKey: string): void {
    if (!ClusterIpServices.handles(this.services.get(svcKey))) this.recompute(svcKey);
  }

  private recompute(key: string): void {
    const svc = this.services.get(key);
    const slices = [...(this.slicesByService.get(key)?.values() ?? [])];
    // Usually nothing to store: a ClusterIP Service's records are derived per question.
    this.zone.replace(key, svc ? serviceRecords(svc, slices, this.cfg) : []);
    const outcomes = this.business.setService(key, svc ? businessClaims(svc, slices, this.cfg) : []);
    this.generation++;
    this.answerGeneration++;
    if (outcomes.length) this.onClaims(outcomes);
  }
}

/** Both versions give the same answers: every field DNS reads is equal. */
function sameDnsView(a: DnsService, b: DnsService): boolean {
  return dnsView(a) === dnsView(b);
}

function dnsView(s: DnsService): string {
  const spec = s.spec ?? {};
  return JSON.stringify([
    spec.type,
    spec.clusterIP,
    spec.clusterIPs,
    spec.externalName,
    spec.publishNotReadyAddresses,
    spec.ports,
    s.metadata.annotations,
    s.metadata.creationTimestamp,
    s.metadata.uid,
  ]);
}

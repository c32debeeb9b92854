/**
 * The routing table kept current object by object, as kube-proxy's change
 * trackers do: an event recomputes only what the object touches (its own
 * route claims, the winners of the keys it claims, the servers of the
 * backends of its Service), and records what changed for the next sync, so
 * a change among 10,000 routes costs what one route costs. Same semantics
 * as buildRouterState in model.ts (the reference it is tested against).
 */
import {
  byAge,
  certificates,
  compareClaims,
  compareRoutes,
  conflictEvent,
  ingressSource,
  isOurIngress,
  nodeAddresses,
  routeKey,
  serversFor,
  serviceKeyOfSlice,
  serviceSource,
  type BackendSpec,
  type Claim,
  type SourceResult,
} from './model.js';
import type {
  Backend,
  Certificate,
  IngressClassObject,
  IngressObject,
  Route,
  RouterEndpointSliceObject,
  RouterEvent,
  RouterNodeObject,
  RouterPodObject,
  RouterServiceObject,
  RouterState,
  SecretObject,
  Server,
} from './types.js';

const keyOf = (o: { metadata: { namespace?: string; name?: string } }) =>
  o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : `${o.metadata.name}`;

/** What changed since the last takeChanges(). */
export interface TableChanges {
  /** Backends whose servers changed, that appeared or that went away. */
  backends: Set<string>;
  /** Route keys (routeKey) whose winner changed, appeared or went away. */
  routes: Set<string>;
  /** Certificates changed (a reload). */
  certificates: boolean;
  /** The addresses Ingress statuses list, or which Ingresses are ours, changed. */
  statuses: boolean;
  /** The Warning Events the table holds may have changed. */
  events: boolean;
}

const sameServers = (a: Server[], b: Server[]) =>
  a.length === b.length &&
  a.every((s, i) => s.name === b[i]!.name && s.address === b[i]!.address && s.port === b[i]!.port);

export class RouteTable {
  private readonly services = new Map<string, RouterServiceObject>();
  private readonly slicesByService = new Map<string, Map<string, RouterEndpointSliceObject>>();
  private readonly serviceOfSlice = new Map<string, string>();
  private readonly podsOfSlice = new Map<string, string[]>();
  private readonly servicesOfPod = new Map<string, Map<string, number>>();
  private readonly pods = new Map<string, RouterPodObject>();
  private readonly ingresses = new Map<string, IngressObject>();
  private readonly classes = new Map<string, IngressClassObject>();
  private readonly secrets = new Map<string, SecretObject>();
  private readonly nodes = new Map<string, RouterNodeObject>();

  /** "Ingress/ns/name" or "Service/ns/name" -> what it contributes. */
  private readonly sources = new Map<string, SourceResult>();
  private readonly claimsByKey = new Map<string, Claim[]>();
  /** routeKey -> the winning route. */
  readonly routes = new Map<string, Route>();
  private readonly conflicts = new Map<string, RouterEvent[]>();
  /** backend name -> source key -> the spec that source asks for (all alike: the name encodes the spec). */
  private readonly specs = new Map<string, Map<string, BackendSpec>>();
  private readonly wins = new Map<string, number>();
  /** The backends some winning route uses, with their servers. */
  readonly backends = new Map<string, Backend>();
  private readonly backendsOfService = new Map<string, Set<string>>();
  private certs: Certificate[] = [];
  private certEvents: RouterEvent[] = [];
  private addresses: string[] = [];

  private changes: TableChanges = this.noChanges();

  private noChanges(): TableChanges {
    return { backends: new Set(), routes: new Set(), certificates: false, statuses: false, events: false };
  }

  takeChanges(): TableChanges {
    const c = this.changes;
    this.changes = this.noChanges();
    if (c.certificates) {
      this.recomputeCertificates();
      c.events = true;
    }
    return c;
  }

  /** Marks a backend for another look at the next sync (e.g. a deletion HAProxy refused). */
  retry(backend: string): void {
    this.changes.backends.add(backend);
  }

  setIngress(key: string, ing: IngressObject | undefined): void {
    const old = this.ingresses.get(key);
    if (ing) this.ingresses.set(key, ing);
    else this.ingresses.delete(key);
    if (old?.spec?.tls?.length || ing?.spec?.tls?.length) this.changes.certificates = true;
    this.changes.statuses = true;
    this.recomputeIngress(key);
  }

  setIngressClass(key: string, cls: IngressClassObject | undefined): void {
    if (cls) this.classes.set(key, cls);
    else this.classes.delete(key);
    // Which Ingresses are ours may change with any class: look at all of them again (classes change rarely).
    for (const k of this.ingresses.keys()) this.recomputeIngress(k);
    this.changes.certificates = true;
    this.changes.statuses = true;
  }

  setService(key: string, svc: RouterServiceObject | undefined): void {
    if (svc) this.services.set(key, svc);
    else this.services.delete(key);
    this.setSource(`Service/${key}`, svc ? serviceSource(svc) : undefined);
    this.recomputeServers(key);
  }

  setEndpointSlice(key: string, slice: RouterEndpointSliceObject | undefined): void {
    const oldService = this.serviceOfSlice.get(key);
    if (oldService) {
      this.slicesByService.get(oldService)?.delete(key);
      for (const pod of this.podsOfSlice.get(key) ?? []) this.unrefPod(pod, oldService);
      this.serviceOfSlice.delete(key);
      this.podsOfSlice.delete(key);
    }
    const service = slice && serviceKeyOfSlice(slice);
    if (slice && service) {
      let m = this.slicesByService.get(service);
      if (!m) this.slicesByService.set(service, (m = new Map<string, RouterEndpointSliceObject>()));
      m.set(key, slice);
      this.serviceOfSlice.set(key, service);
      const pods = (slice.endpoints ?? [])
        .filter((e) => e.targetRef?.kind === 'Pod' && e.targetRef.name)
        .map((e) => `${e.targetRef!.namespace ?? slice.metadata.namespace}/${e.targetRef!.name}`);
      this.podsOfSlice.set(key, pods);
      for (const pod of pods) {
        let m2 = this.servicesOfPod.get(pod);
        if (!m2) this.servicesOfPod.set(pod, (m2 = new Map<string, number>()));
        m2.set(service, (m2.get(service) ?? 0) + 1);
      }
    }
    if (oldService) this.recomputeServers(oldService);
    if (service && service !== oldService) this.recomputeServers(service);
  }

  setPod(key: string, pod: RouterPodObject | undefined): void {
    const old = this.pods.get(key);
    if (pod) this.pods.set(key, pod);
    else this.pods.delete(key);
    // Only what route integrity reads matters: the pod's uid and address.
    if (old?.metadata.uid === pod?.metadata.uid && old?.status?.podIP === pod?.status?.podIP) return;
    for (const service of this.servicesOfPod.get(key)?.keys() ?? []) this.recomputeServers(service);
  }

  setSecret(key: string, secret: SecretObject | undefined): void {
    if (secret) this.secrets.set(key, secret);
    else this.secrets.delete(key);
    const [ns, name] = key.split('/');
    if (
      [...this.ingresses.values()].some(
        (i) => i.metadata.namespace === ns && i.spec?.tls?.some((t) => t.secretName === name),
      )
    )
      this.changes.certificates = true;
  }

  setNode(key: string, node: RouterNodeObject | undefined): void {
    if (node) this.nodes.set(key, node);
    else this.nodes.delete(key);
    const addresses = nodeAddresses([...this.nodes.values()]);
    if (addresses.join() !== this.addresses.join()) {
      this.addresses = addresses;
      this.changes.statuses = true;
    }
  }

  /** The Ingresses of our class, oldest first. */
  ours(): IngressObject[] {
    const classes = [...this.classes.values()];
    return [...this.ingresses.values()].filter((i) => isOurIngress(i, classes)).sort(byAge);
  }

  ingressAddresses(): Map<string, string[]> {
    return new Map(this.ours().map((i) => [keyOf(i), this.addresses]));
  }

  certificates(): Certificate[] {
    return this.certs;
  }

  events(): RouterEvent[] {
    const out: RouterEvent[] = [];
    for (const s of this.sources.values()) out.push(...s.events);
    for (const e of this.conflicts.values()) out.push(...e);
    return [...out, ...this.certEvents];
  }

  /** The whole table (what a reload renders). */
  snapshot(): RouterState {
    return {
      backends: [...this.backends.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
      routes: [...this.routes.values()].sort(compareRoutes),
      certificates: this.certs,
      events: this.events(),
      ingressAddresses: this.ingressAddresses(),
    };
  }

  private recomputeIngress(key: string): void {
    const ing = this.ingresses.get(key);
    const ours = ing && isOurIngress(ing, [...this.classes.values()]);
    this.setSource(`Ingress/${key}`, ours ? ingressSource(ing) : undefined);
  }

  private recomputeCertificates(): void {
    const events: RouterEvent[] = [];
    this.certs = certificates(this.ours(), (ns, name) => this.secrets.get(`${ns}/${name}`), events);
    this.certEvents = events;
  }

  private setSource(key: string, next: SourceResult | undefined): void {
    const old = this.sources.get(key);
    if (!old && !next) return;
    if (old?.events.length || next?.events.length) this.changes.events = true;
    const touched = new Set<string>();
    for (const c of old?.claims ?? []) {
      const rk = routeKey(c.route);
      const list = this.claimsByKey.get(rk)!.filter((x) => x !== c);
      if (list.length) this.claimsByKey.set(rk, list);
      else this.claimsByKey.delete(rk);
      touched.add(rk);
    }
    for (const spec of old?.backends ?? []) this.specs.get(spec.name)?.delete(key);
    if (next) this.sources.set(key, next);
    else this.sources.delete(key);
    for (const spec of next?.backends ?? []) {
      let m = this.specs.get(spec.name);
      if (!m) this.specs.set(spec.name, (m = new Map<string, BackendSpec>()));
      m.set(key, spec);
    }
    for (const c of next?.claims ?? []) {
      const rk = routeKey(c.route);
      const list = this.claimsByKey.get(rk);
      if (list) {
        list.push(c);
        list.sort(compareClaims);
      } else this.claimsByKey.set(rk, [c]);
      touched.add(rk);
    }
    for (const rk of touched) this.reevaluate(rk);
  }

  private reevaluate(rk: string): void {
    const claims = this.claimsByKey.get(rk);
    const winner = claims?.[0];
    const losers = (claims ?? []).slice(1).flatMap((l) => conflictEvent(winner!, l) ?? []);
    if (losers.length) this.conflicts.set(rk, losers);
    if (losers.length || this.conflicts.delete(rk)) this.changes.events = true;
    const old = this.routes.get(rk);
    if (old === winner?.route) return;
    if (winner) this.routes.set(rk, winner.route);
    else this.routes.delete(rk);
    if (winner) this.win(winner.route.backend);
    if (old) this.lose(old.backend);
    if (old?.backend !== winner?.route.backend) this.changes.routes.add(rk);
  }

  private win(backend: string): void {
    const n = (this.wins.get(backend) ?? 0) + 1;
    this.wins.set(backend, n);
    if (n > 1) return;
    const spec = this.specs.get(backend)?.values().next().value;
    if (!spec) return; // cannot happen: a winning claim's source named its backend
    this.backends.set(backend, { ...spec, servers: this.serversOf(spec) });
    const svc = `${spec.namespace}/${spec.service}`;
    let set = this.backendsOfService.get(svc);
    if (!set) this.backendsOfService.set(svc, (set = new Set()));
    set.add(backend);
    this.changes.backends.add(backend);
  }

  private lose(backend: string): void {
    const n = (this.wins.get(backend) ?? 0) - 1;
    if (n > 0) {
      this.wins.set(backend, n);
      return;
    }
    this.wins.delete(backend);
    const b = this.backends.get(backend);
    if (!b) return;
    this.backends.delete(backend);
    this.backendsOfService.get(`${b.namespace}/${b.service}`)?.delete(backend);
    this.changes.backends.add(backend);
  }

  private serversOf(spec: BackendSpec): Server[] {
    const svc = `${spec.namespace}/${spec.service}`;
    return serversFor(spec, this.services.get(svc), this.slicesByService.get(svc)?.values() ?? [], (ns, name) =>
      this.pods.get(`${ns}/${name}`),
    );
  }

  private recomputeServers(service: string): void {
    for (const name of this.backendsOfService.get(service) ?? []) {
      const b = this.backends.get(name)!;
      const servers = this.serversOf(b);
      if (sameServers(b.servers, servers)) continue;
      this.backends.set(name, { ...b, servers });
      this.changes.backends.add(name);
    }
  }

  private unrefPod(pod: string, service: string): void {
    const m = this.servicesOfPod.get(pod);
    if (!m) return;
    const n = (m.get(service) ?? 0) - 1;
    if (n > 0) m.set(service, n);
    else m.delete(service);
    if (!m.size) this.servicesOfPod.delete(pod);
  }
}

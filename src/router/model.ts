/**
 * Cluster objects -> the routing table. Pure.
 *
 * Routes come from Ingresses of our class and from the podnet.io/routes
 * annotation of Services. A route names a backend: one Service port with
 * one set of options, whose servers are the port's ready pod endpoints
 * (terminating-but-serving ones only when none is ready), kept only while
 * the EndpointSlice's pod still holds that address, so an address that
 * moved to another pod never gets this route's traffic. Two claims of the
 * same host, path and type go to the oldest object; the others get a
 * Warning Event naming the winner.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import {
  ANNOTATION_ROUTE_PORT,
  ANNOTATION_ROUTES,
  backendOptions,
  checkHost,
  checkPath,
  normalizePrefix,
  parseRoutesAnnotation,
} from './annotations.js';
import type {
  Backend,
  BackendOptions,
  Certificate,
  ClusterView,
  IngressBackendObject,
  IngressClassObject,
  IngressObject,
  PathType,
  Route,
  RouteSource,
  RouterEndpointSliceObject,
  RouterEvent,
  RouterPodObject,
  RouterServiceObject,
  RouterState,
  SecretObject,
  Server,
} from './types.js';

export const CONTROLLER_NAME = 'podnet.io/router';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Whether an Ingress is ours: its class names our controller, or it has no class and ours is the default. */
export function isOurIngress(ing: IngressObject, classes: IngressClassObject[]): boolean {
  const ours = classes.filter((c) => c.spec?.controller === CONTROLLER_NAME);
  const className = ing.spec?.ingressClassName ?? ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (className !== undefined) return ours.some((c) => c.metadata.name === className);
  // With no class, the default class decides; two defaults (a misconfiguration kube also refuses) make neither ours.
  const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  return defaults.length === 1 && defaults[0]!.spec?.controller === CONTROLLER_NAME;
}

export interface Claim {
  route: Route;
  /** Order inside its source, so an object's own duplicates resolve by position. */
  index: number;
  /** A defaultBackend gives way to any explicit rule for the same key, however old. */
  fallback: boolean;
}

const sourceOf = (kind: RouteSource['kind'], o: { metadata: IngressObject['metadata'] }): RouteSource => ({
  kind,
  namespace: o.metadata.namespace ?? 'default',
  name: o.metadata.name ?? '',
  uid: o.metadata.uid ?? '',
  created: o.metadata.creationTimestamp ?? '',
});

const describe = (s: RouteSource) => `${s.kind} ${s.namespace}/${s.name}`;
const routeText = (r: Route) => `${r.host ? `host "${r.host}"` : 'any host'} path "${r.path}" (${r.pathType})`;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Older first; ties by namespace/name so every router replica picks the same winner. */
export function compareClaims(a: Claim, b: Claim): number {
  if (a.fallback !== b.fallback) return a.fallback ? 1 : -1;
  const x = a.route.source,
    y = b.route.source;
  return (
    cmp(x.created, y.created) ||
    cmp(x.namespace, y.namespace) ||
    cmp(x.name, y.name) ||
    cmp(x.kind, y.kind) ||
    a.index - b.index
  );
}

/** One key per route a winner is chosen for: its type, host and path. */
export const routeKey = (r: Pick<Route, 'host' | 'path' | 'pathType'>): string => `${r.pathType}\n${r.host}\n${r.path}`;

/** The Warning a losing claim gets, or undefined when an object only repeats itself. */
export function conflictEvent(winner: Claim, loser: Claim): RouterEvent | undefined {
  const w = winner.route.source,
    l = loser.route.source;
  if (w.uid === l.uid && w.kind === l.kind) return undefined;
  return {
    regarding: { kind: l.kind, namespace: l.namespace, name: l.name, uid: l.uid },
    type: 'Warning',
    reason: 'RouteConflict',
    message: `${routeText(loser.route)} is already served by ${describe(w)}, which claimed it first; this route is skipped`,
  };
}

/** A backend before its servers are known: the Service port and options a route asks for. */
export type BackendSpec = Omit<Backend, 'servers'>;

export const serviceKeyOfSlice = (sl: RouterEndpointSliceObject): string | undefined => {
  const svc = sl.metadata.labels?.[SERVICE_NAME_LABEL];
  return svc ? `${sl.metadata.namespace}/${svc}` : undefined;
};

/**
 * The servers of a backend: its Service port's ready endpoints across the Service's slices (else the
 * terminating-but-serving ones), each kept only while its pod still holds the address.
 */
export function serversFor(
  spec: Pick<BackendSpec, 'namespace' | 'servicePort'>,
  svc: RouterServiceObject | undefined,
  slices: Iterable<RouterEndpointSliceObject>,
  podOf: (namespace: string, name: string) => RouterPodObject | undefined,
): Server[] {
  const port = spec.servicePort;
  const sp = svc?.spec?.ports?.find((p) => (/^\d+$/.test(port) ? String(p.port) === port : p.name === port));
  if (!sp || (sp.protocol ?? 'TCP') !== 'TCP' || svc?.spec?.type === 'ExternalName') return [];
  const portName = sp.name ?? '';
  const ready: Server[] = [];
  const fallback: Server[] = [];
  const seen = new Set<string>();
  // An address listed in two slices counts once, as its listing in the first slice by name says.
  for (const slice of [...slices].sort((a, b) => cmp(a.metadata.name ?? '', b.metadata.name ?? ''))) {
    if ((slice.addressType ?? 'IPv4') !== 'IPv4') continue;
    const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP');
    if (typeof slicePort?.port !== 'number') continue;
    for (const ep of slice.endpoints ?? []) {
      const address = ep.addresses?.[0];
      if (!address || seen.has(address)) continue;
      const ref = ep.targetRef;
      let name = address;
      if (ref?.kind === 'Pod' && ref.name) {
        // Route integrity: the pod must still exist with this address (an address reused by another pod is not ours).
        const pod = podOf(ref.namespace ?? spec.namespace, ref.name);
        if (!pod || (ref.uid && pod.metadata.uid !== ref.uid) || pod.status?.podIP !== address) continue;
        name = ref.name;
      }
      seen.add(address);
      const isReady = (ep.conditions?.ready ?? true) !== false;
      const serving = (ep.conditions?.serving ?? isReady) !== false;
      const server = { name, address, port: slicePort.port };
      if (isReady) ready.push(server);
      else if (serving && ep.conditions?.terminating === true) fallback.push(server);
    }
  }
  const servers = ready.length ? ready : fallback;
  return uniqueNames(servers.sort((a, b) => cmp(a.name, b.name)));
}

/** Two endpoints of one pod name cannot happen in one slice set, but names must be unique in HAProxy regardless. */
function uniqueNames(servers: Server[]): Server[] {
  const used = new Set<string>();
  return servers.map((s) => {
    let name = s.name;
    for (let i = 2; used.has(name); i++) name = `${s.name}~${i}`;
    used.add(name);
    return name === s.name ? s : { ...s, name };
  });
}

/** "<namespace>_<service>_<port>", plus a short digest of the options when they are not the defaults. */
export function backendName(namespace: string, service: string, port: string, o: BackendOptions): string {
  const base = `${namespace}_${service}_${port}`;
  const parts = [
    o.balance === 'roundrobin' ? '' : o.balance,
    o.retries === undefined ? '' : `retry-${o.retries}`,
    o.connectTimeoutMs === undefined ? '' : `c${o.connectTimeoutMs}`,
    o.responseTimeoutMs === undefined ? '' : `r${o.responseTimeoutMs}`,
    o.tunnelTimeoutMs === undefined ? '' : `t${o.tunnelTimeoutMs}`,
  ].filter(Boolean);
  return parts.length ? `${base}_${parts.join('_')}` : base;
}

function event(
  o: { kind: string; metadata: IngressObject['metadata'] },
  reason: string,
  message: string,
  type: RouterEvent['type'] = 'Warning',
): RouterEvent {
  const m = o.metadata;
  return {
    regarding: { kind: o.kind, namespace: m.namespace ?? 'default', name: m.name ?? '', uid: m.uid ?? '' },
    type,
    reason,
    message,
  };
}

/** The Service port an Ingress backend names, as text (number or name); undefined when it names none. */
function portOf(b: IngressBackendObject): string | undefined {
  const p = b.service?.port;
  if (p?.number) return String(p.number);
  return p?.name || undefined;
}

/** What one Ingress or Service contributes: its route claims, the backends they name, and its problems. */
export interface SourceResult {
  claims: Claim[];
  backends: BackendSpec[];
  events: RouterEvent[];
}

const specOf = (namespace: string, service: string, port: string, options: BackendOptions): BackendSpec => ({
  name: backendName(namespace, service, port, options),
  namespace,
  service,
  servicePort: port,
  options,
});

/** The routes of an Ingress of our class. */
export function ingressSource(ing: IngressObject): SourceResult {
  const source = sourceOf('Ingress', ing);
  const events: RouterEvent[] = [];
  const backends = new Map<string, BackendSpec>();
  const { options, problems } = backendOptions(ing.metadata.annotations);
  for (const p of problems) events.push(event(ing, 'InvalidAnnotation', p));
  const claims: Claim[] = [];
  const backendFor = (b: IngressBackendObject, where: string): string | undefined => {
    const port = portOf(b);
    if (!b.service?.name || !port) {
      events.push(event(ing, 'UnsupportedBackend', `${where}: only Service backends are routed; this one is skipped`));
      return undefined;
    }
    const spec = specOf(source.namespace, b.service.name, port, options);
    backends.set(spec.name, spec);
    return spec.name;
  };
  (ing.spec?.rules ?? []).forEach((rule, ri) => {
    const host = (rule.host ?? '').toLowerCase();
    (rule.http?.paths ?? []).forEach((p, pi) => {
      const where = `spec.rules[${ri}].http.paths[${pi}]`;
      const backend = backendFor(p.backend, where);
      if (!backend) return;
      const pathType: PathType = p.pathType === 'Exact' ? 'Exact' : 'Prefix';
      const raw = p.path || '/';
      const problem = checkPath(raw) ?? (host ? checkHost(host) : undefined);
      if (problem) {
        events.push(event(ing, 'InvalidRoute', `${where}: ${problem}; this path is skipped`));
        return;
      }
      const path = pathType === 'Prefix' ? normalizePrefix(raw) : raw;
      claims.push({ route: { host, path, pathType, backend, source }, index: claims.length, fallback: false });
    });
  });
  const def = ing.spec?.defaultBackend;
  if (def) {
    const backend = backendFor(def, 'spec.defaultBackend');
    if (backend) {
      const route: Route = { host: '', path: '/', pathType: 'Prefix', backend, source };
      claims.push({ route, index: claims.length, fallback: true });
    }
  }
  return { claims, backends: [...backends.values()], events };
}

/** The routes of a Service's podnet.io/routes annotation (none without it). */
export function serviceSource(svc: RouterServiceObject): SourceResult {
  const text = svc.metadata.annotations?.[ANNOTATION_ROUTES];
  if (text === undefined) return { claims: [], backends: [], events: [] };
  const events: RouterEvent[] = [];
  const source = sourceOf('Service', svc);
  const { routes, problems } = parseRoutesAnnotation(text);
  const opts = backendOptions(svc.metadata.annotations);
  for (const p of [...problems, ...opts.problems]) events.push(event(svc, 'InvalidAnnotation', p));
  const ports = svc.spec?.ports ?? [];
  const wanted = svc.metadata.annotations?.[ANNOTATION_ROUTE_PORT]?.trim();
  const port = wanted
    ? ports.find((p) => p.name === wanted || String(p.port) === wanted)
    : ports.find((p) => (p.protocol ?? 'TCP') === 'TCP');
  if (!port) {
    if (routes.length)
      events.push(
        event(
          svc,
          'InvalidAnnotation',
          wanted
            ? `${ANNOTATION_ROUTE_PORT}: the Service has no port "${wanted}"; its routes are skipped`
            : `${ANNOTATION_ROUTES}: the Service has no TCP port to route to; its routes are skipped`,
        ),
      );
    return { claims: [], backends: [], events };
  }
  const spec = specOf(source.namespace, source.name, port.name || String(port.port), opts.options);
  const claims = routes.map((r, index) => ({ route: { ...r, backend: spec.name, source }, index, fallback: false }));
  return { claims, backends: claims.length ? [spec] : [], events };
}

/** A kubernetes.io/tls Secret as one PEM (chain, then key), or why it cannot be served. */
function tlsPem(secret: SecretObject | undefined): { pem: string } | { problem: string } {
  if (!secret) return { problem: 'not found' };
  const crt = secret.data?.['tls.crt'],
    key = secret.data?.['tls.key'];
  if (!crt || !key) return { problem: 'has no tls.crt and tls.key' };
  const crtText = Buffer.from(crt, 'base64').toString('utf8');
  const keyText = Buffer.from(key, 'base64').toString('utf8');
  try {
    const cert = new X509Certificate(crtText);
    if (!cert.checkPrivateKey(createPrivateKey(keyText)))
      return { problem: 'has a tls.key that does not match tls.crt' };
  } catch (e) {
    return { problem: `is not a PEM certificate and key (${(e as Error).message})` };
  }
  return { pem: `${crtText.trim()}\n${keyText.trim()}\n` };
}

/** The certificates our Ingresses (oldest first) ask for; a host already served by another Secret is refused. */
export function certificates(
  ingresses: IngressObject[],
  secretOf: (namespace: string, name: string) => SecretObject | undefined,
  events: RouterEvent[],
): Certificate[] {
  const certs = new Map<string, Certificate>();
  const sniOwner = new Map<string, string>();
  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    for (const tls of ing.spec?.tls ?? []) {
      if (!tls.secretName) continue;
      const name = `${ns}_${tls.secretName}`;
      let cert = certs.get(name);
      if (!cert) {
        const pem = tlsPem(secretOf(ns, tls.secretName));
        if ('problem' in pem) {
          events.push(event(ing, 'InvalidTLS', `Secret ${ns}/${tls.secretName} ${pem.problem}; TLS for it is off`));
          continue;
        }
        cert = { name, pem: pem.pem, sni: [] };
        certs.set(name, cert);
      }
      for (const raw of tls.hosts ?? []) {
        const host = raw.toLowerCase();
        const owner = sniOwner.get(host);
        if (owner && owner !== name) {
          events.push(
            event(
              ing,
              'TLSConflict',
              `host "${host}" already uses Secret ${owner.replace('_', '/')}; this one is skipped`,
            ),
          );
          continue;
        }
        sniOwner.set(host, name);
        if (!cert.sni.includes(host)) cert.sni.push(host);
      }
    }
  }
  const out = [...certs.values()];
  for (const c of out) c.sni.sort();
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The addresses an Ingress's status lists: every node's InternalIP (a router runs on each). */
export function nodeAddresses(nodes: ClusterView['nodes']): string[] {
  const ips = nodes
    .map((n) => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address)
    .filter((a): a is string => !!a);
  return [...new Set(ips)].sort();
}

/** Oldest first, so certificate and SNI conflicts resolve like route conflicts. */
export const byAge = <T extends IngressObject>(a: T, b: T) => {
  const ca = a.metadata.creationTimestamp ?? '',
    cb = b.metadata.creationTimestamp ?? '';
  if (ca !== cb) return ca < cb ? -1 : 1;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`,
    kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** The routing table, from scratch (the reference the incremental table in table.ts is tested against). */
export function buildRouterState(view: ClusterView): RouterState {
  const events: RouterEvent[] = [];
  const ours = view.ingresses.filter((i) => isOurIngress(i, view.ingressClasses)).sort(byAge);
  const sources = [...ours.map(ingressSource), ...view.services.map(serviceSource)];
  const specs = new Map<string, BackendSpec>();
  for (const src of sources) {
    events.push(...src.events);
    for (const b of src.backends) specs.set(b.name, b);
  }
  const byKey = new Map<string, Claim[]>();
  for (const c of sources.flatMap((src) => src.claims)) {
    const k = routeKey(c.route);
    const list = byKey.get(k);
    if (list) list.push(c);
    else byKey.set(k, [c]);
  }
  const routes: Route[] = [];
  for (const claims of byKey.values()) {
    claims.sort(compareClaims);
    routes.push(claims[0]!.route);
    for (const loser of claims.slice(1)) {
      const e = conflictEvent(claims[0]!, loser);
      if (e) events.push(e);
    }
  }
  routes.sort(compareRoutes);
  const services = new Map(view.services.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));
  const slices = new Map<string, RouterEndpointSliceObject[]>();
  for (const sl of view.endpointSlices) {
    const key = serviceKeyOfSlice(sl);
    if (key) slices.set(key, [...(slices.get(key) ?? []), sl]);
  }
  const pods = new Map(view.pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  const podOf = (ns: string, name: string) => pods.get(`${ns}/${name}`);
  const used = new Set(routes.map((r) => r.backend));
  const backends = [...specs.values()]
    .filter((b) => used.has(b.name))
    .sort((a, b) => cmp(a.name, b.name))
    .map((b): Backend => {
      const key = `${b.namespace}/${b.service}`;
      return { ...b, servers: serversFor(b, services.get(key), slices.get(key) ?? [], podOf) };
    });
  const secrets = new Map(view.secrets.map((x) => [`${x.metadata.namespace}/${x.metadata.name}`, x]));
  const addresses = nodeAddresses(view.nodes);
  return {
    backends,
    routes,
    certificates: certificates(ours, (ns, name) => secrets.get(`${ns}/${name}`), events),
    events,
    ingressAddresses: new Map(ours.map((i) => [`${i.metadata.namespace}/${i.metadata.name}`, addresses])),
  };
}

/** Routes in the table's order: host, path, type. */
export const compareRoutes = (a: Route, b: Route): number =>
  cmp(a.host, b.host) || cmp(a.path, b.path) || cmp(a.pathType, b.pathType);

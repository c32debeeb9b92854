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

interface Claim {
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

/** Older first; ties by namespace/name so every router replica picks the same winner. */
function compareClaims(a: Claim, b: Claim): number {
  if (a.fallback !== b.fallback) return a.fallback ? 1 : -1;
  const ca = a.route.source.created,
    cb = b.route.source.created;
  if (ca !== cb) return ca < cb ? -1 : 1;
  const ka = `${a.route.source.namespace}/${a.route.source.name}/${a.route.source.kind}`;
  const kb = `${b.route.source.namespace}/${b.route.source.name}/${b.route.source.kind}`;
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.index - b.index;
}

/** Builds backends on demand and keeps one per Service port and options. */
class Backends {
  readonly byName = new Map<string, Backend>();
  private readonly services = new Map<string, RouterServiceObject>();
  private readonly slices = new Map<string, RouterEndpointSliceObject[]>();
  private readonly pods = new Map<string, RouterPodObject>();

  constructor(view: ClusterView) {
    for (const s of view.services) this.services.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
    for (const sl of view.endpointSlices) {
      const svc = sl.metadata.labels?.[SERVICE_NAME_LABEL];
      if (!svc) continue;
      const key = `${sl.metadata.namespace}/${svc}`;
      const list = this.slices.get(key) ?? [];
      list.push(sl);
      this.slices.set(key, list);
    }
    for (const p of view.pods) this.pods.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
  }

  service(namespace: string, name: string): RouterServiceObject | undefined {
    return this.services.get(`${namespace}/${name}`);
  }

  /** The backend for a Service port (number or name) with these options; created on first use. */
  get(namespace: string, service: string, port: string, options: BackendOptions): Backend {
    const name = backendName(namespace, service, port, options);
    let b = this.byName.get(name);
    if (!b) {
      b = { name, namespace, service, servicePort: port, options, servers: this.servers(namespace, service, port) };
      this.byName.set(name, b);
    }
    return b;
  }

  private servers(namespace: string, service: string, port: string): Server[] {
    const svc = this.services.get(`${namespace}/${service}`);
    const sp = svc?.spec?.ports?.find((p) => (/^\d+$/.test(port) ? String(p.port) === port : p.name === port));
    if (!sp || (sp.protocol ?? 'TCP') !== 'TCP' || svc?.spec?.type === 'ExternalName') return [];
    const portName = sp.name ?? '';
    const ready: Server[] = [];
    const fallback: Server[] = [];
    const seen = new Set<string>();
    for (const slice of this.slices.get(`${namespace}/${service}`) ?? []) {
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
          const pod = this.pods.get(`${ref.namespace ?? namespace}/${ref.name}`);
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
    return uniqueNames(servers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  }
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

function ingressClaims(ing: IngressObject, backends: Backends, events: RouterEvent[]): Claim[] {
  const source = sourceOf('Ingress', ing);
  const { options, problems } = backendOptions(ing.metadata.annotations);
  for (const p of problems) events.push(event(ing, 'InvalidAnnotation', p));
  const claims: Claim[] = [];
  const backendFor = (b: IngressBackendObject, where: string): string | undefined => {
    const port = portOf(b);
    if (!b.service?.name || !port) {
      events.push(event(ing, 'UnsupportedBackend', `${where}: only Service backends are routed; this one is skipped`));
      return undefined;
    }
    return backends.get(source.namespace, b.service.name, port, options).name;
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
  return claims;
}

function serviceClaims(svc: RouterServiceObject, backends: Backends, events: RouterEvent[]): Claim[] {
  const text = svc.metadata.annotations?.[ANNOTATION_ROUTES];
  if (text === undefined) return [];
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
    return [];
  }
  const backend = backends.get(source.namespace, source.name, port.name || String(port.port), opts.options).name;
  return routes.map((r, index) => ({ route: { ...r, backend, source }, index, fallback: false }));
}

/** A kubernetes.io/tls Secret as one PEM (chain, then key), or why it cannot be served. */
export function tlsPem(secret: SecretObject | undefined): { pem: string } | { problem: string } {
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

function certificates(ingresses: IngressObject[], secrets: SecretObject[], events: RouterEvent[]): Certificate[] {
  const byKey = new Map<string, SecretObject>();
  for (const s of secrets) byKey.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
  const certs = new Map<string, Certificate>();
  const sniOwner = new Map<string, string>();
  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    for (const tls of ing.spec?.tls ?? []) {
      if (!tls.secretName) continue;
      const name = `${ns}_${tls.secretName}`;
      let cert = certs.get(name);
      if (!cert) {
        const pem = tlsPem(byKey.get(`${ns}/${tls.secretName}`));
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
const byAge = <T extends IngressObject>(a: T, b: T) => {
  const ca = a.metadata.creationTimestamp ?? '',
    cb = b.metadata.creationTimestamp ?? '';
  if (ca !== cb) return ca < cb ? -1 : 1;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`,
    kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

export function buildRouterState(view: ClusterView): RouterState {
  const events: RouterEvent[] = [];
  const backends = new Backends(view);
  const ours = view.ingresses.filter((i) => isOurIngress(i, view.ingressClasses)).sort(byAge);
  const claims = [
    ...ours.flatMap((i) => ingressClaims(i, backends, events)),
    ...view.services.flatMap((s) => serviceClaims(s, backends, events)),
  ];
  const winners = new Map<string, Claim>();
  for (const c of [...claims].sort(compareClaims)) {
    const key = `${c.route.host}\n${c.route.path}\n${c.route.pathType}`;
    const winner = winners.get(key);
    if (!winner) {
      winners.set(key, c);
      continue;
    }
    const w = winner.route.source,
      l = c.route.source;
    if (w.uid === l.uid && w.kind === l.kind) continue; // an object repeating itself: no one to warn
    const regarding = { kind: l.kind, namespace: l.namespace, name: l.name, uid: l.uid };
    events.push({
      regarding,
      type: 'Warning',
      reason: 'RouteConflict',
      message: `${routeText(c.route)} is already served by ${describe(w)}, which claimed it first; this route is skipped`,
    });
  }
  // Only backends some winning route uses; a loser's backend would be configured for nothing.
  const routes = [...winners.values()].map((c) => c.route);
  routes.sort((a, b) =>
    a.host !== b.host
      ? a.host < b.host
        ? -1
        : 1
      : a.path !== b.path
        ? a.path < b.path
          ? -1
          : 1
        : a.pathType < b.pathType
          ? -1
          : a.pathType > b.pathType
            ? 1
            : 0,
  );
  const used = new Set(routes.map((r) => r.backend));
  const liveBackends = [...backends.byName.values()]
    .filter((b) => used.has(b.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const addresses = nodeAddresses(view.nodes);
  const ingressAddresses = new Map(ours.map((i) => [`${i.metadata.namespace}/${i.metadata.name}`, addresses]));
  return {
    backends: liveBackends,
    routes,
    certificates: certificates(ours, view.secrets, events),
    events,
    ingressAddresses,
  };
}

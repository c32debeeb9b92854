/**
 * The incremental table against the reference: after every step of
 * seeded random event sequences (Ingresses, classes, Services, slices,
 * pods, Secrets, nodes coming, changing and going) the table equals
 * buildRouterState on the same objects, and the changes it reported
 * cover every backend and route that differ from the step before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRouterState } from './model.js';
import { selfSignedPem, splitPem } from './self-signed.js';
import { RouteTable } from './table.js';
import type {
  ClusterView,
  IngressClassObject,
  IngressObject,
  RouterEndpointSliceObject,
  RouterNodeObject,
  RouterPodObject,
  RouterServiceObject,
  RouterState,
  SecretObject,
} from './types.js';

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SERVICES = ['a', 'b', 'c'];
const PODS = ['p1', 'p2', 'p3', 'p4'];
const HOSTS = ['x.example.com', 'y.example.com', '*.example.com', ''];
const PATHS = ['/', '/api', '/api/v1'];
const pem = splitPem(selfSignedPem('x.example.com'));

type Kind = 'ingress' | 'class' | 'service' | 'slice' | 'pod' | 'secret' | 'node';

function generator(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  let clock = 0;
  const ts = () =>
    `2026-01-01T00:${String(Math.floor(clock / 60)).padStart(2, '0')}:${String(clock++ % 60).padStart(2, '0')}Z`;
  const ingress = (name: string): IngressObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-ing-${name}`,
      creationTimestamp: ts(),
      ...(r() < 0.2 ? { annotations: { 'podnet.io/balance': 'leastconn' } } : {}),
    },
    spec: {
      ...(r() < 0.2 ? { ingressClassName: pick(['podnet', 'other']) } : {}),
      ...(r() < 0.3 ? { tls: [{ hosts: [pick(HOSTS.filter(Boolean))], secretName: pick(['s1', 's2']) }] } : {}),
      ...(r() < 0.2 ? { defaultBackend: { service: { name: pick(SERVICES), port: { number: 80 } } } } : {}),
      rules: Array.from({ length: 1 + Math.floor(r() * 2) }, () => ({
        ...(r() < 0.8 ? { host: pick(HOSTS.filter(Boolean)) } : {}),
        http: {
          paths: Array.from({ length: 1 + Math.floor(r() * 2) }, () => ({
            path: pick(PATHS),
            pathType: pick(['Prefix', 'Exact']),
            backend: { service: { name: pick(SERVICES), port: r() < 0.5 ? { number: 80 } : { name: 'http' } } },
          })),
        },
      })),
    },
  });
  const service = (name: string): RouterServiceObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-svc-${name}-${clock}`,
      creationTimestamp: ts(),
      ...(r() < 0.4 ? { annotations: { 'podnet.io/routes': `${pick(HOSTS.filter(Boolean))}${pick(PATHS)}` } } : {}),
    },
    spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  });
  const slice = (svc: string, idx: number): RouterEndpointSliceObject => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-${idx}`, namespace: 'ns', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: PODS.filter(() => r() < 0.5).map((p) => ({
      addresses: [`10.0.0.${PODS.indexOf(p) + 1}`],
      conditions: { ready: r() < 0.8, serving: true, terminating: r() < 0.3 },
      targetRef: { kind: 'Pod', namespace: 'ns', name: p, uid: `uid-${p}` },
    })),
  });
  const pod = (name: string): RouterPodObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: r() < 0.9 ? `uid-${name}` : 'uid-other' },
    status: { podIP: r() < 0.9 ? `10.0.0.${PODS.indexOf(name) + 1}` : '10.0.0.99' },
  });
  const cls = (name: string): IngressClassObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name,
      ...(r() < 0.6 ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
    spec: { controller: name === 'podnet' ? 'podnet.io/router' : 'example.com/other' },
  });
  const secret = (name: string): SecretObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'ns' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(pem.crt).toString('base64'), 'tls.key': Buffer.from(pem.key).toString('base64') },
  });
  const node = (name: string): RouterNodeObject => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { addresses: [{ type: 'InternalIP', address: `10.250.0.${name.length + Math.floor(r() * 3)}` }] },
  });
  return {
    r,
    next(): { kind: Kind; key: string; obj: unknown } {
      const kind = pick<Kind>([
        'ingress',
        'ingress',
        'class',
        'service',
        'service',
        'slice',
        'slice',
        'pod',
        'pod',
        'secret',
        'node',
      ]);
      const remove = r() < 0.25;
      switch (kind) {
        case 'ingress': {
          const name = pick(['i1', 'i2', 'i3', 'i4']);
          return { kind, key: `ns/${name}`, obj: remove ? undefined : ingress(name) };
        }
        case 'class': {
          const name = pick(['podnet', 'other']);
          return { kind, key: name, obj: remove ? undefined : cls(name) };
        }
        case 'service': {
          const name = pick(SERVICES);
          return { kind, key: `ns/${name}`, obj: remove ? undefined : service(name) };
        }
        case 'slice': {
          const svc = pick(SERVICES);
          const idx = Math.floor(r() * 2);
          return { kind, key: `ns/${svc}-${idx}`, obj: remove ? undefined : slice(svc, idx) };
        }
        case 'pod': {
          const name = pick(PODS);
          return { kind, key: `ns/${name}`, obj: remove ? undefined : pod(name) };
        }
        case 'secret': {
          const name = pick(['s1', 's2']);
          return { kind, key: `ns/${name}`, obj: remove ? undefined : secret(name) };
        }
        case 'node': {
          const name = pick(['n1', 'n22']);
          return { kind, key: name, obj: remove ? undefined : node(name) };
        }
      }
    },
  };
}

const canonical = (s: RouterState) => ({
  backends: s.backends,
  routes: s.routes,
  certificates: s.certificates,
  events: s.events.map((e) => `${e.regarding.kind}/${e.regarding.name} ${e.reason}: ${e.message}`).sort(),
  ingressAddresses: [...s.ingressAddresses].sort(),
});

test('the incremental table equals the reference after every event, and reports every change', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const g = generator(seed);
    const table = new RouteTable();
    const view = {
      ingresses: new Map<string, IngressObject>(),
      ingressClasses: new Map<string, IngressClassObject>(),
      services: new Map<string, RouterServiceObject>(),
      endpointSlices: new Map<string, RouterEndpointSliceObject>(),
      pods: new Map<string, RouterPodObject>(),
      secrets: new Map<string, SecretObject>(),
      nodes: new Map<string, RouterNodeObject>(),
    };
    const field = {
      ingress: view.ingresses,
      class: view.ingressClasses,
      service: view.services,
      slice: view.endpointSlices,
      pod: view.pods,
      secret: view.secrets,
      node: view.nodes,
    } as const;
    let before = canonical(table.snapshot());
    for (let step = 0; step < 60; step++) {
      const { kind, key, obj } = g.next();
      const m = field[kind] as Map<string, unknown>;
      if (obj) m.set(key, obj);
      else m.delete(key);
      switch (kind) {
        case 'ingress':
          table.setIngress(key, obj as IngressObject | undefined);
          break;
        case 'class':
          table.setIngressClass(key, obj as IngressClassObject | undefined);
          break;
        case 'service':
          table.setService(key, obj as RouterServiceObject | undefined);
          break;
        case 'slice':
          table.setEndpointSlice(key, obj as RouterEndpointSliceObject | undefined);
          break;
        case 'pod':
          table.setPod(key, obj as RouterPodObject | undefined);
          break;
        case 'secret':
          table.setSecret(key, obj as SecretObject | undefined);
          break;
        case 'node':
          table.setNode(key, obj as RouterNodeObject | undefined);
          break;
      }
      const changes = table.takeChanges();
      const flat: ClusterView = {
        ingresses: [...view.ingresses.values()],
        ingressClasses: [...view.ingressClasses.values()],
        services: [...view.services.values()],
        endpointSlices: [...view.endpointSlices.values()],
        pods: [...view.pods.values()],
        secrets: [...view.secrets.values()],
        nodes: [...view.nodes.values()],
      };
      const want = canonical(buildRouterState(flat));
      const got = canonical(table.snapshot());
      assert.deepEqual(got, want, `seed ${seed} step ${step}: ${kind} ${key} ${obj ? 'set' : 'deleted'}`);
      // Every backend whose servers differ from the step before, and every route whose backend differs, was reported.
      const servers = (s: typeof before) => new Map(s.backends.map((b) => [b.name, JSON.stringify(b.servers)]));
      const [b0, b1] = [servers(before), servers(got)];
      for (const name of new Set([...b0.keys(), ...b1.keys()]))
        if (b0.get(name) !== b1.get(name))
          assert.ok(changes.backends.has(name), `seed ${seed} step ${step}: backend ${name} changed unreported`);
      const routes = (s: typeof before) =>
        new Map(s.routes.map((r) => [`${r.pathType}\n${r.host}\n${r.path}`, r.backend]));
      const [r0, r1] = [routes(before), routes(got)];
      for (const k of new Set([...r0.keys(), ...r1.keys()]))
        if (r0.get(k) !== r1.get(k))
          assert.ok(changes.routes.has(k), `seed ${seed} step ${step}: route ${k} changed unreported`);
      if (JSON.stringify(before.certificates) !== JSON.stringify(got.certificates))
        assert.ok(changes.certificates, `seed ${seed} step ${step}: certificates changed unreported`);
      before = got;
    }
  }
});

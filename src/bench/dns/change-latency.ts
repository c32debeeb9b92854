/**
 * "A Service, endpoint or annotation change is visible in DNS within
 * 50 ms": time from sending the API write to the first correct answer
 * from podnet dns, polling with a fresh question every 1 ms. Three kinds,
 * in turn: a new Service (its A record), a headless Service's
 * EndpointSlice moving to a new address, and a business-name annotation
 * added to an existing Service.
 */
import type { BenchClient } from '../apiserver/http-client.js';
import { summarize, type Summary } from '../apiserver/stats.js';
import { DnsProbe } from './dns-probe.js';
import { DOMAIN, ipAt, namespaceName, serviceIp, serviceName, serviceNamespace } from './names.js';

export type ChangeKind = 'service' | 'endpoint' | 'annotation';
const CHANGE_KINDS: ChangeKind[] = ['service', 'endpoint', 'annotation'];

export interface ChangeResult {
  kind: ChangeKind;
  /** Write sent -> first correct DNS answer, ms. */
  visible: Summary;
  /** Write sent -> API response, ms (for comparison). */
  apiResponse: Summary;
  /** Changes never seen within the 5 s limit. */
  missed: number;
}

const GIVE_UP_MS = 5_000;
const POLL_MS = 1;
const NEW_SERVICE_BASE = (10 << 24) | (110 << 16);
const ENDPOINT_BASE = (10 << 24) | (120 << 16);
const MERGE = 'application/merge-patch+json';
let nextServiceIp = 1;

interface ChangeSpec {
  client: BenchClient;
  host: string;
  port: number;
  changes: number;
  services: number;
  namespaces: number;
  tag: string;
}

export async function measureChanges(s: ChangeSpec): Promise<ChangeResult[]> {
  const ns = namespaceName(0);
  const headless = `hl-${s.tag}`;
  await s.client.expect(
    {
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/services`,
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: headless, namespace: ns },
        spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
      },
    },
    201,
  );
  await s.client.expect(
    {
      method: 'POST',
      path: `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
      body: sliceBody(headless, ns, ipAt(ENDPOINT_BASE, 0)),
    },
    201,
  );
  const probe = new DnsProbe(s.host, s.port);
  const samples = new Map<ChangeKind, { visible: number[]; api: number[]; missed: number }>(
    CHANGE_KINDS.map((k) => [k, { visible: [], api: [], missed: 0 }]),
  );
  try {
    // Let the headless Service's first address arrive before timing changes to it.
    if (
      (await probe.poll(
        `${headless}.${ns}.svc.${DOMAIN}`,
        (a) => a.length === 1 && a[0] === ipAt(ENDPOINT_BASE, 0),
        POLL_MS,
        GIVE_UP_MS,
      )) === undefined
    ) {
      throw new Error(`podnet dns never answered the headless Service ${ns}/${headless}`);
    }
    for (let n = 0; n < s.changes; n++) {
      const kind = CHANGE_KINDS[n % CHANGE_KINDS.length]!;
      const k = Math.floor(n / CHANGE_KINDS.length);
      let write: () => Promise<unknown>;
      let name: string;
      let ok: (a: string[]) => boolean;
      if (kind === 'service') {
        const ip = ipAt(NEW_SERVICE_BASE, nextServiceIp++); // allocated for good: unique across scales
        const svc = `chg-${s.tag}-${k}`;
        name = `${svc}.${ns}.svc.${DOMAIN}`;
        ok = (a) => a.includes(ip);
        write = () =>
          s.client.expect(
            {
              method: 'POST',
              path: `/api/v1/namespaces/${ns}/services`,
              body: {
                apiVersion: 'v1',
                kind: 'Service',
                metadata: { name: svc, namespace: ns },
                spec: { clusterIP: ip, ports: [{ port: 80, protocol: 'TCP' }] },
              },
            },
            201,
          );
      } else if (kind === 'endpoint') {
        const ip = ipAt(ENDPOINT_BASE, k + 1);
        name = `${headless}.${ns}.svc.${DOMAIN}`;
        ok = (a) => a.length === 1 && a[0] === ip;
        write = () =>
          s.client.expect(
            {
              method: 'PATCH',
              path: `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices/${headless}-1`,
              contentType: MERGE,
              body: { endpoints: [{ addresses: [ip], conditions: { ready: true } }] },
            },
            200,
          );
      } else {
        const i = (k * 7919) % s.services; // spread over the existing Services
        const biz = `biz-${s.tag}-${k}.mall`;
        name = biz;
        ok = (a) => a.includes(serviceIp(i));
        write = () =>
          s.client.expect(
            {
              method: 'PATCH',
              path: `/api/v1/namespaces/${serviceNamespace(i, s.namespaces)}/services/${serviceName(i)}`,
              contentType: MERGE,
              body: { metadata: { annotations: { 'podnet.io/dns-names': biz, 'podnet.io/dns-scope': 'cluster' } } },
            },
            200,
          );
      }
      const t0 = performance.now();
      let apiMs = NaN;
      // Poll from the moment the write leaves; a failed write is caught here, not left unhandled.
      const written = write().then(
        () => {
          apiMs = performance.now() - t0;
        },
        (e: Error) => e,
      );
      const seen = await probe.poll(name, ok, POLL_MS, GIVE_UP_MS);
      const failed = await written;
      if (failed) throw failed;
      const bucket = samples.get(kind)!;
      if (seen === undefined) bucket.missed++;
      else bucket.visible.push(seen - t0);
      bucket.api.push(apiMs);
      await new Promise((r) => setTimeout(r, 20)); // let the server go idle between changes
    }
  } finally {
    probe.close();
  }
  return CHANGE_KINDS.map((kind) => {
    const b = samples.get(kind)!;
    return { kind, visible: summarize(b.visible), apiResponse: summarize(b.api), missed: b.missed };
  });
}

function sliceBody(service: string, ns: string, ip: string): object {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-1`, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
  };
}

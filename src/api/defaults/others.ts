/** Defaults of the smaller kinds (core/v1, discovery/v1, networking/v1 SetDefaults_*, plus the namespace strategy). */
import type { KObject } from '../meta.js';

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export function defaultNamespace(o: KObject): void {
  // SetDefaults_Namespace labels every namespace with its own name.
  if (o.metadata.name) (o.metadata.labels ??= {})['kubernetes.io/metadata.name'] = o.metadata.name;
  const spec = (o.spec ??= {}) as Obj;
  spec.finalizers ??= ['kubernetes'];
  const status = (o.status ??= {}) as Obj;
  status.phase ||= 'Active';
}

export function defaultSecret(o: KObject): void {
  o.type ||= 'Opaque';
}

export function defaultNode(o: KObject): void {
  const status = (o.status ??= {}) as Obj;
  if (status.allocatable === undefined && status.capacity !== undefined)
    status.allocatable = structuredClone(status.capacity);
}

export function defaultEndpoints(o: KObject): void {
  for (const ss of list(o.subsets)) for (const p of list(ss.ports)) p.protocol ||= 'TCP';
}

export function defaultEndpointSlice(o: KObject): void {
  for (const p of list(o.ports)) {
    p.name ??= '';
    p.protocol ??= 'TCP';
  }
}

export function defaultNetworkPolicy(o: KObject): void {
  const s = (o.spec ??= {}) as Obj;
  for (const r of [...list(s.ingress), ...list(s.egress)]) for (const p of list(r.ports)) p.protocol ||= 'TCP';
  if (!Array.isArray(s.policyTypes) || s.policyTypes.length === 0) {
    s.policyTypes = list(s.egress).length ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

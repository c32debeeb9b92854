/**
 * The API server's own admission plugins besides authorization's (RBAC
 * escalation, NodeRestriction): DefaultTolerationSeconds and ServiceAccount
 * for pods (mutating),
 * externalIPs for Services and non-overlapping podCIDRs for Nodes
 * (validating). Each reads what it needs straight from the store.
 */
import { errors } from '../../api/errors.js';
import { resourcePrefix, type KObject } from '../../api/meta.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import type { Admission, Registry } from '../registry/registry.js';
import { admitPodServiceAccount, type ServiceAccountObject } from '../serviceaccounts/pod-admission.js';
import { withDefaultTolerations } from './default-toleration-seconds.js';
import { externalIpsProblem } from './external-ips.js';
import { cidrsOf, podCidrProblem } from './pod-cidrs.js';

interface ClusterAdmissionOptions {
  /** Enforce pods' ServiceAccounts and mount their tokens (needs the serviceaccount controller running). */
  serviceAccounts: boolean;
  /** Ranges Services may take externalIPs from (empty: none). */
  externalIpCidrs: string[];
}

const is = (ri: ResourceInfo, resource: string) => ri.group === '' && ri.resource === resource;
const serviceAccountsRes = findResource('', 'v1', 'serviceaccounts')!;

type Spec = { spec?: Record<string, unknown> };

export function clusterAdmission(registry: Registry, o: ClusterAdmissionOptions): Required<Admission> {
  const readSa = async (ns: string, name: string) => {
    const kv = await registry.store.get(registry.key(serviceAccountsRes, ns, name));
    return kv ? (registry.decode(kv) as ServiceAccountObject) : undefined;
  };
  return {
    async mutate(w) {
      if (!is(w.ri, 'pods')) return;
      const spec = ((w.obj as Spec).spec ??= {});
      const tolerations = (spec['tolerations'] ?? []) as Parameters<typeof withDefaultTolerations>[0];
      const defaulted = withDefaultTolerations(tolerations);
      if (defaulted !== tolerations) spec['tolerations'] = defaulted;
      if (o.serviceAccounts) await admitPodServiceAccount(w.obj, readSa);
    },
    async admit(w) {
      if (w.operation === 'delete' || !w.obj || w.subresource === 'status') return;
      if (is(w.ri, 'services')) {
        const ips = (w.obj as Spec).spec?.['externalIPs'] as string[] | undefined;
        if (!ips?.length) return;
        const before = (w.old as Spec | undefined)?.spec?.['externalIPs'] as string[] | undefined;
        const problem = externalIpsProblem(
          ips,
          before,
          o.externalIpCidrs,
          o.externalIpCidrs.length ? await clusterAddresses(registry) : new Set(),
        );
        if (problem) throw errors.forbidden(`services "${w.obj.metadata.name}" is forbidden: ${problem}`);
      }
      if (is(w.ri, 'nodes')) {
        const cidrs = cidrsOf((w.obj as Spec).spec);
        const before = cidrsOf((w.old as Spec | undefined)?.spec);
        if (cidrs.length === 0 || cidrs.every((c) => before.includes(c))) return;
        const others = (await registry.store.list(resourcePrefix('', 'nodes'))).items.map((kv) => {
          const n = registry.decode(kv) as KObject & Spec;
          return { name: n.metadata.name!, podCIDRs: cidrsOf(n.spec) };
        });
        const problem = podCidrProblem({ name: w.obj.metadata.name!, podCIDRs: cidrs }, others);
        if (problem) throw errors.forbidden(`nodes "${w.obj.metadata.name}" is forbidden: ${problem}`);
      }
    },
  };
}

/** Addresses the cluster answers on: every API server's (the kubernetes Endpoints) and every node's. */
async function clusterAddresses(registry: Registry): Promise<Set<string>> {
  const out = new Set<string>();
  const ep = await registry.store.get(registry.key(findResource('', 'v1', 'endpoints')!, 'default', 'kubernetes'));
  if (ep) {
    const subsets = (registry.decode(ep) as { subsets?: { addresses?: { ip: string }[] }[] }).subsets ?? [];
    for (const s of subsets) for (const a of s.addresses ?? []) out.add(a.ip);
  }
  for (const kv of (await registry.store.list(resourcePrefix('', 'nodes'))).items) {
    const n = registry.decode(kv) as { status?: { addresses?: { address: string }[] } };
    for (const a of n.status?.addresses ?? []) out.add(a.address);
  }
  return out;
}

/**
 * Container resources → cgroup settings, and the pod's QoS class (pure),
 * with the kubelet's conversions: limits.cpu → CFS quota over a 100 ms
 * period, requests.cpu → cpu.shares (2..262144), limits.memory → the
 * memory limit (no swap beyond it).
 */
import type { ContainerResources } from '../runtime/types.js';
import { parseQuantity } from './quantity.js';
import type { ContainerSpec, PodSpec } from './types.js';

const CPU_PERIOD = 100_000;
const MIN_QUOTA = 1000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;

const get = (r: Record<string, string | number> | undefined, k: string): number | undefined =>
  r?.[k] === undefined ? undefined : parseQuantity(r[k]);

/** cgroup settings of one container; pidsLimit is the node's per-pod limit (undefined: none). */
export function containerResources(c: ContainerSpec, pidsLimit?: number): ContainerResources {
  const limits = c.resources?.limits;
  // A limit without a request is also the request, as the API server's defaulting does.
  const requests = { ...(limits ?? {}), ...(c.resources?.requests ?? {}) };
  const out: ContainerResources = {};
  const mem = get(limits, 'memory');
  if (mem !== undefined) out.memoryBytes = Math.floor(mem);
  const cpuLimit = get(limits, 'cpu');
  if (cpuLimit !== undefined) {
    out.cpuQuotaMicros = Math.max(MIN_QUOTA, Math.floor(cpuLimit * CPU_PERIOD));
    out.cpuPeriodMicros = CPU_PERIOD;
  }
  const cpuRequest = get(requests, 'cpu');
  out.cpuShares =
    cpuRequest === undefined ? MIN_SHARES : Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor(cpuRequest * 1024)));
  if (pidsLimit !== undefined) out.pidsLimit = pidsLimit;
  return out;
}

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** The pod's QoS class by the kubelet's rules (init containers count too). */
export function qosClass(pod: PodSpec): QosClass {
  const all = [...(pod.initContainers ?? []), ...pod.containers];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const limits = c.resources?.limits ?? {};
    const requests = { ...limits, ...(c.resources?.requests ?? {}) };
    for (const k of ['cpu', 'memory']) {
      if (requests[k] !== undefined || limits[k] !== undefined) any = true;
      if (limits[k] === undefined || parseQuantity(limits[k]) !== parseQuantity(requests[k]!)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

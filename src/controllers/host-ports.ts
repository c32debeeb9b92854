/**
 * The scheduler's NodePorts filter, pure: a pod that wants a host port
 * cannot go to a node where a live pod (terminating ones included: they
 * still hold it) has the same port, protocol and an overlapping host IP.
 */
import type { Pod } from './types.js';
import { isPodTerminal } from './types.js';

interface HostPort {
  protocol: string;
  port: number;
  /** '' or 0.0.0.0 means every address of the node. */
  ip: string;
}

/**
 * The host ports a pod takes: its containers' hostPorts, and with
 * hostNetwork every containerPort (kube's defaulting sets hostPort to the
 * containerPort there; podnet's does not, so the scheduler reads it so).
 */
export function hostPortsOf(pod: Pod): HostPort[] {
  const hostNetwork = pod.spec?.hostNetwork === true;
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? [])
    for (const p of c.ports ?? []) {
      const port = p.hostPort || (hostNetwork ? p.containerPort : 0);
      if (port > 0) out.push({ protocol: p.protocol ?? 'TCP', port, ip: p.hostIP ?? '' });
    }
  return out;
}

const anyAddress = (ip: string) => ip === '' || ip === '0.0.0.0';

function conflicts(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.protocol === b.protocol && (anyAddress(a.ip) || anyAddress(b.ip) || a.ip === b.ip);
}

/** True when one of the pod's host ports is taken by another live pod among podsOnNode. */
export function hostPortTaken(pod: Pod, podsOnNode: readonly Pod[]): boolean {
  const wanted = hostPortsOf(pod);
  if (wanted.length === 0) return false;
  for (const other of podsOnNode) {
    if (other.metadata.uid === pod.metadata.uid || isPodTerminal(other)) continue;
    for (const held of hostPortsOf(other)) if (wanted.some((w) => conflicts(w, held))) return true;
  }
  return false;
}

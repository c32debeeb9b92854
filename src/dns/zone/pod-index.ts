/**
 * Pod IP -> namespaces, from the Pods informer: tells which namespace a
 * client is in (business-name visibility) and verifies pod records.
 * hostNetwork pods share their node's IP, so they never identify a namespace.
 */
import type { DnsPod } from './objects.js';

export class PodIndex {
  /** IP -> pod key ("ns/name") -> namespace. */
  private readonly byIp = new Map<string, Map<string, string>>();
  private readonly ipsByPod = new Map<string, string[]>();

  /** Records (or with `pod` undefined, forgets) the pod under `key`. */
  set(key: string, pod: DnsPod | undefined): void {
    for (const ip of this.ipsByPod.get(key) ?? []) {
      const m = this.byIp.get(ip);
      m?.delete(key);
      if (m && !m.size) this.byIp.delete(ip);
    }
    this.ipsByPod.delete(key);
    if (!pod || pod.spec?.hostNetwork || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
    const ns = pod.metadata.namespace ?? 'default';
    for (const ip of ips) {
      let m = this.byIp.get(ip);
      if (!m) this.byIp.set(ip, (m = new Map<string, string>()));
      m.set(key, ns);
    }
    if (ips.length) this.ipsByPod.set(key, ips);
  }

  /** The namespace of the pod with this IP; undefined when unknown or ambiguous. */
  namespaceOf(ip: string): string | undefined {
    const m = this.byIp.get(ip);
    if (!m) return undefined;
    let ns: string | undefined;
    for (const v of m.values()) {
      if (ns !== undefined && ns !== v) return undefined;
      ns = v;
    }
    return ns;
  }

  /** True when a live pod in `namespace` has this IP (pod records in "verified" mode). */
  has(ip: string, namespace: string): boolean {
    for (const v of this.byIp.get(ip)?.values() ?? []) if (v === namespace) return true;
    return false;
  }
}

/**
 * Which node may read which Secret and ConfigMap, and ask for which
 * ServiceAccount's tokens (kube's node authorizer graph, the part podnet
 * needs): each pod bound to a node links the node to the objects the pod
 * refers to and to its ServiceAccount. Fed pod by pod from the store's watch.
 */
import { podReferences, type PodRefsSpec } from '../../api/pod-references.js';

interface PodEdges {
  node: string;
  namespace: string;
  refs: string[];
}

export class NodeGraph {
  /** pod key -> what it links */
  private readonly pods = new Map<string, PodEdges>();
  /** node -> "secrets/ns/name" | "configmaps/ns/name" | "pods/ns/name" -> how many pods link it */
  private readonly reachable = new Map<string, Map<string, number>>();

  /** A pod as stored now (undefined: deleted). */
  setPod(
    key: string,
    pod:
      | {
          metadata?: { namespace?: string; name?: string };
          spec?: PodRefsSpec & { nodeName?: string; serviceAccountName?: string };
        }
      | undefined,
  ): void {
    const before = this.pods.get(key);
    if (before) this.unlink(before);
    const node = pod?.spec?.nodeName;
    if (!pod || !node) {
      this.pods.delete(key);
      return;
    }
    const ns = pod.metadata?.namespace ?? '';
    const r = podReferences(pod.spec);
    const refs = [
      `pods/${ns}/${pod.metadata?.name}`,
      // The node asks for the pod's ServiceAccount token (serviceaccounts/token).
      `serviceaccounts/${ns}/${pod.spec?.serviceAccountName || 'default'}`,
      ...[...r.secrets].map((n) => `secrets/${ns}/${n}`),
      ...[...r.configMaps].map((n) => `configmaps/${ns}/${n}`),
    ];
    const edges = { node, namespace: ns, refs };
    this.pods.set(key, edges);
    let m = this.reachable.get(node);
    if (!m) this.reachable.set(node, (m = new Map<string, number>()));
    for (const x of refs) m.set(x, (m.get(x) ?? 0) + 1);
  }

  private unlink(e: PodEdges): void {
    const m = this.reachable.get(e.node);
    if (!m) return;
    for (const x of e.refs) {
      const n = (m.get(x) ?? 0) - 1;
      if (n > 0) m.set(x, n);
      else m.delete(x);
    }
    if (m.size === 0) this.reachable.delete(e.node);
  }

  /** Whether a pod bound to `node` refers to (or is) resource/namespace/name. */
  linked(node: string, resource: string, namespace: string, name: string): boolean {
    return this.reachable.get(node)?.has(`${resource}/${namespace}/${name}`) ?? false;
  }
}

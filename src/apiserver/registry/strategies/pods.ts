/** Pods: status starts Pending; bound, running pods are deleted gracefully (the node agent finishes the delete). */
import type { KObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';

interface PodShape {
  spec?: { nodeName?: string; terminationGracePeriodSeconds?: number };
  status?: { phase?: string };
}

export const podStrategy: Strategy = {
  returnsDeletedObject: true,
  prepareForCreate(obj: KObject) {
    obj.status = { phase: 'Pending', qosClass: qosClass(obj) };
  },
  prepareForUpdate(obj: KObject, old: KObject, subresource?: string) {
    // nodeName is only ever set through the binding subresource.
    if (subresource !== 'binding') {
      const spec = obj.spec as PodShape['spec'];
      const oldSpec = old.spec as PodShape['spec'];
      if (spec && oldSpec?.nodeName && spec.nodeName === undefined) spec.nodeName = oldSpec.nodeName;
    } else {
      const status = (obj.status ??= {}) as {
        conditions?: { type: string; status: string; lastTransitionTime?: string | null; lastProbeTime?: null }[];
      };
      const conditions = (status.conditions ??= []);
      if (!conditions.some((c) => c.type === 'PodScheduled' && c.status === 'True')) {
        const rest = conditions.filter((c) => c.type !== 'PodScheduled');
        status.conditions = [
          ...rest,
          {
            type: 'PodScheduled',
            status: 'True',
            lastProbeTime: null,
            lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          },
        ];
      }
    }
  },
  gracePeriod(obj: KObject, requested: number | undefined) {
    const pod = obj as unknown as PodShape;
    // Pods no node runs, and pods that already ended, go at once.
    if (!pod.spec?.nodeName) return 0;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
    const grace = requested ?? obj.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, grace);
  },
};

/** The pod's QoS class, as kube computes it from requests and limits. */
export function qosClass(obj: KObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  type Res = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  const spec = obj.spec as { containers?: { resources?: Res }[]; initContainers?: { resources?: Res }[] } | undefined;
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  // A quantity is a string or a number in JSON; anything else is compared by its JSON.
  const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v));
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {},
      lim = c.resources?.limits ?? {};
    const keys = ['cpu', 'memory'];
    if (keys.some((k) => req[k] !== undefined || lim[k] !== undefined)) any = true;
    for (const k of keys) {
      if (lim[k] === undefined) guaranteed = false;
      else if (req[k] !== undefined && text(req[k]) !== text(lim[k])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

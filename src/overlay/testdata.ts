/** Node objects for the overlay's table tests. */
import { ANNOTATION_BACKEND_TYPE, ANNOTATION_PUBLIC_IP, ANNOTATION_VTEP_MAC } from './constants.js';
import type { OverlayNode } from './peers.js';
import type { Backend } from './types.js';

/** A Node as a running overlay leaves it: podCIDR 10.244.<i>.0/24, public IP 192.168.0.<10+i>. */
export function readyNode(name: string, i: number, backend: Backend = 'vxlan'): OverlayNode {
  return node(name, `10.244.${i}.0/24`, {
    [ANNOTATION_BACKEND_TYPE]: backend,
    [ANNOTATION_PUBLIC_IP]: `192.168.0.${10 + i}`,
    ...(backend === 'vxlan'
      ? { [ANNOTATION_VTEP_MAC]: `0e:70:c0:a8:00:${(10 + i).toString(16).padStart(2, '0')}` }
      : {}),
  });
}

export function node(name: string, podCIDR: string | undefined, annotations: Record<string, string> = {}): OverlayNode {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, annotations },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  };
}

/** A copy of `n` with some annotations changed (undefined deletes). */
export function withAnnotations(n: OverlayNode, changes: Record<string, string | undefined>): OverlayNode {
  const annotations: Record<string, string> = { ...n.metadata.annotations };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete annotations[k];
    else annotations[k] = v;
  }
  return { ...n, metadata: { ...n.metadata, annotations } };
}

/**
 * One informer per resource for all controllers in the process, with the
 * indexes they look things up by, so each object is listed and watched once.
 */
import { findResource, type ResourceInfo } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';
import { Informer, keyOf } from '../client/informer.js';
import { LABEL_SERVICE_NAME } from './endpointslice-desired.js';
import { selectorMatches, type EndpointSlice, type Lease, type Node, type Pod, type Service } from './types.js';
import type { Endpoints } from './endpoints-desired.js';
import type { KObject } from '../api/meta.js';
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from './workload-types.js';

export const res = {
  pods: findResource('', 'v1', 'pods')!,
  services: findResource('', 'v1', 'services')!,
  endpoints: findResource('', 'v1', 'endpoints')!,
  nodes: findResource('', 'v1', 'nodes')!,
  namespaces: findResource('', 'v1', 'namespaces')!,
  events: findResource('', 'v1', 'events')!,
  endpointSlices: findResource('discovery.k8s.io', 'v1', 'endpointslices')!,
  leases: findResource('coordination.k8s.io', 'v1', 'leases')!,
  deployments: findResource('apps', 'v1', 'deployments')!,
  replicaSets: findResource('apps', 'v1', 'replicasets')!,
  daemonSets: findResource('apps', 'v1', 'daemonsets')!,
  statefulSets: findResource('apps', 'v1', 'statefulsets')!,
  controllerRevisions: findResource('apps', 'v1', 'controllerrevisions')!,
};

/** Index names the shared informers maintain. */
export const byNamespace = 'namespace';
export const byNodeName = 'nodeName';
/** EndpointSlices by "namespace/service-name" label. */
export const byService = 'service';

/** Objects by the uid of their controller (ownerReferences with controller=true). */
export const byController = 'controller';

const nsIndex = (o: KObject) => [o.metadata.namespace ?? ''];
const controllerIndex = (o: KObject) => {
  const uid = o.metadata.ownerReferences?.find((r) => r.controller)?.uid;
  return uid ? [uid] : [];
};

export class SharedInformers {
  private readonly all: Informer<KObject>[] = [];
  private cache = new Map<string, Informer<KObject>>();

  constructor(
    private readonly client: KubeClient,
    private readonly onError: (err: unknown) => void,
  ) {}

  pods(): Informer<Pod> {
    return this.informer(
      'pods',
      () =>
        new Informer<Pod>(this.client, res.pods, {
          onError: this.onError,
          indexers: {
            [byNamespace]: nsIndex,
            [byNodeName]: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []),
            [byController]: controllerIndex,
          },
        }),
    );
  }

  services(): Informer<Service> {
    return this.informer(
      'services',
      () =>
        new Informer<Service>(this.client, res.services, {
          onError: this.onError,
          indexers: { [byNamespace]: nsIndex },
        }),
    );
  }

  endpoints(): Informer<Endpoints> {
    return this.informer(
      'endpoints',
      () => new Informer<Endpoints>(this.client, res.endpoints, { onError: this.onError }),
    );
  }

  endpointSlices(): Informer<EndpointSlice> {
    return this.informer(
      'endpointslices',
      () =>
        new Informer<EndpointSlice>(this.client, res.endpointSlices, {
          onError: this.onError,
          indexers: {
            [byService]: (s) => {
              const svc = s.metadata.labels?.[LABEL_SERVICE_NAME];
              return svc ? [`${s.metadata.namespace}/${svc}`] : [];
            },
          },
        }),
    );
  }

  nodes(): Informer<Node> {
    return this.informer('nodes', () => new Informer<Node>(this.client, res.nodes, { onError: this.onError }));
  }

  namespaces(): Informer<KObject> {
    return this.informer(
      'namespaces',
      () => new Informer<KObject>(this.client, res.namespaces, { onError: this.onError }),
    );
  }

  /** Node leases (kube-node-lease namespace only). */
  nodeLeases(): Informer<Lease> {
    return this.informer(
      'leases',
      () => new Informer<Lease>(this.client, res.leases, { onError: this.onError, namespace: 'kube-node-lease' }),
    );
  }

  deployments(): Informer<Deployment> {
    return this.namespaced<Deployment>('deployments', res.deployments);
  }

  replicaSets(): Informer<ReplicaSet> {
    return this.namespaced<ReplicaSet>('replicasets', res.replicaSets);
  }

  daemonSets(): Informer<DaemonSet> {
    return this.namespaced<DaemonSet>('daemonsets', res.daemonSets);
  }

  statefulSets(): Informer<StatefulSet> {
    return this.namespaced<StatefulSet>('statefulsets', res.statefulSets);
  }

  controllerRevisions(): Informer<ControllerRevision> {
    return this.namespaced<ControllerRevision>('controllerrevisions', res.controllerRevisions);
  }

  /** Any other resource, shared by name (the garbage collector's informers). */
  generic(ri: ResourceInfo, opts: { transform?: (o: KObject) => KObject } = {}): Informer<KObject> {
    return this.informer(
      `${ri.group}/${ri.resource}`,
      () => new Informer<KObject>(this.client, ri, { onError: this.onError, ...opts }),
    );
  }

  /** A namespaced resource indexed by namespace and by controller uid. */
  private namespaced<T extends KObject>(name: string, ri: ResourceInfo): Informer<T> {
    return this.informer(
      name,
      () =>
        new Informer<T>(this.client, ri, {
          onError: this.onError,
          indexers: { [byNamespace]: nsIndex, [byController]: controllerIndex },
        }),
    );
  }

  /** Starts every informer asked for so far and waits for their first lists. */
  async start(): Promise<void> {
    for (const i of this.all) i.start();
    await Promise.all(this.all.map((i) => i.waitForSync()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((i) => i.stop()));
  }

  private informer<T extends KObject>(name: string, make: () => Informer<T>): Informer<T> {
    let i = this.cache.get(name);
    if (!i) {
      i = make() as unknown as Informer<KObject>;
      this.cache.set(name, i);
      this.all.push(i);
    }
    return i as unknown as Informer<T>;
  }
}

export { keyOf };

/**
 * Queue a Service's key whenever it changes or a pod its selector matches
 * (before or after the change) does: the trigger every per-Service endpoint
 * controller needs.
 */
export function enqueueServicesOnChange(
  services: Informer<Service>,
  pods: Informer<Pod>,
  enqueue: (key: string) => void,
): void {
  services.addHandlers({
    onAdd: (s) => enqueue(keyOf(s)),
    onUpdate: (_o, s) => enqueue(keyOf(s)),
    onDelete: (s) => enqueue(keyOf(s)),
  });
  const podChanged = (...ps: Pod[]) => {
    for (const svc of services.byIndex(byNamespace, ps[0]!.metadata.namespace ?? '')) {
      const sel = svc.spec?.selector;
      if (sel && Object.keys(sel).length && ps.some((p) => selectorMatches(sel, p.metadata.labels)))
        enqueue(keyOf(svc));
    }
  };
  pods.addHandlers({
    onAdd: (p) => podChanged(p),
    onUpdate: (a, b) => podChanged(a, b),
    onDelete: (p) => podChanged(p),
  });
}

/**
 * The Endpoints controller: the legacy v1 Endpoints object of every Service
 * with a selector. Endpoints of selector-less Services are the user's.
 */
import type { KubeClient } from '../client/client.js';
import { isNotFound } from '../client/api-error.js';
import { splitKey, type Informer } from '../client/informer.js';
import { QueueController, type Logger } from './controller.js';
import {
  ANNOTATION_OVER_CAPACITY,
  ENDPOINTS_MANAGED_BY,
  LABEL_ENDPOINTS_MANAGED_BY,
  desiredEndpoints,
  endpointsEqual,
  type Endpoints,
} from './endpoints-desired.js';
import { byNamespace, enqueueServicesOnChange, keyOf, res, type SharedInformers } from './shared-informers.js';
import type { Pod, Service } from './types.js';

export class EndpointsController extends QueueController {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
  ) {
    super('endpoints-controller', log);
    this.services = informers.services();
    this.pods = informers.pods();
    this.endpoints = informers.endpoints();
    enqueueServicesOnChange(this.services, this.pods, (key) => this.enqueue(key));
    // Our own Endpoints changing (or a leftover of a deleted Service) brings the Service back for a check.
    const epChanged = (e: Endpoints) => {
      if (e.metadata.labels?.[LABEL_ENDPOINTS_MANAGED_BY] === ENDPOINTS_MANAGED_BY) this.enqueue(keyOf(e));
    };
    this.endpoints.addHandlers({ onAdd: epChanged, onUpdate: (_o, e) => epChanged(e), onDelete: epChanged });
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(key);
    const live = this.endpoints.get(key);
    const ours = live?.metadata.labels?.[LABEL_ENDPOINTS_MANAGED_BY] === ENDPOINTS_MANAGED_BY;
    if (!svc || svc.metadata.deletionTimestamp) {
      if (live && ours) {
        try {
          await this.client.delete(res.endpoints, namespace, name, { preconditions: { uid: live.metadata.uid } });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      return;
    }
    const want = desiredEndpoints(svc, this.pods.byIndex(byNamespace, namespace ?? ''));
    if (!want) return; // no selector: the Endpoints belong to the user
    if (!live) {
      await this.client.create(res.endpoints, namespace, want); // AlreadyExists (stale cache) retries
      return;
    }
    if (endpointsEqual(live, want)) return;
    const annotations = { ...(live.metadata.annotations ?? {}) };
    delete annotations[ANNOTATION_OVER_CAPACITY];
    Object.assign(annotations, want.metadata.annotations ?? {});
    const next: Endpoints = {
      ...live,
      subsets: want.subsets,
      metadata: { ...live.metadata, labels: want.metadata.labels, annotations },
    };
    await this.client.update(res.endpoints, namespace, next);
  }
}

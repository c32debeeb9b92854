/**
 * kube's root-ca-cert-publisher: ConfigMap kube-root-ca.crt in every active
 * namespace holds the cluster CA (key ca.crt), so a pod's projected
 * ServiceAccount volume can show it as ca.crt. Put back when deleted or
 * edited.
 */
import { findResource } from '../api/resources.js';
import type { KObject } from '../api/meta.js';
import { isAlreadyExists, isNotFound } from '../client/api-error.js';
import type { KubeClient } from '../client/client.js';
import { Informer } from '../client/informer.js';
import { QueueController, type Logger } from './controller.js';
import type { SharedInformers } from './shared-informers.js';

const configMaps = findResource('', 'v1', 'configmaps')!;
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** kube annotates the ConfigMap with what it is for. */
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

type ConfigMap = KObject & { data?: Record<string, string> };

export class RootCaPublisher extends QueueController {
  private readonly namespaces: Informer<KObject>;
  readonly published: Informer<ConfigMap>;

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
    private readonly caPem: string,
  ) {
    super('root-ca-cert-publisher', log);
    this.namespaces = informers.namespaces();
    this.published = new Informer<ConfigMap>(client, configMaps, {
      fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}`,
      onError: (e) => log(`watch configmaps: ${(e as Error).message}`),
    });
    this.namespaces.addHandlers({
      onAdd: (n) => this.enqueue(n.metadata.name!),
      onUpdate: (_o, n) => this.enqueue(n.metadata.name!),
    });
    this.published.addHandlers({
      onAdd: (cm) => this.enqueue(cm.metadata.namespace!),
      onUpdate: (_o, cm) => this.enqueue(cm.metadata.namespace!),
      onDelete: (cm) => this.enqueue(cm.metadata.namespace!),
    });
  }

  async startInformer(): Promise<void> {
    this.published.start();
    await this.published.waitForSync();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.published.stop();
  }

  protected async sync(namespace: string): Promise<void> {
    const ns: (KObject & { status?: { phase?: string } }) | undefined = this.namespaces.getByName(undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const live = this.published.getByName(namespace, ROOT_CA_CONFIGMAP);
    if (live && live.data?.['ca.crt'] === this.caPem) return;
    const desired: ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: ROOT_CA_CONFIGMAP,
        namespace,
        annotations: { 'kubernetes.io/description': DESCRIPTION },
      },
      data: { 'ca.crt': this.caPem },
    };
    try {
      if (live) await this.client.patch(configMaps, namespace, ROOT_CA_CONFIGMAP, 'merge', { data: desired.data });
      else await this.client.create(configMaps, namespace, desired);
    } catch (e) {
      // Made or removed meanwhile: the informer's event for it queues the namespace again.
      if (!isAlreadyExists(e) && !isNotFound(e)) throw e;
    }
  }
}

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
import type { Logger } from './controller.js';
import { PerNamespaceObjectController } from './per-namespace-object.js';
import type { SharedInformers } from './shared-informers.js';

const configMaps = findResource('', 'v1', 'configmaps')!;
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** kube annotates the ConfigMap with what it is for. */
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

type ConfigMap = KObject & { data?: Record<string, string> };

export class RootCaPublisher extends PerNamespaceObjectController<ConfigMap> {
  constructor(
    client: KubeClient,
    informers: SharedInformers,
    log: Logger,
    private readonly caPem: string,
  ) {
    super('root-ca-cert-publisher', client, informers, log, configMaps, ROOT_CA_CONFIGMAP);
  }

  protected async ensure(namespace: string, live: ConfigMap | undefined): Promise<void> {
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

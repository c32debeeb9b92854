/**
 * kube's serviceaccount-controller: every active namespace has a
 * ServiceAccount named "default" (pods run as it unless they name
 * another). Recreated when deleted; left alone while its namespace is
 * terminating.
 */
import { findResource } from '../api/resources.js';
import type { KObject } from '../api/meta.js';
import { isAlreadyExists } from '../client/api-error.js';
import type { KubeClient } from '../client/client.js';
import type { Logger } from './controller.js';
import { PerNamespaceObjectController } from './per-namespace-object.js';
import type { SharedInformers } from './shared-informers.js';

const serviceAccounts = findResource('', 'v1', 'serviceaccounts')!;
const DEFAULT_SERVICE_ACCOUNT = 'default';

export class ServiceAccountController extends PerNamespaceObjectController<KObject> {
  constructor(client: KubeClient, informers: SharedInformers, log: Logger) {
    super('serviceaccount-controller', client, informers, log, serviceAccounts, DEFAULT_SERVICE_ACCOUNT);
  }

  protected async ensure(namespace: string, live: KObject | undefined): Promise<void> {
    if (live) return;
    try {
      await this.client.create(serviceAccounts, namespace, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace },
      });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
}

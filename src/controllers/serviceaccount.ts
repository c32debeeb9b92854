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
import { Informer } from '../client/informer.js';
import { QueueController, type Logger } from './controller.js';
import type { SharedInformers } from './shared-informers.js';

const serviceAccounts = findResource('', 'v1', 'serviceaccounts')!;
export const DEFAULT_SERVICE_ACCOUNT = 'default';

export class ServiceAccountController extends QueueController {
  private readonly namespaces: Informer<KObject>;
  readonly accounts: Informer<KObject>;

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
  ) {
    super('serviceaccount-controller', log);
    this.namespaces = informers.namespaces();
    this.accounts = new Informer<KObject>(client, serviceAccounts, {
      fieldSelector: `metadata.name=${DEFAULT_SERVICE_ACCOUNT}`,
      onError: (e) => log(`watch serviceaccounts: ${(e as Error).message}`),
    });
    this.namespaces.addHandlers({
      onAdd: (n) => this.enqueue(n.metadata.name!),
      onUpdate: (_o, n) => this.enqueue(n.metadata.name!),
    });
    this.accounts.addHandlers({ onDelete: (sa) => this.enqueue(sa.metadata.namespace!) });
  }

  /** Its own informer (the field selector is this controller's alone): started and synced before the workers. */
  async startInformer(): Promise<void> {
    this.accounts.start();
    await this.accounts.waitForSync();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.accounts.stop();
  }

  protected async sync(namespace: string): Promise<void> {
    const ns: (KObject & { status?: { phase?: string } }) | undefined = this.namespaces.getByName(undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (this.accounts.getByName(namespace, DEFAULT_SERVICE_ACCOUNT)) return;
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

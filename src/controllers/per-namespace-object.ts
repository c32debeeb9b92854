/**
 * The shape of kube's per-namespace publishers (serviceaccount-controller,
 * root-ca-cert-publisher): one object of a given name in every active
 * namespace, put back when it is deleted or drifts; left alone while its
 * namespace terminates. Subclasses say what the object is and how to bring
 * it back.
 */
import type { KObject } from '../api/meta.js';
import type { ResourceInfo } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';
import { Informer } from '../client/informer.js';
import { QueueController, type Logger } from './controller.js';
import type { SharedInformers } from './shared-informers.js';

export abstract class PerNamespaceObjectController<T extends KObject> extends QueueController {
  private readonly namespaces: Informer<KObject>;
  /** Only the objects of this name (the field selector is this controller's alone). */
  private readonly objects: Informer<T>;

  constructor(
    controllerName: string,
    protected readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
    protected readonly resource: ResourceInfo,
    protected readonly objectName: string,
  ) {
    super(controllerName, log);
    this.namespaces = informers.namespaces();
    this.objects = new Informer<T>(client, resource, {
      fieldSelector: `metadata.name=${objectName}`,
      onError: (e) => log(`watch ${resource.resource}: ${(e as Error).message}`),
    });
    this.namespaces.addHandlers({
      onAdd: (n) => this.enqueue(n.metadata.name!),
      onUpdate: (_o, n) => this.enqueue(n.metadata.name!),
    });
    this.objects.addHandlers({
      onAdd: (o) => this.enqueue(o.metadata.namespace!),
      onUpdate: (_o, o) => this.enqueue(o.metadata.namespace!),
      onDelete: (o) => this.enqueue(o.metadata.namespace!),
    });
  }

  /** Started and synced before the workers. */
  async startInformer(): Promise<void> {
    this.objects.start();
    await this.objects.waitForSync();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.objects.stop();
  }

  /** Brings the namespace's object to what it should be; live is what the informer holds (undefined: none). */
  protected abstract ensure(namespace: string, live: T | undefined): Promise<void>;

  protected async sync(namespace: string): Promise<void> {
    const ns: (KObject & { status?: { phase?: string } }) | undefined = this.namespaces.getByName(undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    await this.ensure(namespace, this.objects.getByName(namespace, this.objectName));
  }
}

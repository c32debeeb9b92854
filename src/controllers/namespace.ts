/**
 * The namespace controller: keeps the system namespaces in existence and
 * empties a terminating namespace (every namespaced resource, through the
 * API), then clears the "kubernetes" finalizer via PUT .../finalize so the
 * API server removes the namespace.
 */
import { nowRFC3339, type KObject } from '../api/meta.js';
import { resources } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';
import { isAlreadyExists, isNotFound } from '../client/api-error.js';
import type { Informer } from '../client/informer.js';
import { QueueController, type Logger } from './controller.js';
import {
  groupResourceText,
  namespaceDeletionConditions,
  sameConditions,
  type DeletionProgress,
} from './namespace-status.js';
import { res, type SharedInformers } from './shared-informers.js';
import type { Condition } from './types.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const FINALIZER_KUBERNETES = 'kubernetes';
/** How often a namespace that still has content is looked at again. */
const RECHECK_MS = 2_000;

interface NamespaceObj extends KObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: Condition[] };
}

export class NamespaceController extends QueueController {
  private readonly namespaces: Informer<NamespaceObj>;

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
  ) {
    super('namespace-controller', log);
    this.namespaces = informers.namespaces();
    this.namespaces.addHandlers({
      onAdd: (n) => n.metadata.deletionTimestamp && this.enqueue(n.metadata.name!),
      onUpdate: (_o, n) => n.metadata.deletionTimestamp && this.enqueue(n.metadata.name!),
      onDelete: (n) => SYSTEM_NAMESPACES.includes(n.metadata.name!) && this.enqueue(n.metadata.name!),
    });
  }

  override run(workers = 1): void {
    super.run(workers);
    for (const n of SYSTEM_NAMESPACES) this.enqueue(n);
  }

  protected async sync(name: string): Promise<void> {
    const ns = this.namespaces.get(name);
    if (!ns) {
      if (SYSTEM_NAMESPACES.includes(name)) await this.ensureExists(name);
      return;
    }
    if (!ns.metadata.deletionTimestamp || !(ns.spec?.finalizers ?? []).includes(FINALIZER_KUBERNETES)) return;
    const progress = await this.deleteContent(name);
    const conditions = namespaceDeletionConditions(progress, ns.status?.conditions, nowRFC3339());
    if (!sameConditions(conditions, ns.status?.conditions)) {
      try {
        await this.client.updateStatus(res.namespaces, undefined, {
          ...ns,
          status: { ...ns.status, phase: 'Terminating', conditions },
        });
      } catch (e) {
        if (isNotFound(e)) return;
        // a stale copy only delays the conditions; the next pass writes them
        this.log(`${this.name}: could not write deletion conditions of namespace ${name}: ${(e as Error).message}`);
      }
    }
    if (progress.remaining.size || progress.failures.length) {
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    const fresh = await this.getOrUndefined(name);
    if (!fresh) return;
    const finalizers = (fresh.spec?.finalizers ?? []).filter((f) => f !== FINALIZER_KUBERNETES);
    try {
      await this.client.updateSubresource(res.namespaces, undefined, name, 'finalize', {
        ...fresh,
        spec: { ...fresh.spec, finalizers },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** One pass: delete what is not yet being deleted, count what is left. */
  private async deleteContent(namespace: string): Promise<DeletionProgress> {
    const progress: DeletionProgress = { remaining: new Map(), finalizers: new Map(), failures: [] };
    for (const ri of resources) {
      if (!ri.namespaced || !ri.verbs.includes('list') || !ri.verbs.includes('delete')) continue;
      const gr = groupResourceText(ri.group, ri.resource);
      try {
        const list = await this.client.listAll(ri, namespace);
        for (const obj of list.items) {
          for (const f of obj.metadata.finalizers ?? [])
            progress.finalizers.set(f, (progress.finalizers.get(f) ?? 0) + 1);
          if (obj.metadata.deletionTimestamp) continue;
          try {
            await this.client.delete(ri, namespace, obj.metadata.name!, {
              propagationPolicy: 'Background',
              preconditions: { uid: obj.metadata.uid },
            });
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        }
        const left = list.items.length ? (await this.client.list(ri, namespace)).items.length : 0;
        if (left) progress.remaining.set(gr, left);
      } catch (e) {
        progress.failures.push(`${gr}: ${(e as Error).message}`);
      }
    }
    return progress;
  }

  private async ensureExists(name: string): Promise<void> {
    try {
      await this.client.create(res.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      this.log(`${this.name}: created missing system namespace ${name}`);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }

  private async getOrUndefined(name: string): Promise<NamespaceObj | undefined> {
    try {
      return await this.client.get<NamespaceObj>(res.namespaces, undefined, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}

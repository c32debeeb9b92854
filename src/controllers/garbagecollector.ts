/**
 * The garbage collector: deletes objects whose owners (ownerReferences)
 * are gone, and carries out foreground and orphan deletion for owners that
 * are being deleted with those finalizers. It watches every resource the
 * server serves (events aside: they own nothing), keeps a graph of owners
 * and dependents by uid, and confirms an owner is gone with a live read
 * before deleting anything, since its cache may simply not show a new
 * owner yet. Decisions are garbagecollector-desired.ts's.
 */
import type { KObject, OwnerReference } from '../api/meta.js';
import { findKind, resources, type ResourceInfo } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';
import { isConflict, isNotFound } from '../client/api-error.js';
import type { Informer } from '../client/informer.js';
import { QueueController, type Logger } from './controller.js';
import { decideDependent, decideOwner, type GraphNode, type OwnerState } from './garbagecollector-desired.js';
import type { SharedInformers } from './shared-informers.js';

interface Entry extends GraphNode {
  ri: ResourceInfo;
  namespace?: string;
  name: string;
  resourceVersion?: string;
}

/** Resources the collector does not watch: Events own nothing and are never owned by what it collects. */
const UNWATCHED = new Set(['/events']);

/** Keep only what the graph needs of an object. */
function slim(o: KObject): KObject {
  const md = o.metadata;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: md.name,
      namespace: md.namespace,
      uid: md.uid,
      resourceVersion: md.resourceVersion,
      ...(md.ownerReferences ? { ownerReferences: md.ownerReferences } : {}),
      ...(md.deletionTimestamp ? { deletionTimestamp: md.deletionTimestamp } : {}),
      ...(md.finalizers ? { finalizers: md.finalizers } : {}),
    },
  };
}

export class GarbageCollector extends QueueController {
  private readonly nodes = new Map<string, Entry>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly informers: Informer<KObject>[] = [];

  constructor(
    private readonly client: KubeClient,
    shared: SharedInformers,
    log: Logger,
  ) {
    super('garbage-collector', log);
    // Resources other controllers already watch are read from their informers (the graph only reads metadata).
    const asObjects = (i: object) => i as unknown as Informer<KObject>;
    const sharedFor: Record<string, () => Informer<KObject>> = {
      '/pods': () => asObjects(shared.pods()),
      '/services': () => asObjects(shared.services()),
      '/endpoints': () => asObjects(shared.endpoints()),
      '/nodes': () => asObjects(shared.nodes()),
      '/namespaces': () => shared.namespaces(),
      'discovery.k8s.io/endpointslices': () => asObjects(shared.endpointSlices()),
      'apps/deployments': () => asObjects(shared.deployments()),
      'apps/replicasets': () => asObjects(shared.replicaSets()),
      'apps/daemonsets': () => asObjects(shared.daemonSets()),
      'apps/statefulsets': () => asObjects(shared.statefulSets()),
      'apps/controllerrevisions': () => asObjects(shared.controllerRevisions()),
    };
    for (const ri of resources) {
      const id = `${ri.group}/${ri.resource}`;
      if (UNWATCHED.has(id) || !ri.verbs.includes('watch')) continue;
      const informer = sharedFor[id]?.() ?? shared.generic(ri, { transform: slim });
      this.informers.push(informer);
      informer.addHandlers({
        onAdd: (o) => this.upsert(ri, o, undefined),
        onUpdate: (old, o) => this.upsert(ri, o, old),
        onDelete: (o) => this.remove(o),
      });
    }
  }

  private upsert(ri: ResourceInfo, o: KObject, old: KObject | undefined): void {
    const uid = o.metadata.uid;
    if (!uid) return;
    const prev = this.nodes.get(uid);
    const entry: Entry = {
      uid,
      ri,
      namespace: o.metadata.namespace,
      name: o.metadata.name!,
      resourceVersion: o.metadata.resourceVersion,
      owners: o.metadata.ownerReferences ?? [],
      deleting: !!o.metadata.deletionTimestamp,
      finalizers: o.metadata.finalizers ?? [],
    };
    this.nodes.set(uid, entry);
    const before = new Set((prev?.owners ?? []).map((r) => r.uid));
    const after = new Set(entry.owners.map((r) => r.uid));
    for (const u of before) if (!after.has(u)) this.unlink(u, uid);
    for (const u of after) {
      let set = this.dependents.get(u);
      if (!set) this.dependents.set(u, (set = new Set()));
      set.add(uid);
    }
    const ownersChanged =
      !old || JSON.stringify(old.metadata.ownerReferences) !== JSON.stringify(o.metadata.ownerReferences);
    const stateChanged =
      !old ||
      !!old.metadata.deletionTimestamp !== entry.deleting ||
      JSON.stringify(old.metadata.finalizers) !== JSON.stringify(o.metadata.finalizers);
    if (entry.owners.length && (ownersChanged || stateChanged)) this.enqueue(uid);
    if (entry.deleting && stateChanged) this.enqueue(uid);
    // An owner waiting for its dependents hears about every change of theirs.
    if (ownersChanged || stateChanged) for (const u of new Set([...before, ...after])) this.enqueueIfWaiting(u);
  }

  private remove(o: KObject): void {
    const uid = o.metadata.uid;
    if (!uid) return;
    const prev = this.nodes.get(uid);
    this.nodes.delete(uid);
    for (const r of prev?.owners ?? []) {
      this.unlink(r.uid, uid);
      this.enqueueIfWaiting(r.uid);
    }
    // Its dependents lost an owner.
    for (const d of this.dependents.get(uid) ?? []) this.enqueue(d);
  }

  private unlink(owner: string, dependent: string): void {
    const set = this.dependents.get(owner);
    set?.delete(dependent);
    if (set && set.size === 0 && !this.nodes.has(owner)) this.dependents.delete(owner);
  }

  private enqueueIfWaiting(uid: string): void {
    const n = this.nodes.get(uid);
    if (n?.deleting && n.finalizers.some((f) => f === 'orphan' || f === 'foregroundDeletion')) this.enqueue(uid);
  }

  private dependentsOf(uid: string): Entry[] {
    return [...(this.dependents.get(uid) ?? [])].map((d) => this.nodes.get(d)).filter((e): e is Entry => !!e);
  }

  protected async sync(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    if (node.deleting) return this.processOwner(node);
    if (node.owners.length === 0) return;
    const states = new Map<string, OwnerState>();
    for (const ref of node.owners) states.set(ref.uid, await this.ownerState(node, ref));
    const action = decideDependent(node, (ref) => states.get(ref.uid)!, this.dependentsOf(uid).length > 0);
    switch (action.kind) {
      case 'keep':
        return;
      case 'removeOwners': {
        const rest = node.owners.filter((r) => !action.uids.includes(r.uid));
        await this.patch(node, { metadata: { ownerReferences: rest.length ? rest : null, uid } });
        return;
      }
      case 'delete':
        await this.deleteObject(node, action.propagationPolicy);
        this.log(
          `${this.name}: deleted ${node.ri.resource} ${node.namespace ? `${node.namespace}/` : ''}${node.name} (${action.propagationPolicy}): its owners are gone or going`,
        );
    }
  }

  private async processOwner(node: Entry): Promise<void> {
    const action = decideOwner(node, this.dependentsOf(node.uid));
    switch (action.kind) {
      case 'none':
        return;
      case 'orphan':
        for (const d of action.dependents) {
          const dep = this.nodes.get(d.uid);
          if (!dep) continue;
          const rest = dep.owners.filter((r) => r.uid !== node.uid);
          await this.patch(dep, { metadata: { ownerReferences: rest.length ? rest : null, uid: dep.uid } });
        }
        return this.removeFinalizer(node, 'orphan');
      case 'deleteDependents':
        for (const d of action.dependents) this.enqueue(d.uid);
        return;
      case 'removeFinalizer':
        return this.removeFinalizer(node, action.finalizer);
    }
  }

  /** An owner's state: the graph when it has the uid, otherwise a live read (the cache may lag a new owner). */
  private async ownerState(node: Entry, ref: OwnerReference): Promise<OwnerState> {
    const known = this.nodes.get(ref.uid);
    if (known)
      return known.deleting && known.finalizers.includes('foregroundDeletion') ? 'deletingForeground' : 'present';
    const ri = findKind(ref.apiVersion, ref.kind);
    if (!ri) return 'unknown';
    try {
      const live = await this.client.get(ri, ri.namespaced ? node.namespace : undefined, ref.name);
      if (live.metadata.uid !== ref.uid) return 'absent';
      return live.metadata.deletionTimestamp && live.metadata.finalizers?.includes('foregroundDeletion')
        ? 'deletingForeground'
        : 'present';
    } catch (e) {
      if (isNotFound(e)) return 'absent';
      throw e;
    }
  }

  private async deleteObject(node: Entry, propagationPolicy: 'Background' | 'Foreground' | 'Orphan'): Promise<void> {
    try {
      await this.client.delete(node.ri, node.namespace, node.name, {
        propagationPolicy,
        preconditions: { uid: node.uid },
      });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  private async patch(node: Entry, body: object): Promise<void> {
    try {
      await this.client.patch(node.ri, node.namespace, node.name, 'merge', body);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Drops one finalizer, against the version we read (a conflict retries the sync). */
  private async removeFinalizer(node: Entry, finalizer: string): Promise<void> {
    const rest = node.finalizers.filter((f) => f !== finalizer);
    await this.patch(node, {
      metadata: { finalizers: rest.length ? rest : null, resourceVersion: node.resourceVersion, uid: node.uid },
    });
  }
}

/**
 * The RBAC authorizer over the store: keeps the four RBAC kinds in memory
 * from a list and a watch, and answers from an RbacIndex that is rebuilt
 * only after one of them changed (on the next question, so a burst of
 * changes costs one rebuild).
 */
import { resourcePrefix } from '../../api/meta.js';
import type { Store, Watch, WatchEvent } from '../../store/store.js';
import { RbacIndex } from './rbac-index.js';
import {
  RBAC_GROUP,
  type Attributes,
  type Authorizer,
  type AuthorizerResult,
  type BindingObject,
  type RoleObject,
} from './types.js';

const KINDS = ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'] as const;
type Kind = (typeof KINDS)[number];

export class RbacAuthorizer implements Authorizer {
  private readonly objects = new Map<Kind, Map<string, unknown>>(KINDS.map((k) => [k, new Map()]));
  private index: RbacIndex | undefined;
  private watches: Watch[] = [];
  private readonly listeners: (() => void)[] = [];

  private constructor(private readonly store: Store) {}

  /** Lists the RBAC objects and keeps watching them; the watch restarts from a fresh list if the store drops it. */
  static async start(store: Store): Promise<RbacAuthorizer> {
    const a = new RbacAuthorizer(store);
    await Promise.all(KINDS.map((k) => a.follow(k)));
    return a;
  }

  private async follow(kind: Kind): Promise<void> {
    const prefix = resourcePrefix(RBAC_GROUP, kind);
    const list = await this.store.list(prefix);
    const map = new Map<string, unknown>();
    for (const kv of list.items) map.set(kv.key, JSON.parse(kv.value));
    this.objects.set(kind, map);
    this.changed();
    const w = this.store.watch(prefix, list.revision, {
      onEvents: (events: WatchEvent[]) => {
        for (const e of events) {
          if (e.type === 'put') map.set(e.kv.key, JSON.parse(e.kv.value));
          else map.delete(e.kv.key);
        }
        this.changed();
      },
      onError: () => {
        this.watches = this.watches.filter((x) => x !== w);
        // Compacted or closed: start over from a list (the store being closed ends it there).
        // A failed restart means the store is closing: nothing is left to authorize.
        void this.follow(kind).catch(() => undefined);
      },
    });
    this.watches.push(w);
  }

  private changed(): void {
    this.index = undefined;
    for (const l of this.listeners) l();
  }

  /** Called after any RBAC object changed (the aggregation controller listens). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The current objects of one kind. */
  list<T>(kind: Kind): T[] {
    return [...this.objects.get(kind)!.values()] as T[];
  }

  current(): RbacIndex {
    this.index ??= new RbacIndex({
      clusterRoles: this.list<RoleObject>('clusterroles'),
      roles: this.list<RoleObject>('roles'),
      clusterRoleBindings: this.list<BindingObject>('clusterrolebindings'),
      roleBindings: this.list<BindingObject>('rolebindings'),
    });
    return this.index;
  }

  authorize(a: Attributes): AuthorizerResult {
    return this.current().authorize(a);
  }

  stop(): void {
    for (const w of this.watches) w.cancel();
    this.watches = [];
  }
}

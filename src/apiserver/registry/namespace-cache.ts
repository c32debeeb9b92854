/**
 * Which namespaces exist and which are terminating, followed by a watch on
 * the store, so a create in a namespace does not read the namespace first
 * (kube's NamespaceLifecycle admission reads its informer the same way).
 * Only an answer of "open" is trusted: a namespace the cache does not know
 * (created a moment ago, perhaps through another API server) or knows as
 * terminating is read from the store, as kube does a live lookup on a miss.
 */
import { resourcePrefix } from '../../api/meta.js';
import type { Store, Watch } from '../../store/store.js';

export class NamespaceCache {
  private open = new Set<string>();
  private watch: Watch | undefined;
  private stopped = false;

  async start(store: Store): Promise<void> {
    const prefix = resourcePrefix('', 'namespaces');
    const list = await store.list(prefix);
    const open = new Set<string>();
    for (const kv of list.items) if (isOpen(kv.value)) open.add(nameOf(kv.key, prefix));
    this.open = open;
    if (this.stopped) return;
    this.watch = store.watch(prefix, list.revision, {
      onEvents: (events) => {
        for (const e of events) {
          const name = nameOf(e.kv.key, prefix);
          if (e.type === 'put' && isOpen(e.kv.value)) this.open.add(name);
          else this.open.delete(name);
        }
      },
      onError: () => {
        // Compacted or closed: trust nothing until a fresh list, then follow again.
        this.watch = undefined;
        this.open = new Set();
        this.restart(store);
      },
    });
  }

  /** Lists and watches again, retrying each second while the store fails (every create reads its namespace meanwhile). */
  private restart(store: Store): void {
    if (this.stopped) return;
    this.start(store).catch(() => {
      setTimeout(() => this.restart(store), 1_000).unref();
    });
  }

  /** True when the namespace is known to exist and not be terminating; false means "ask the store". */
  knownOpen(name: string): boolean {
    return this.open.has(name);
  }

  /** Ask the store about this namespace until the watch reports it open again (it is being deleted). */
  forget(name: string): void {
    this.open.delete(name);
  }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
    this.open = new Set();
  }
}

const nameOf = (key: string, prefix: string) => key.slice(prefix.length);

/** A stored namespace with no deletionTimestamp (only one that may be terminating is parsed). */
function isOpen(value: string): boolean {
  if (!value.includes('"deletionTimestamp"')) return true;
  const ns = JSON.parse(value) as { metadata?: { deletionTimestamp?: string } };
  return !ns.metadata?.deletionTimestamp;
}

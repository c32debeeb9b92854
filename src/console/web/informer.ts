/**
 * List, then watch from the list's resourceVersion, in the browser; a
 * watch that ends is resumed from the last version seen, a watch the
 * server can no longer serve (410 Gone) or a failure starts again with a
 * list. The cache is replaced or edited in place and `changed` is called.
 */
import { Unauthorized, type Api, type WatchEvent } from './api.js';
import { keyOf, type KubeObject } from './objects.js';

interface List {
  metadata?: { resourceVersion?: string };
  items?: KubeObject[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Gone extends Error {}

export async function runInformer<T extends KubeObject>(
  api: Api,
  path: string,
  cache: Map<string, T>,
  changed: () => void,
  signal: AbortSignal,
  onError: (message: string | undefined) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const list = await api.get<List>(path, signal);
      cache.clear();
      for (const item of list.items ?? []) cache.set(keyOf(item), item as T);
      changed();
      onError(undefined);
      let rv = list.metadata?.resourceVersion ?? '';
      for (;;) {
        const sep = path.includes('?') ? '&' : '?';
        await api.watch(
          `${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(rv)}`,
          (line) => {
            const ev = JSON.parse(line) as WatchEvent;
            if (ev.type === 'ERROR') throw new Gone(ev.object.message ?? 'watch expired');
            rv = ev.object.metadata?.resourceVersion ?? rv;
            if (ev.type === 'BOOKMARK') return;
            if (ev.type === 'DELETED') cache.delete(keyOf(ev.object));
            else cache.set(keyOf(ev.object), ev.object as T);
            changed();
          },
          signal,
        );
        if (signal.aborted) return;
      }
    } catch (e) {
      if (signal.aborted || e instanceof Unauthorized) return;
      if (!(e instanceof Gone)) {
        onError(`${path}: ${(e as Error).message}`);
        await sleep(2000);
      }
    }
  }
}

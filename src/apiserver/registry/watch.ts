/**
 * Watch semantics as informers rely on them: start from a resourceVersion
 * (or synthesise ADDED events for what exists), translate store events into
 * ADDED/MODIFIED/DELETED as seen through the selectors, bookmarks, and 410
 * Expired for a compacted resourceVersion.
 */
import { errors, type ApiError } from '../../api/errors.js';
import { resourcePrefix, type KObject, type WatchEvent } from '../../api/meta.js';
import { groupVersion, type ResourceInfo } from '../../api/resources.js';
import { StoreError, type WatchEvent as StoreEvent } from '../../store/store.js';
import type { Registry } from './registry.js';
import type { ObjectPredicate } from './rules.js';

interface WatchParams {
  namespace?: string;
  /** Only this object (a watch on /pods/NAME or fieldSelector metadata.name). */
  name?: string;
  predicate?: ObjectPredicate;
  resourceVersion?: string | null;
  allowBookmarks: boolean;
  /** sendInitialEvents=true: ADDED for what exists, then a bookmark marking the end. */
  sendInitialEvents: boolean;
  bookmarkIntervalMs?: number;
}

interface WatchSink {
  send(ev: WatchEvent): void;
  /** The watch cannot go on (e.g. expired): send an ERROR event and close. */
  fail(err: ApiError): void;
}

interface ActiveWatch {
  stop(): void;
}

export async function startWatch(
  reg: Registry,
  ri: ResourceInfo,
  p: WatchParams,
  sink: WatchSink,
): Promise<ActiveWatch> {
  const prefix =
    ri.namespaced && p.namespace
      ? `${resourcePrefix(ri.group, ri.resource)}${p.namespace}/`
      : resourcePrefix(ri.group, ri.resource);
  const visible = (o: KObject | undefined): o is KObject =>
    !!o && (p.name === undefined || o.metadata.name === p.name) && (!p.predicate || p.predicate(o));
  let from: number;
  let lastRevision: number;
  const rv = p.resourceVersion;
  if (!rv || rv === '0' || p.sendInitialEvents) {
    // Start with the current state as ADDED events (kube: "get state and start at most recent").
    const list = await reg.list(ri, { namespace: p.namespace });
    from = Number(list.metadata.resourceVersion);
    for (const o of list.items) if (visible(o)) sink.send({ type: 'ADDED', object: o });
    if (p.sendInitialEvents && p.allowBookmarks) {
      sink.send(bookmark(ri, from, true));
    }
  } else {
    from = Number(rv);
    if (!Number.isInteger(from) || from < 0) throw errors.badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
    const compacted = await reg.store.compactedRevision();
    if (from < compacted) throw errors.expired(`too old resource version: ${from} (${compacted})`);
  }
  lastRevision = from;
  let stopped = false;
  const watch = reg.store.watch(prefix, from, {
    onEvents(events: StoreEvent[]) {
      if (stopped) return;
      for (const e of events) {
        lastRevision = e.kv.modRevision;
        const ev = translate(reg, e, visible);
        if (ev) sink.send(ev);
      }
    },
    // The store vouches that nothing changed under the prefix up to here: the next bookmark may say so.
    onProgress(revision: number) {
      if (revision > lastRevision) lastRevision = revision;
    },
    onError(err: Error) {
      if (stopped) return;
      if (err instanceof StoreError && err.code === 'Compacted') {
        sink.fail(errors.expired(`too old resource version: ${from} (${err.revision ?? ''})`));
      } else {
        sink.fail(errors.internal(err.message));
      }
    },
  });
  const timer = p.allowBookmarks
    ? setInterval(() => sink.send(bookmark(ri, lastRevision, false)), p.bookmarkIntervalMs ?? 30_000)
    : undefined;
  timer?.unref();
  return {
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      watch.cancel();
    },
  };
}

// Store events are shared by every watcher of a commit: decode each value once.
// Decoded objects are shared too, so nothing downstream may mutate them.
const decodedOf = new WeakMap<object, KObject>();
function decodeShared(reg: Registry, kv: StoreEvent['kv']): KObject {
  let o = decodedOf.get(kv);
  if (!o) decodedOf.set(kv, (o = reg.decode(kv)));
  return o;
}

function translate(
  reg: Registry,
  e: StoreEvent,
  visible: (o: KObject | undefined) => o is KObject,
): WatchEvent | undefined {
  if (e.type === 'delete') {
    // The deleted object carries the revision of its deletion, as kube reports it (the store's delete kv does).
    const gone = decodeShared(reg, e.kv);
    return visible(gone) ? { type: 'DELETED', object: gone } : undefined;
  }
  const prev = e.prevKv ? decodeShared(reg, e.prevKv) : undefined;
  const cur = decodeShared(reg, e.kv);
  const was = visible(prev),
    is = visible(cur);
  if (is && was) return { type: 'MODIFIED', object: cur };
  if (is) return { type: 'ADDED', object: cur };
  if (was) return { type: 'DELETED', object: cur };
  return undefined;
}

function bookmark(ri: ResourceInfo, revision: number, initialEventsEnd: boolean): WatchEvent {
  const metadata: KObject['metadata'] = { resourceVersion: String(revision) };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return { type: 'BOOKMARK', object: { apiVersion: groupVersion(ri), kind: ri.kind, metadata } };
}

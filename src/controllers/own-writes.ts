/**
 * The resourceVersions a controller wrote, so it can tell whether its cache
 * shows them yet: planning from a cache that lags its own writes would
 * redo them (create a ReplicaSet twice, scale from an old size).
 */

/** How long a write may stay unseen before the cache is trusted anyway. */
const LAPSE_MS = 10_000;

const newer = (a: string, b: string): boolean => {
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return a !== b;
  return BigInt(a) > BigInt(b);
};

export class OwnWrites {
  private readonly written = new Map<string, { rv: string; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** This object (cache key) was written and now has this resourceVersion. */
  record(key: string, rv: string | undefined): void {
    if (rv) this.written.set(key, { rv, at: this.now() });
  }

  /** Deleted by us: the cache may show it until the delete arrives; nothing to wait for. */
  forget(key: string): void {
    this.written.delete(key);
  }

  /**
   * True when the cache's version of the object (undefined: not cached)
   * is at least what we wrote, or the write lapsed.
   */
  seen(key: string, cachedRv: string | undefined): boolean {
    const w = this.written.get(key);
    if (!w) return true;
    if ((cachedRv !== undefined && !newer(w.rv, cachedRv)) || this.now() - w.at > LAPSE_MS) {
      this.written.delete(key);
      return true;
    }
    return false;
  }
}

/**
 * kube's ControllerExpectations: the creations and deletions a controller
 * issued for one owner and has not seen in its cache yet. Until they are
 * seen (or lapse) the owner's pods are not counted again, so a sync on a
 * cache that lags its own writes never creates or deletes twice.
 */

/** How long an expectation waits for its event before the cache is trusted anyway. */
const LAPSE_MS = 30_000;

interface Pending {
  adds: number;
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly now: () => number = Date.now) {}

  /** `adds` creations and the deletion of these object keys are about to be issued for `owner`. */
  expect(owner: string, adds: number, deletes: readonly string[] = []): void {
    const p = this.pending.get(owner) ?? { adds: 0, deletes: new Set<string>(), at: 0 };
    p.adds += adds;
    for (const d of deletes) p.deletes.add(d);
    p.at = this.now();
    this.pending.set(owner, p);
  }

  /** A creation was seen in the cache, or was not issued after all (failed). */
  created(owner: string): void {
    const p = this.pending.get(owner);
    if (p && p.adds > 0) p.adds--;
  }

  /** The object with this key was seen deleting or deleted (or its deletion failed). */
  deleted(owner: string, key: string): void {
    this.pending.get(owner)?.deletes.delete(key);
  }

  /** Nothing in flight (or what is has lapsed): the cache may be counted. */
  satisfied(owner: string): boolean {
    const p = this.pending.get(owner);
    if (!p) return true;
    if ((p.adds <= 0 && p.deletes.size === 0) || this.now() - p.at > LAPSE_MS) {
      this.pending.delete(owner);
      return true;
    }
    return false;
  }

  forget(owner: string): void {
    this.pending.delete(owner);
  }
}

/**
 * etcd has no call that returns the compacted revision, but a read at a
 * revision fails exactly when it is below it. So the compacted revision is
 * the oldest readable revision, found by bisection between the last one
 * seen (it only grows) and the current one: one read when nothing changed.
 */
import type { KVClient } from 'etcd3';
import { StoreError } from '../store.js';
import { storeErrorOf } from './errors.js';

export class CompactionProbe {
  /** A revision known to be at or below the compacted revision. */
  private known = 0;

  constructor(
    private readonly kv: KVClient,
    /** Any key: the reads count it at a revision and return nothing. */
    private readonly probeKey: Buffer,
  ) {}

  /** The oldest revision still readable, or 0 when nothing has been compacted. */
  async compactedRevision(): Promise<number> {
    let lo = Math.max(1, this.known);
    if ((await this.readableAt(lo)) === 'readable') return this.remember(lo === 1 ? 0 : lo);
    // Invariant: lo is compacted, hi is readable.
    let hi = await this.currentRevision();
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await this.readableAt(mid)) === 'readable') hi = mid;
      else lo = mid;
    }
    return this.remember(hi);
  }

  /** Record a compacted revision learnt elsewhere (a compact call, a cancelled watch). */
  learnt(revision: number): void {
    this.known = Math.max(this.known, revision);
  }

  private remember(revision: number): number {
    this.learnt(revision);
    return revision;
  }

  private async currentRevision(): Promise<number> {
    const res = await this.kv.range({ key: this.probeKey, count_only: true });
    return Number(res.header.revision);
  }

  private async readableAt(revision: number): Promise<'readable' | 'compacted'> {
    try {
      await this.kv.range({ key: this.probeKey, count_only: true, revision });
      return 'readable';
    } catch (err) {
      const e = storeErrorOf(err, revision);
      if (e instanceof StoreError && e.code === 'Compacted') return 'compacted';
      throw e;
    }
  }
}

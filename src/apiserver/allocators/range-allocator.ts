/**
 * Hands out integers from a range (ClusterIPs as 32-bit numbers, NodePorts)
 * with no duplicates, even under concurrent creates in several processes:
 * each allocation is a key in the Store created with create-if-absent, so
 * the store decides who wins. An in-memory set mirrors the keys so picking
 * a free value never scans the store; it is only a hint (another API server
 * on the same etcd allocates and releases too), refreshed from the store on
 * every repair pass and before answering "full".
 *
 * As in kube-apiserver, the lower part of the range (the static band) is
 * kept for values users ask for; dynamic allocations come from above it and
 * fall back to the static band only when the rest is full.
 */
import { StoreError, type Store } from '../../store/store.js';
import { parseIpv4Cidr } from '../../api/ipv4.js';

interface RangeAllocatorOptions {
  store: Store;
  /** Store key prefix, with trailing slash, e.g. /registry/ranges/serviceips/ */
  prefix: string;
  first: number;
  size: number;
  /** Values never handed out dynamically (the cluster DNS address). */
  reserved?: number[];
  format(v: number): string;
  parse(s: string): number | undefined;
}

type AllocateFailure = 'allocated' | 'out-of-range' | 'full';

export class AllocationError extends Error {
  constructor(
    readonly why: AllocateFailure,
    readonly value?: number,
  ) {
    super(why);
  }
}

export class RangeAllocator {
  private readonly used = new Set<number>();
  private readonly staticBand: number;
  /** Keys that looked leaked on the previous repair pass. */
  private suspects = new Set<number>();

  constructor(private readonly o: RangeAllocatorOptions) {
    this.staticBand = Math.min(Math.max(16, Math.floor(o.size / 16)), 256);
  }

  /** Load the allocations in the store (they replace what this process remembered). */
  async init(): Promise<void> {
    const res = await this.o.store.list(this.o.prefix);
    this.used.clear();
    for (const kv of res.items) {
      const v = this.o.parse(kv.key.slice(this.o.prefix.length));
      if (v !== undefined) this.used.add(v);
    }
  }

  inRange(v: number): boolean {
    return v >= this.o.first && v < this.o.first + this.o.size;
  }

  /** Claim a specific value; dryRun only checks. */
  async allocate(v: number, owner: string, dryRun: boolean): Promise<void> {
    if (!this.inRange(v)) throw new AllocationError('out-of-range', v);
    if (dryRun) {
      if (this.used.has(v) || (await this.o.store.get(this.key(v)))) throw new AllocationError('allocated', v);
      return;
    }
    try {
      await this.o.store.create(this.key(v), JSON.stringify({ owner }));
      this.used.add(v);
    } catch (e) {
      if (e instanceof StoreError && e.code === 'KeyExists') {
        this.used.add(v);
        throw new AllocationError('allocated', v);
      }
      throw e;
    }
  }

  /** Claim any free value: the dynamic band first, then the static band. */
  async allocateNext(owner: string, dryRun: boolean): Promise<number> {
    const v = await this.tryAllocateNext(owner, dryRun);
    if (v !== undefined) return v;
    // Values another API server released are still marked used here: look again.
    await this.init();
    const again = await this.tryAllocateNext(owner, dryRun);
    if (again !== undefined) return again;
    throw new AllocationError('full');
  }

  private async tryAllocateNext(owner: string, dryRun: boolean): Promise<number | undefined> {
    const { first, size } = this.o;
    const reserved = new Set(this.o.reserved ?? []);
    const bands: [number, number][] =
      size > this.staticBand * 2
        ? [
            [first + this.staticBand, size - this.staticBand],
            [first, this.staticBand],
          ]
        : [[first, size]];
    for (const [start, len] of bands) {
      // Start at a random offset so concurrent allocators rarely race for one value.
      const offset = Math.floor(Math.random() * len);
      for (let i = 0; i < len; i++) {
        const v = start + ((offset + i) % len);
        if (this.used.has(v) || reserved.has(v)) continue;
        try {
          await this.allocate(v, owner, dryRun);
          return v;
        } catch (e) {
          if (e instanceof AllocationError && e.why === 'allocated') continue;
          throw e;
        }
      }
    }
    return undefined;
  }

  async release(v: number): Promise<void> {
    this.used.delete(v);
    try {
      await this.o.store.delete(this.key(v));
    } catch (e) {
      if (!(e instanceof StoreError && e.code === 'NotFound')) throw e;
    }
  }

  /**
   * Make the allocations match the values in use: record missing ones, and
   * free a key only when it was unused on two passes in a row (a create may
   * have allocated and not yet stored its object).
   */
  async repair(inUse: Iterable<number>): Promise<void> {
    const want = new Set([...inUse].filter((v) => this.inRange(v)));
    const res = await this.o.store.list(this.o.prefix);
    const have = new Set<number>();
    const nextSuspects = new Set<number>();
    for (const kv of res.items) {
      const v = this.o.parse(kv.key.slice(this.o.prefix.length));
      if (v === undefined) continue;
      have.add(v);
      if (!want.has(v)) {
        if (this.suspects.has(v)) await this.release(v);
        else nextSuspects.add(v);
      }
    }
    this.suspects = nextSuspects;
    // What the store holds is the truth; this process's set may lag behind other API servers.
    for (const v of this.used) if (!have.has(v) && !want.has(v)) this.used.delete(v);
    for (const v of have) this.used.add(v);
    for (const v of want) {
      if (!have.has(v)) {
        try {
          await this.allocate(v, 'repair', false);
        } catch (e) {
          if (!(e instanceof AllocationError)) throw e;
        }
      }
    }
  }

  private key(v: number): string {
    return this.o.prefix + this.o.format(v);
  }
}

/** Base address and size of a service CIDR; throws on a malformed one or one too small to use. */
export function parseCidr(cidr: string): { base: number; size: number } {
  const { base, prefix, size } = parseIpv4Cidr(cidr);
  if (prefix < 8 || prefix > 30) {
    throw new Error(
      `invalid IPv4 CIDR ${JSON.stringify(cidr)}: expected e.g. 10.96.0.0/12 with a prefix length of 8 to 30`,
    );
  }
  return { base, size };
}

/**
 * The cluster zone as lookup tables: lowercase owner name -> record sets by
 * type, plus a count of how many records sit at or below each name so empty
 * non-terminals (svc.<zone>, <ns>.svc.<zone>) answer NODATA, not NXDOMAIN.
 * Updated per source (one Service) so a change costs only that Service's
 * records. The reverse zones live in the same tables.
 */
import type { ResourceRecord } from '../wire/types.js';
import { inZone } from './names.js';
import { RRsets } from './rrsets.js';

/** A name's record sets (node.rrsets is the node itself; see rrsets.ts). */
type ZoneNode = RRsets;

export class ZoneTable {
  private readonly nodes = new Map<string, ZoneNode>();
  /** Name -> number of records at or below it (within its zone). */
  private readonly below = new Map<string, number>();
  private readonly bySource = new Map<string, ResourceRecord[]>();
  /** Bumped on every change; answer caches compare it. */
  generation = 0;

  /** @param apexes the zones whose empty non-terminals exist (cluster domain, in-addr.arpa, ip6.arpa). */
  constructor(private readonly apexes: string[]) {}

  get(name: string): ZoneNode | undefined {
    return this.nodes.get(name);
  }

  /** True when the name holds records or has records below it (an empty non-terminal). */
  exists(name: string): boolean {
    return (this.below.get(name) ?? 0) > 0;
  }

  /** Replaces everything `source` contributed with `records` (names lowercase). Returns whether anything changed. */
  replace(source: string, records: ResourceRecord[]): boolean {
    const old = this.bySource.get(source);
    if (old && sameRecords(old, records)) return false;
    if (old) for (const rr of old) this.remove(rr);
    for (const rr of records) this.add(rr);
    if (records.length) this.bySource.set(source, records.slice());
    else this.bySource.delete(source); // slice: exact size
    this.generation++;
    return true;
  }

  get sourceCount(): number {
    return this.bySource.size;
  }

  private add(rr: ResourceRecord): void {
    let node = this.nodes.get(rr.name);
    if (!node) this.nodes.set(rr.name, (node = new RRsets()));
    const set = node.get(rr.type);
    node.set(rr.type, set ? [...set, rr] : [rr]); // exactly sized arrays (see rrsets.ts)
    this.count(rr.name, 1);
  }

  private remove(rr: ResourceRecord): void {
    const node = this.nodes.get(rr.name);
    const set = node?.rrsets.get(rr.type);
    if (!node || !set) return;
    const i = set.indexOf(rr);
    if (i < 0) return;
    if (set.length === 1) node.delete(rr.type);
    else
      node.set(
        rr.type,
        set.filter((x) => x !== rr),
      );
    if (!node.rrsets.size) this.nodes.delete(rr.name);
    this.count(rr.name, -1);
  }

  /** Adds `delta` to the name and each ancestor down to its apex. */
  private count(name: string, delta: number): void {
    const apex = this.apexes.find((z) => inZone(name, z));
    let n = name;
    for (;;) {
      const v = (this.below.get(n) ?? 0) + delta;
      if (v > 0) this.below.set(n, v);
      else this.below.delete(n);
      if (!apex || n === apex) return;
      const dot = n.indexOf('.');
      if (dot < 0) return;
      n = n.slice(dot + 1);
    }
  }
}

/** Record lists equal in order and content (the builders are deterministic, so order is stable). */
function sameRecords(a: ResourceRecord[], b: ResourceRecord[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!,
      y = b[i]!;
    if (x.name !== y.name || x.type !== y.type || x.ttl !== y.ttl || JSON.stringify(x.data) !== JSON.stringify(y.data))
      return false;
  }
  return true;
}

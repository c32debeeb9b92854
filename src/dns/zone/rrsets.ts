/**
 * The record sets at one owner name, by type. Nearly every name holds one
 * type (a Service's A, an SRV, a PTR), so that one lives in two fields and
 * only further types go to a Map: at 100k Services a Map (or a pair of
 * growable arrays) per name cost more than all the records. Offers the Map
 * methods the resolver uses (get, values, size).
 */
import type { ResourceRecord } from '../wire/types.js';

export class RRsets {
  private type0 = 0;
  private set0: ResourceRecord[] | undefined;
  private rest: Map<number, ResourceRecord[]> | undefined;

  /** The node itself: callers written against { rrsets } keep working without a wrapper object per name. */
  get rrsets(): RRsets {
    return this;
  }

  get size(): number {
    return (this.set0 ? 1 : 0) + (this.rest?.size ?? 0);
  }

  get(type: number): ResourceRecord[] | undefined {
    if (this.set0 && this.type0 === type) return this.set0;
    return this.rest?.get(type);
  }

  /** Sets the records of one type (the array is kept as is). */
  set(type: number, records: ResourceRecord[]): void {
    if (!this.set0 || this.type0 === type) {
      this.type0 = type;
      this.set0 = records;
      return;
    }
    (this.rest ??= new Map()).set(type, records);
  }

  delete(type: number): void {
    if (this.set0 && this.type0 === type) {
      this.set0 = undefined;
      // Promote another type into the inline slot.
      const next = this.rest?.entries().next();
      if (next && !next.done) {
        [this.type0, this.set0] = next.value;
        this.rest!.delete(this.type0);
      }
    } else this.rest?.delete(type);
    if (this.rest && !this.rest.size) this.rest = undefined;
  }

  /** Every set (a new array; for ANY questions, which are rare). */
  values(): ResourceRecord[][] {
    const out = this.set0 ? [this.set0] : [];
    if (this.rest) out.push(...this.rest.values());
    return out;
  }
}

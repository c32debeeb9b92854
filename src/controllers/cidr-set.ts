/**
 * Carves a cluster CIDR (IPv4) into equal node subnets and tracks which are
 * taken. Pure and in memory: the node list is the persistent record, the
 * set is rebuilt from it at every start.
 */

import { ipv4ToNumber as ipv4ToInt, numberToIpv4 as intToIpv4, parseIpv4Cidr } from '../api/ipv4.js';

export { ipv4ToInt, intToIpv4 };

/** Parses "a.b.c.d/len" (the address is masked to the network). Throws on anything else. */
export function parseCidr(cidr: string): { base: number; prefix: number } {
  const { base, prefix } = parseIpv4Cidr(cidr);
  return { base, prefix };
}

export class CidrSet {
  readonly base: number;
  readonly clusterPrefix: number;
  /** Number of node subnets. */
  readonly size: number;
  private readonly used: Uint8Array;
  private next = 0;
  private count = 0;

  /** @param nodeMaskSize prefix length of each node subnet (default 24); must be >= the cluster prefix. */
  constructor(
    readonly clusterCidr: string,
    readonly nodeMaskSize = 24,
  ) {
    const { base, prefix } = parseCidr(clusterCidr);
    if (nodeMaskSize < prefix || nodeMaskSize > 32)
      throw new Error(`node CIDR mask size /${nodeMaskSize} does not fit in the cluster CIDR ${clusterCidr}`);
    if (nodeMaskSize - prefix > 20)
      throw new Error(
        `cluster CIDR ${clusterCidr} holds more than 2^20 /${nodeMaskSize} subnets; use a larger node mask size`,
      );
    this.base = base;
    this.clusterPrefix = prefix;
    this.size = 2 ** (nodeMaskSize - prefix);
    this.used = new Uint8Array(this.size);
  }

  /** Index of a node subnet in this set, or undefined when it is not one of ours. */
  indexOf(cidr: string): number | undefined {
    let p: { base: number; prefix: number };
    try {
      p = parseCidr(cidr);
    } catch {
      return undefined;
    }
    // Only exact subnet addresses count: 10.244.0.128/24 is not a node subnet.
    if (p.prefix !== this.nodeMaskSize || ipv4ToInt(cidr.split('/')[0]!) !== p.base) return undefined;
    const i = (p.base - this.base) / 2 ** (32 - this.nodeMaskSize);
    return Number.isInteger(i) && i >= 0 && i < this.size ? i : undefined;
  }

  cidrAt(i: number): string {
    return `${intToIpv4(this.base + i * 2 ** (32 - this.nodeMaskSize))}/${this.nodeMaskSize}`;
  }

  /** Marks a subnet taken; false when it is not in this set. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    if (!this.used[i]) this.count++;
    this.used[i] = 1;
    return true;
  }

  /** Takes this subnet if it is one of ours and free; false otherwise. */
  allocate(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined || this.used[i]) return false;
    this.used[i] = 1;
    this.count++;
    return true;
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i === undefined || !this.used[i]) return;
    this.used[i] = 0;
    this.count--;
  }

  isUsed(cidr: string): boolean {
    const i = this.indexOf(cidr);
    return i !== undefined && this.used[i] === 1;
  }

  /** The next free subnet after the last one handed out (round robin), taken; undefined when full. */
  allocateNext(): string | undefined {
    if (this.count >= this.size) return undefined;
    for (let k = 0; k < this.size; k++) {
      const i = (this.next + k) % this.size;
      if (!this.used[i]) {
        this.used[i] = 1;
        this.count++;
        this.next = (i + 1) % this.size;
        return this.cidrAt(i);
      }
    }
    return undefined;
  }

  get allocated(): number {
    return this.count;
  }
}

/**
 * Carves a cluster CIDR (IPv4) into equal node subnets and tracks which are
 * taken. Pure and in memory: the node list is the persistent record, the
 * set is rebuilt from it at every start.
 */

export function ipv4ToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

export const intToIpv4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** Parses "a.b.c.d/len" (the address is masked to the network). Throws on anything else. */
export function parseCidr(cidr: string): { base: number; prefix: number } {
  const [ip, len] = cidr.split('/');
  const base = ipv4ToInt(ip ?? '');
  const prefix = Number(len);
  if (base === undefined || !/^\d+$/.test(len ?? '') || prefix > 32) throw new Error(`invalid CIDR "${cidr}": expected an IPv4 CIDR such as 10.244.0.0/16`);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (base & mask) >>> 0, prefix };
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
  constructor(readonly clusterCidr: string, readonly nodeMaskSize = 24) {
    const { base, prefix } = parseCidr(clusterCidr);
    if (nodeMaskSize < prefix || nodeMaskSize > 32) throw new Error(`node CIDR mask size /${nodeMaskSize} does not fit in the cluster CIDR ${clusterCidr}`);
    if (nodeMaskSize - prefix > 20) throw new Error(`cluster CIDR ${clusterCidr} holds more than 2^20 /${nodeMaskSize} subnets; use a larger node mask size`);
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

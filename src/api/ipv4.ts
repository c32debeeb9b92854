/** IPv4 addresses as 32-bit numbers and CIDRs, shared by the allocators. */

export function ipv4ToNumber(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

export const numberToIpv4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** Parses "a.b.c.d/len"; the address is masked to the network. Throws on anything else. */
export function parseIpv4Cidr(cidr: string): { base: number; prefix: number; size: number } {
  const [ip, len] = cidr.split('/');
  const addr = ipv4ToNumber(ip ?? '');
  const prefix = Number(len);
  if (addr === undefined || !/^\d+$/.test(len ?? '') || prefix > 32) {
    throw new Error(`invalid CIDR "${cidr}": expected an IPv4 CIDR such as 10.244.0.0/16`);
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (addr & mask) >>> 0, prefix, size: 2 ** (32 - prefix) };
}

/** Pure IPv4/MAC helpers for the overlay: validation, subnets, the VTEP address and MAC. */
import { ipv4ToNumber, numberToIpv4, parseIpv4Cidr } from '../api/ipv4.js';

export const isIpv4 = (s: string): boolean => ipv4ToNumber(s) !== undefined;

/** A unicast MAC written the way iproute2 prints it (lower case, colons). */
export const isUnicastMac = (s: string): boolean =>
  /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(s) && (parseInt(s.slice(0, 2), 16) & 1) === 0;

/** Parses a CIDR, or undefined when it is not an IPv4 CIDR. */
export function tryParseCidr(cidr: string): { base: number; prefix: number; size: number } | undefined {
  try {
    return parseIpv4Cidr(cidr);
  } catch {
    return undefined;
  }
}

/** "10.244.1.7/24" -> "10.244.1.0/24": the form `ip route` prints. */
export function canonicalCidr(cidr: string): string {
  const c = parseIpv4Cidr(cidr);
  return `${numberToIpv4(c.base)}/${c.prefix}`;
}

/**
 * The network address of a subnet: "10.244.1.0/24" -> "10.244.1.0". It is
 * the node's VTEP address (flannel's shape): every node's VXLAN device has
 * it as a /32, and the other nodes route the subnet via it.
 */
export function networkAddress(cidr: string): string {
  return numberToIpv4(parseIpv4Cidr(cidr).base);
}

/** The address this node's podnet.1 gets for its podCIDR: the network address as /32 (flannel's shape, 10.244.1.0/32). */
export const vtepAddressFor = (podCidr: string): string => `${networkAddress(podCidr)}/32`;

/** True when `inner` (a CIDR or an address) lies entirely inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseIpv4Cidr(outer);
  const i = parseIpv4Cidr(inner.includes('/') ? inner : `${inner}/32`);
  return i.prefix >= o.prefix && i.base >= o.base && i.base + i.size <= o.base + o.size;
}

/** True when two subnets share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseIpv4Cidr(a);
  const y = parseIpv4Cidr(b);
  return x.base < y.base + y.size && y.base < x.base + x.size;
}

/**
 * A stable MAC for the VXLAN device, derived from the node's public IP:
 * 0e:70 (locally administered, unicast) + the four address bytes. The kernel
 * would pick a random one on every re-creation, which leaves every other
 * node with a stale neighbour until it hears about the new MAC; a derived
 * one survives re-creation, and two nodes never share a public IP.
 */
export function vtepMacFor(publicIp: string): string {
  const n = ipv4ToNumber(publicIp);
  if (n === undefined) throw new Error(`cannot derive a VTEP MAC from "${publicIp}": expected an IPv4 address`);
  return [
    '0e',
    '70',
    ...[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0')),
  ].join(':');
}

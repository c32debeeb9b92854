/** The overlay's own address helpers: the VTEP address and MAC (generic IPv4 helpers are in api/ipv4.ts). */
import { ipv4ToNumber, numberToIpv4, parseIpv4Cidr } from '../api/ipv4.js';

/** A unicast MAC written the way iproute2 prints it (lower case, colons). */
export const isUnicastMac = (s: string): boolean =>
  /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(s) && (parseInt(s.slice(0, 2), 16) & 1) === 0;

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

/**
 * Picking the node subnet: a private /24 that overlaps nothing the host
 * already routes or owns, so the cluster never shadows a real network.
 */
import { cidrsOverlap, numberToIpv4, parseIpv4Cidr } from '../api/ipv4.js';

const CANDIDATE_PREFIX = '10.250';

/**
 * The first 10.250.X.0/24 (X tried from `seed` upwards, wrapping) that
 * overlaps none of `used`. The seed spreads clusters with different names
 * over different subnets even when they start at the same moment.
 */
export function pickNodeSubnet(used: readonly string[], seed: number): string {
  const usable = used.filter((c) => {
    try {
      parseIpv4Cidr(c);
      return true;
    } catch {
      return false;
    }
  });
  for (let k = 0; k < 256; k++) {
    const x = (seed + k) % 256;
    const candidate = `${CANDIDATE_PREFIX}.${x}.0/24`;
    if (!usable.some((u) => cidrsOverlap(u, candidate))) return candidate;
  }
  throw new Error(
    `every ${CANDIDATE_PREFIX}.X.0/24 overlaps a route or address on this host; remove unused routes in ${CANDIDATE_PREFIX}.0.0/16 and run again`,
  );
}

/** The host's address on the bridge: .1 of the node subnet. */
export const hostIpOf = (subnet: string): string => numberToIpv4(parseIpv4Cidr(subnet).base + 1);

/** Node i (from 1) gets .(10+i). */
export const nodeIpOf = (subnet: string, index: number): string =>
  numberToIpv4(parseIpv4Cidr(subnet).base + 10 + index);

/** Control-plane namespace i (from 1, at most 9) gets .(1+i), below the nodes. */
export const controlPlaneIpOf = (subnet: string, index: number): string =>
  numberToIpv4(parseIpv4Cidr(subnet).base + 1 + index);

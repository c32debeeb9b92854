/**
 * `ip -j route`, `ip -j neigh` and `bridge -j fdb` output -> the entries the
 * overlay owns. Pure, so what counts as "ours" is table-tested:
 *   routes: proto 80 (the caller asks only for those) and dst inside the cluster CIDR;
 *   neighbours: PERMANENT ones on the VXLAN device;
 *   FDB: permanent entries with an IPv4 destination on the VXLAN device.
 * The VXLAN device is ours entirely, so anything permanent on it is too.
 */
import { canonicalCidr, cidrContains, isIpv4, tryParseCidr } from '../api/ipv4.js';
import type { FdbEntry, NeighEntry, RouteEntry } from './types.js';

/** One element of `ip -j route show` (the fields we use). */
export interface IpRouteJson {
  type?: string;
  dst?: string;
  gateway?: string;
  dev?: string;
  flags?: string[];
  metric?: number;
}

export interface IpNeighJson {
  dst?: string;
  lladdr?: string;
  state?: string[];
}

export interface BridgeFdbJson {
  mac?: string;
  dst?: string;
  state?: string;
  flags?: string[];
}

/** Routes from `ip -j route show table main proto 80` that lie in the cluster CIDR. */
export function parseOwnedRoutes(json: readonly IpRouteJson[], clusterCidr: string): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const r of json) {
    if (r.type && r.type !== 'unicast') continue; // we only ever make unicast routes
    if (!r.dst || r.dst === 'default' || !r.dev) continue;
    const dst = r.dst.includes('/') ? r.dst : `${r.dst}/32`;
    if (!tryParseCidr(dst) || !cidrContains(clusterCidr, dst)) continue;
    out.push({
      dst: canonicalCidr(dst),
      via: r.gateway ?? '',
      dev: r.dev,
      onlink: r.flags?.includes('onlink') ?? false,
      ...(r.metric ? { metric: r.metric } : {}),
    });
  }
  return out;
}

/** Permanent neighbours from `ip -j neigh show dev <dev>`. */
export function parseOwnedNeighs(json: readonly IpNeighJson[], dev: string): NeighEntry[] {
  return json
    .filter((n) => n.dst && isIpv4(n.dst) && n.lladdr && n.state?.includes('PERMANENT'))
    .map((n) => ({ ip: n.dst!, mac: n.lladdr!.toLowerCase(), dev }));
}

/** Permanent remotes from `bridge -j fdb show dev <dev>`. */
export function parseOwnedFdb(json: readonly BridgeFdbJson[], dev: string): FdbEntry[] {
  return json
    .filter((f) => f.mac && f.dst && isIpv4(f.dst) && f.state === 'permanent')
    .map((f) => ({ mac: f.mac!.toLowerCase(), dst: f.dst!, dev }));
}

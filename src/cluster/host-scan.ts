/** Read-only looks at the host's network: netns names, links, routes, addresses. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { ipJson } from '../host/exec.js';

export function listNetns(): string[] {
  return existsSync('/run/netns') ? readdirSync('/run/netns') : [];
}

/** Inode of a named netns (what /proc/<pid>/ns/net shows as net:[N]); undefined if not mounted. */
export function netnsInode(name: string): string | undefined {
  try {
    const st = statSync(`/run/netns/${name}`);
    // An unmounted leftover file is a plain file on tmpfs, not an nsfs inode: ignore it.
    return st.dev === statSync('/run/netns').dev ? undefined : String(st.ino);
  } catch {
    return undefined;
  }
}

interface LinkInfo {
  ifname: string;
  ifalias?: string;
  master?: string;
  operstate?: string;
}

export const listLinks = (netns?: string): Promise<LinkInfo[]> =>
  ipJson<LinkInfo>(netns ? ['-n', netns, 'link', 'show'] : ['link', 'show']);

interface RouteInfo {
  dst: string;
  dev?: string;
  table?: string;
}
interface AddrInfo {
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

/** Every IPv4 prefix the host routes (any table, default routes excluded) or owns. */
export async function hostIpv4Prefixes(): Promise<string[]> {
  const routes = await ipJson<RouteInfo>(['-4', 'route', 'show', 'table', 'all']);
  const addrs = await ipJson<AddrInfo>(['-4', 'addr', 'show']);
  const fromRoutes = routes
    .map((r) => r.dst)
    .filter((d) => d && d !== 'default')
    .map((d) => (d.includes('/') ? d : `${d}/32`));
  const fromAddrs = addrs
    .flatMap((a) => a.addr_info ?? [])
    .filter((i) => i.family === 'inet')
    .map((i) => `${i.local}/${i.prefixlen}`);
  return [...fromRoutes, ...fromAddrs];
}

/** Host routes that point into the subnet or out through the bridge (both must be gone after down). */
export async function routesOf(subnet: string, bridge: string): Promise<string[]> {
  const routes = await ipJson<RouteInfo>(['-4', 'route', 'show', 'table', 'all']);
  return routes
    .filter((r) => r.dst === subnet || r.dev === bridge)
    .map((r) => `${r.dst} dev ${r.dev ?? '?'}${r.table ? ` table ${r.table}` : ''}`);
}

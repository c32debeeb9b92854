/**
 * Stale UDP conntrack entries (kube-proxy's most-reported failure): UDP
 * has no connection to close, so a flow NATed to an endpoint that went
 * away, or cached while the Service had no endpoints, keeps black-holing
 * packets until it is deleted. staleUdpFlows is pure; deleteFlows runs
 * `conntrack -D` for each (only ever for specific UDP flows, never a
 * wholesale flush, so TCP connections are never touched).
 */
import { run } from '../host/exec.js';
import type { ProxyState, ServicePortState } from './types.js';
import { warn } from '../log/log.js';

const eps = (p: ServicePortState): Set<string> =>
  new Set([...p.clusterEndpoints, ...p.externalEndpoints].map((e) => e.ip));

/** `conntrack -D` argument lists for flows that must go after moving from prev to next. */
export function staleUdpFlows(prev: ProxyState, next: ProxyState): string[][] {
  const before = new Map(prev.ports.map((p) => [p.id, p]));
  const out: string[][] = [];
  const seen = new Set<string>();
  const push = (args: string[]) => {
    const k = args.join(' ');
    if (!seen.has(k)) {
      seen.add(k);
      out.push(args);
    }
  };
  for (const p of next.ports) {
    if (p.protocol !== 'udp') continue;
    const old = before.get(p.id);
    const ips = [p.clusterIP, ...p.externalIPs];
    const nowEps = eps(p);
    const oldEps = old ? eps(old) : new Set<string>();
    if (nowEps.size && !oldEps.size) {
      // Flows created while there were no endpoints must not keep the packets away from the new ones.
      for (const ip of ips) push(['-D', '-p', 'udp', '--orig-dst', ip, '--orig-port-dst', String(p.port)]);
      if (p.nodePort) push(['-D', '-p', 'udp', '--orig-port-dst', String(p.nodePort)]);
    }
    for (const gone of [...oldEps].filter((ip) => !nowEps.has(ip))) {
      for (const ip of ips)
        push(['-D', '-p', 'udp', '--orig-dst', ip, '--orig-port-dst', String(p.port), '--dst-nat', gone]);
      if (p.nodePort) push(['-D', '-p', 'udp', '--orig-port-dst', String(p.nodePort), '--dst-nat', gone]);
    }
  }
  // Services that disappeared: their flows' endpoints are gone with them.
  const nextIds = new Set(next.ports.map((p) => p.id));
  for (const old of prev.ports) {
    if (old.protocol !== 'udp' || nextIds.has(old.id)) continue;
    for (const gone of eps(old))
      push(['-D', '-p', 'udp', '--orig-dst', old.clusterIP, '--orig-port-dst', String(old.port), '--dst-nat', gone]);
  }
  return out;
}

/** Runs the deletions; "0 flow entries" (exit 1) is not an error. Returns how many commands failed otherwise. */
export async function deleteFlows(flows: string[][], log: (m: string) => void): Promise<number> {
  let failed = 0;
  for (const args of flows) {
    const r = await run(['conntrack', ...args]);
    if (r.code !== 0 && !/0 flow entries/.test(r.stderr)) {
      failed += 1;
      warn(log, `proxy: conntrack ${args.join(' ')} failed: ${r.stderr.trim()}`);
    }
  }
  return failed;
}

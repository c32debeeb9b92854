/**
 * Connection rate through a ClusterIP vs straight to a pod IP: wrk with a
 * new connection per request against the same nginx, alternating the two
 * paths so drift from neighbours on the machine hits both alike. The direct
 * path uses nginx's second port (see DIRECT_PORT). Measured from both
 * places a Service is reached from: a pod on the node, whose packets the
 * node forwards and DNATs in prerouting, and the node itself, whose
 * packets are DNATed in output and routed again.
 */
import { DIRECT_PORT, SERVICE_PORT } from './objects.js';
import { REAL_ENDPOINTS } from './netns.js';
import { runWrk, type WrkResult } from './wrk.js';

/** Where the client runs: 'pod' is the bench's client pod namespace, 'node' the node namespace the driver runs in. */
export type ConnRateClient = 'pod' | 'node';

export interface ConnRateRun { services: number; from: ConnRateClient; direct: WrkResult[]; clusterIp: WrkResult[]; ratio: number }

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };

export async function measureConnRate(services: number, clusterIp: string, from: ConnRateClient, clientNs: string, runs: number, seconds: number, connections: number, log: (m: string) => void): Promise<ConnRateRun> {
  const netns = from === 'pod' ? clientNs : undefined;
  const direct: WrkResult[] = [];
  const viaService: WrkResult[] = [];
  for (let r = 0; r < runs; r++) {
    direct.push(await runWrk(`http://${REAL_ENDPOINTS[0]}:${DIRECT_PORT}/`, seconds, connections, netns));
    viaService.push(await runWrk(`http://${clusterIp}:${SERVICE_PORT}/`, seconds, connections, netns));
    log(`  conn rate at ${services}, from the ${from}: run ${r + 1}/${runs}: direct ${direct.at(-1)!.requestsPerSec.toFixed(0)}/s, ClusterIP ${viaService.at(-1)!.requestsPerSec.toFixed(0)}/s`);
  }
  // Each ClusterIP run against the direct run just before it, then the median: the machine's speed drifts by
  // more than the difference measured (±15 % between runs minutes apart), and a pair shares its minute.
  const ratio = median(viaService.map((w, i) => w.requestsPerSec / direct[i]!.requestsPerSec));
  return { services, from, direct, clusterIp: viaService, ratio };
}

export { median };

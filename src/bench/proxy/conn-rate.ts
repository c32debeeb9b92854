/**
 * Connection rate through a ClusterIP vs straight to a pod IP: wrk with a
 * new connection per request against the same nginx, in rounds of one run
 * per path, so drift from neighbours on the machine hits all alike; each
 * round starts with the next path (direct, ClusterIP, floor; then
 * ClusterIP, floor, direct; ...), so no path always follows the same
 * one. The direct path uses nginx's second port (see DIRECT_PORT). A
 * third path, the floor, goes through one hand-written DNAT rule
 * (netns.ts) instead of the proxy's rules: what DNAT itself costs,
 * whoever writes the rules.
 * Measured from both places a Service is reached from: a pod on the node,
 * whose packets the node forwards and DNATs in prerouting, and the node
 * itself, whose packets are DNATed in output and routed again.
 */
import { median, medianInterval } from '../apiserver/stats.js';
import { DIRECT_PORT, SERVICE_PORT } from './objects.js';
import { FLOOR_IP, REAL_ENDPOINTS } from './netns.js';
import { runWrk, type WrkResult } from './wrk.js';

/** Where the client runs: 'pod' is the bench's client pod namespace, 'node' the node namespace the driver runs in. */
export type ConnRateClient = 'pod' | 'node';

export interface ConnRateRun {
  services: number;
  from: ConnRateClient;
  direct: WrkResult[];
  clusterIp: WrkResult[];
  floor: WrkResult[];
  /** Median over rounds of ClusterIP ÷ the round's direct run. */
  ratio: number;
  /** 95 % confidence interval of that median (order statistics; NaN under 6 rounds). */
  ratioInterval: [number, number];
  /** The same for the floor path: DNAT's own cost on this machine. */
  floorRatio: number;
  floorRatioInterval: [number, number];
}

/** The per-round ratios a[i] / b[i]: a round's runs share its seconds of the machine's drifting speed. */
const roundRatios = (a: WrkResult[], b: WrkResult[]): number[] =>
  a.map((w, i) => w.requestsPerSec / b[i]!.requestsPerSec);

export async function measureConnRate(
  services: number,
  clusterIp: string,
  from: ConnRateClient,
  clientNs: string,
  runs: number,
  seconds: number,
  connections: number,
  log: (m: string) => void,
): Promise<ConnRateRun> {
  const netns = from === 'pod' ? clientNs : undefined;
  const direct: WrkResult[] = [];
  const viaService: WrkResult[] = [];
  const floor: WrkResult[] = [];
  const paths = [
    [direct, `http://${REAL_ENDPOINTS[0]}:${DIRECT_PORT}/`],
    [viaService, `http://${clusterIp}:${SERVICE_PORT}/`],
    [floor, `http://${FLOOR_IP}:${SERVICE_PORT}/`],
  ] as const;
  // A second of each path first, not counted: the first run after a pause was often the round's slowest.
  for (const [, url] of paths) await runWrk(url, 1, connections, netns);
  for (let r = 0; r < runs; r++) {
    for (let p = 0; p < paths.length; p++) {
      const [results, url] = paths[(r + p) % paths.length]!;
      results.push(await runWrk(url, seconds, connections, netns));
    }
    const rate = (w: WrkResult[]) => w.at(-1)!.requestsPerSec.toFixed(0);
    log(
      `  conn rate at ${services}, from the ${from}: run ${r + 1}/${runs}: direct ${rate(direct)}/s, ClusterIP ${rate(viaService)}/s, one DNAT rule ${rate(floor)}/s`,
    );
  }
  const ratios = roundRatios(viaService, direct);
  const floorRatios = roundRatios(floor, direct);
  return {
    services,
    from,
    direct,
    clusterIp: viaService,
    floor,
    ratio: median(ratios),
    ratioInterval: medianInterval(ratios),
    floorRatio: median(floorRatios),
    floorRatioInterval: medianInterval(floorRatios),
  };
}

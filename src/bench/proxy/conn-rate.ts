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
import { roundRatios, rotatingRounds } from '../common/rounds.js';
import { runWrk, type WrkResult } from '../common/wrk.js';
import { DIRECT_PORT, SERVICE_PORT } from './objects.js';
import { CLIENT_CPU, FLOOR_IP, REAL_ENDPOINTS } from './netns.js';

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
  const urls = [
    `http://${REAL_ENDPOINTS[0]}:${DIRECT_PORT}/`,
    `http://${clusterIp}:${SERVICE_PORT}/`,
    `http://${FLOOR_IP}:${SERVICE_PORT}/`,
  ];
  const wrk = (url: string, s: number) => runWrk({ url, seconds: s, connections, close: true, netns, cpu: CLIENT_CPU });
  const [direct, viaService, floor] = (await rotatingRounds(urls, runs, (url) => wrk(url, seconds), {
    warmUp: (url) => wrk(url, 1),
    onRound: (r, [d, c, f]) => {
      const rate = (w: WrkResult[] | undefined) => w?.at(-1)?.requestsPerSec.toFixed(0);
      log(
        `  conn rate at ${services}, from the ${from}: run ${r}/${runs}: direct ${rate(d)}/s, ClusterIP ${rate(c)}/s, one DNAT rule ${rate(f)}/s`,
      );
    },
  })) as [WrkResult[], WrkResult[], WrkResult[]];
  const rates = (w: WrkResult[]) => w.map((x) => x.requestsPerSec);
  const ratios = roundRatios(rates(viaService), rates(direct));
  const floorRatios = roundRatios(rates(floor), rates(direct));
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

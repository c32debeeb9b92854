/**
 * The pod benchmark (issue 3): on real `podnet up` clusters, pod start
 * latency (create -> Ready with IP), 110 pods on one node, and pod-to-pod
 * throughput (iperf3) and request rate (wrk -> nginx) same-node and
 * cross-node over vxlan and host-gw, against a bare veth pair. Prints a
 * table, writes bench/pods/results.json and bench/pods/chart.svg.
 * Run it with bench/pods/run (see bench/README.md). Needs root.
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../../cluster/layout.js';
import { backendMtu } from '../../overlay/index.js';
import { logFile } from '../../cluster/paths.js';
import { clusterDown, clusterUp, createNamespace, downAll, sh, type Cluster } from './cluster.js';
import { backgroundCores } from '../common/host-busy.js';
import {
  measurePaths,
  startPodEndpoints,
  startVethPair,
  type NetTarget,
  type PathResult,
  type VethPair,
} from './netperf.js';
import { HelpRequested, parseOptions, USAGE, type PodBenchOptions } from './options.js';
import { measureDensity, measureStartLatency, type DensityResult, type StartLatencyResult } from './pod-phases.js';
import { BARE_VXLAN_PATH, chartSvg, formatTable, goals, summarizeNet } from './report.js';

const DEFAULT_OUT = fileURLToPath(new URL('../../../bench/pods/results.json', import.meta.url));
const DEFAULT_CHART = fileURLToPath(new URL('../../../bench/pods/chart.svg', import.meta.url));
const NS = 'podbench';

interface ClusterInfo {
  name: string;
  backend: string;
  upSeconds: number;
  backgroundCores: number;
  agentLogProblems: string[];
}

export async function main(args: string[]): Promise<number> {
  let o: PodBenchOptions;
  try {
    o = parseOptions(args, DEFAULT_OUT, DEFAULT_CHART);
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    process.stderr.write(`bench/pods: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench/pods: run it as root (it runs podnet up/down and creates network namespaces)\n');
    return 2;
  }
  for (const bin of ['iperf3', 'wrk', 'nginx', 'nsenter']) {
    if ((await sh(['sh', '-c', `command -v ${bin}`])).code !== 0) {
      process.stderr.write(`bench/pods: ${bin} is missing (apt-get install -y iperf3 wrk nginx util-linux)\n`);
      return 2;
    }
  }
  const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
  const vethPairs: VethPair[] = [];
  const cleanup = async () => {
    for (const v of vethPairs.splice(0)) await v.stop().catch((e: Error) => log(`veth cleanup: ${e.message}`));
    await downAll(log);
  };
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: tearing down what the benchmark started`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const startedAt = new Date().toISOString();
  const start: StartLatencyResult[] = [];
  let density: DensityResult | undefined;
  const paths: PathResult[] = [];
  const clusters: ClusterInfo[] = [];
  const problems: string[] = [];
  try {
    const backends: Backend[] = ['vxlan', ...(o.hostGw ? ['host-gw' as const] : [])];
    for (const backend of backends) {
      const t0 = performance.now();
      const c = await clusterUp(backend, o.nodes, log);
      const info: ClusterInfo = {
        name: c.name,
        backend,
        upSeconds: (performance.now() - t0) / 1000,
        backgroundCores: NaN,
        agentLogProblems: [],
      };
      clusters.push(info);
      try {
        await createNamespace(c, NS);
        info.backgroundCores = await backgroundCores();
        log(`background load before measuring: ${info.backgroundCores.toFixed(2)} cores busy`);
        // Pod phases run on the first (vxlan) cluster only: the backend does not enter into pod start.
        if (backend === 'vxlan') {
          if (!o.skip.has('start')) {
            start.push(
              await measureStartLatency(
                c,
                NS,
                { pods: o.pods, rate: o.rate, timeoutMs: o.timeoutS * 1000, mode: 'paced' },
                log,
              ),
            );
            if (o.burst)
              start.push(
                await measureStartLatency(
                  c,
                  NS,
                  { pods: o.pods, rate: 0, timeoutMs: o.timeoutS * 1000, mode: 'burst' },
                  log,
                ),
              );
          }
          if (!o.skip.has('density'))
            density = await measureDensity(c, NS, { perNode: o.perNode, timeoutMs: o.timeoutS * 1000 }, log);
        }
        if (!o.skip.has('net')) paths.push(...(await measureNetwork(c, o, vethPairs, log)));
        info.agentLogProblems = agentLogProblems(c);
        if (info.agentLogProblems.length)
          log(
            `agent logs of ${c.name} mention ${info.agentLogProblems.length} error line(s), e.g. ${info.agentLogProblems[0]}`,
          );
      } finally {
        const err = await clusterDown(c.name, log);
        if (err) problems.push(err);
      }
    }
  } catch (e) {
    if (!interrupted)
      process.stderr.write(`bench/pods failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    await cleanup();
    return 1;
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const net = paths.length ? summarizeNet(paths) : undefined;
  const gs = goals(start, density, net);
  process.stdout.write(`\n${formatTable(start, density, net, gs)}\n`);
  const busy = Math.max(...clusters.map((c) => c.backgroundCores).filter(Number.isFinite), 0);
  const scaled = o.pods < 100 || o.perNode < 110 || o.reps < 3;
  let note = scaled ? 'note: a scaled-down run; the goals are stated for 100 pods, 110 per node.\n' : '';
  if (busy > 0.2)
    note += `note: other processes kept ${busy.toFixed(2)} of ${cpus().length} cores busy before a measurement; figures are disturbed.\n`;
  process.stdout.write(`${note}\n`);
  const subtitle = `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${o.nodes} nodes, iperf3 ${o.seconds} s x ${o.reps}, wrk -c${o.connections} ${o.seconds} s x ${o.reps}`;
  const results = {
    startedAt,
    finishedAt: new Date().toISOString(),
    host: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memGiB: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      node: process.version,
    },
    options: { ...o, skip: [...o.skip] },
    clusters,
    start,
    density,
    net,
    goals: gs,
    problems,
  };
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(o.chart, chartSvg(net, start, density, subtitle));
  log(`results written to ${o.out}, chart to ${o.chart}`);
  return 0;
}

async function measureNetwork(
  c: Cluster,
  o: PodBenchOptions,
  vethPairs: VethPair[],
  log: (s: string) => void,
): Promise<PathResult[]> {
  const veth = await startVethPair(log);
  vethPairs.push(veth);
  const eps = await startPodEndpoints(c, NS, log);
  const [n1, n2] = [c.nodes[0]!, c.nodes[1]!];
  const b = c.backend;
  const targets: NetTarget[] = [
    { path: `veth (${b} run)`, clientNetns: veth.nsA, iperfIp: veth.ipB, httpIp: veth.ipB, mtu: 1500 },
    ...(b === 'vxlan'
      ? [
          {
            path: BARE_VXLAN_PATH,
            clientNetns: veth.nsA,
            iperfIp: veth.vxlanIpB,
            httpIp: veth.vxlanIpB,
            mtu: backendMtu('vxlan'),
          },
        ]
      : []),
    {
      path: `${b} same-node`,
      backend: b,
      clientNetns: eps.client.netns,
      iperfIp: eps.iperfIp[n1]!,
      httpIp: eps.nginxIp[n1]!,
      mtu: eps.mtu,
    },
    {
      path: `${b} cross-node`,
      backend: b,
      clientNetns: eps.client.netns,
      iperfIp: eps.iperfIp[n2]!,
      httpIp: eps.nginxIp[n2]!,
      mtu: eps.mtu,
    },
  ];
  log(
    `network paths on ${b}: ${o.reps} x (iperf3 ${o.seconds} s, wrk ${o.seconds} s -c${o.connections}) each, interleaved`,
  );
  const r = await measurePaths(targets, o, log);
  await eps.stop().catch((e: Error) => log(`deleting the network pods: ${e.message}`));
  vethPairs.splice(vethPairs.indexOf(veth), 1);
  await veth.stop();
  return r;
}

/** Lines of the node agents' logs that report failures (evidence when something broke). */
function agentLogProblems(c: Cluster): string[] {
  const out: string[] = [];
  for (const n of c.nodes) {
    let text: string;
    try {
      text = readFileSync(logFile(c.stateDir, n), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) if (/fail|error|cannot|timed out/i.test(line)) out.push(line.slice(0, 400));
  }
  return out.slice(0, 20);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}

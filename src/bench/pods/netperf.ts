/**
 * Throughput and request rate between two network namespaces: iperf3 (TCP,
 * one stream) and wrk against nginx, both Debian's. Paths measured:
 *   veth      two fresh namespaces joined by a bare veth pair (the baseline,
 *             built and removed here; names podnet-bench<id>-a/b, podnetb<id>a/b)
 *   same-node client pod -> server pod on one node (veth, cni0 bridge, veth)
 *   cross-node client pod -> server pod on another node (vxlan or host-gw)
 * Servers in the pod paths are real pods (iperf3 -s through a container
 * `command`, the nginx image); the clients run in the client pod's network
 * namespace via nsenter, which is what `kubectl exec` would do.
 */
import { backendMtu, VXLAN_DEVICE, VXLAN_PORT, VXLAN_VNI } from '../../overlay/index.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadImageTable } from '../../images/index.js';
import { podNetnsName } from '../../node/runtime/names.js';
import { median } from '../apiserver/stats.js';
import { runWrk } from '../common/wrk.js';
import { sh, shOk, type Cluster } from './cluster.js';
import { agnhostPod, PodTracker, type PodObj } from './pod-tracker.js';

interface IperfRun {
  gbps: number;
  retransmits: number;
  senderCpuPct: number;
  receiverCpuPct: number;
}
interface WrkRun {
  rps: number;
  latencyAvgMs: number;
  latencyP99Ms: number;
  errors: number;
}

export interface PathResult {
  /** e.g. "veth", "vxlan same-node", "vxlan cross-node". */
  path: string;
  backend?: string;
  mtu?: number;
  iperf: IperfRun[];
  wrk: WrkRun[];
  /** Medians of the runs. */
  gbps: number;
  rps: number;
  wrkP99Ms: number;
}

export interface NetTarget {
  path: string;
  backend?: string;
  clientNetns: string;
  iperfIp: string;
  httpIp: string;
  mtu?: number;
}

interface NetOptions {
  seconds: number;
  reps: number;
  connections: number;
}

export async function iperf(netns: string, ip: string, seconds: number): Promise<IperfRun> {
  const out = await shOk(
    ['nsenter', `--net=/run/netns/${netns}`, '--', 'iperf3', '-c', ip, '-t', String(seconds), '-P', '1', '-J'],
    { timeoutMs: (seconds + 30) * 1000 },
  );
  const j = JSON.parse(out) as {
    error?: string;
    end: {
      sum_received: { bits_per_second: number };
      sum_sent: { retransmits?: number };
      cpu_utilization_percent?: { host_total: number; remote_total: number };
    };
  };
  if (j.error) throw new Error(`iperf3 to ${ip} from ${netns}: ${j.error}`);
  return {
    gbps: j.end.sum_received.bits_per_second / 1e9,
    retransmits: j.end.sum_sent.retransmits ?? 0,
    senderCpuPct: j.end.cpu_utilization_percent?.host_total ?? NaN,
    receiverCpuPct: j.end.cpu_utilization_percent?.remote_total ?? NaN,
  };
}

/** One wrk run from a client namespace (`--latency`, keep-alive), in the shape the results keep. */
export async function wrk(netns: string, ip: string, seconds: number, connections: number): Promise<WrkRun> {
  const w = await runWrk({ url: `http://${ip}:80/`, seconds, connections, latency: true, netns });
  return {
    rps: w.requestsPerSec,
    latencyAvgMs: w.latencyAvgMs,
    latencyP99Ms: w.latencyP99Ms,
    errors: w.non2xx + w.socketErrors,
  };
}

/** Runs every target reps times, interleaved (rep 1 of each, then rep 2 ...), so slow drift hits all alike. */
export async function measurePaths(
  targets: NetTarget[],
  o: NetOptions,
  log: (s: string) => void,
): Promise<PathResult[]> {
  const res = targets.map((t) => ({ t, iperf: [] as IperfRun[], wrk: [] as WrkRun[] }));
  for (let rep = 1; rep <= o.reps; rep++) {
    for (const r of res) {
      const run = await iperf(r.t.clientNetns, r.t.iperfIp, o.seconds);
      r.iperf.push(run);
      log(
        `  [${rep}/${o.reps}] iperf3 ${r.t.path}: ${run.gbps.toFixed(2)} Gbit/s (retransmits ${run.retransmits}, CPU sender ${run.senderCpuPct.toFixed(0)}% receiver ${run.receiverCpuPct.toFixed(0)}%)`,
      );
    }
    for (const r of res) {
      const run = await wrk(r.t.clientNetns, r.t.httpIp, o.seconds, o.connections);
      r.wrk.push(run);
      log(
        `  [${rep}/${o.reps}] wrk ${r.t.path}: ${run.rps.toFixed(0)} req/s (avg ${run.latencyAvgMs.toFixed(2)} ms, p99 ${run.latencyP99Ms.toFixed(2)} ms, errors ${run.errors})`,
      );
    }
  }
  return res.map((r) => ({
    path: r.t.path,
    ...(r.t.backend ? { backend: r.t.backend } : {}),
    ...(r.t.mtu ? { mtu: r.t.mtu } : {}),
    iperf: r.iperf,
    wrk: r.wrk,
    gbps: median(r.iperf.map((x) => x.gbps)),
    rps: median(r.wrk.map((x) => x.rps)),
    wrkP99Ms: median(r.wrk.map((x) => x.latencyP99Ms)),
  }));
}

// --- the bare veth pair ---------------------------------------------------------

/**
 * `ipB` is B's address on the veth; `vxlanIpB` its address on a bare kernel
 * VXLAN device over the same veth (VNI 1, port 8472, MTU 1450, static FDB and
 * neighbour, as podnet.1 is set up): the ceiling any vxlan overlay on this
 * kernel can reach, with no bridge, routing or netfilter around it.
 */
export interface VethPair {
  id: string;
  nsA: string;
  nsB: string;
  ipB: string;
  vxlanIpB: string;
  stop(): Promise<void>;
}

async function waitListening(netns: string, ports: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = (await sh(['ip', 'netns', 'exec', netns, 'ss', '-Hltn'])).stdout;
    if (ports.every((p) => new RegExp(`:${p}\\s`).test(out))) return;
    if (Date.now() > deadline)
      throw new Error(`servers in ${netns} not listening on ${ports.join(', ')} within ${timeoutMs} ms: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Two namespaces joined by a veth pair, iperf3 -s and nginx (the nginx image's own config) in B. */
export async function startVethPair(log: (s: string) => void): Promise<VethPair> {
  let id: string;
  for (;;) {
    id = String(Math.floor(10000 + Math.random() * 90000));
    if (!existsSync(`/run/netns/podnet-bench${id}-a`) && !existsSync(`/run/netns/podnet-bench${id}-b`)) break;
  }
  const nsA = `podnet-bench${id}-a`;
  const nsB = `podnet-bench${id}-b`;
  const [ifA, ifB] = [`podnetb${id}a`, `podnetb${id}b`];
  const dir = `/tmp/podnet-bench-veth-${id}`;
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const ch of children) {
      if (ch.exitCode === null && ch.signalCode === null) {
        const gone = new Promise((r) => ch.once('exit', r));
        ch.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        if (ch.exitCode === null && ch.signalCode === null) ch.kill('SIGKILL');
      }
    }
    for (const ns of [nsA, nsB]) if (existsSync(`/run/netns/${ns}`)) await sh(['ip', 'netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    log(`veth baseline: netns ${nsA} <-> ${nsB} (veth ${ifA}/${ifB}, MTU 1500; bare vxlan podnet.1 on it, MTU 1450)`);
    await shOk(['ip', 'netns', 'add', nsA]);
    await shOk(['ip', 'netns', 'add', nsB]);
    await shOk(['ip', 'link', 'add', ifA, 'netns', nsA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
    for (const [ns, ifn, ip] of [
      [nsA, ifA, '10.199.0.1/24'],
      [nsB, ifB, '10.199.0.2/24'],
    ] as const) {
      await shOk(['ip', '-n', ns, 'addr', 'add', ip, 'dev', ifn]);
      await shOk(['ip', '-n', ns, 'link', 'set', ifn, 'up']);
      await shOk(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const vx = [
      [nsA, '10.199.0.1', '10.199.1.1', '02:00:0a:c7:00:01'],
      [nsB, '10.199.0.2', '10.199.1.2', '02:00:0a:c7:00:02'],
    ] as const;
    for (const [ns, local, addr, mac] of vx) {
      await shOk([
        'ip',
        '-n',
        ns,
        'link',
        'add',
        VXLAN_DEVICE,
        'type',
        'vxlan',
        'id',
        String(VXLAN_VNI),
        'dstport',
        String(VXLAN_PORT),
        'local',
        local,
        'dev',
        ns === nsA ? ifA : ifB,
        'nolearning',
      ]);
      await shOk([
        'ip',
        '-n',
        ns,
        'link',
        'set',
        VXLAN_DEVICE,
        'address',
        mac,
        'mtu',
        String(backendMtu('vxlan')),
        'up',
      ]);
      await shOk(['ip', '-n', ns, 'addr', 'add', `${addr}/24`, 'dev', VXLAN_DEVICE]);
    }
    for (const [[ns], [, peerLocal, peerAddr, peerMac]] of [
      [vx[0], vx[1]],
      [vx[1], vx[0]],
    ] as const) {
      await shOk([
        'ip',
        '-n',
        ns,
        'neigh',
        'add',
        peerAddr,
        'lladdr',
        peerMac,
        'dev',
        VXLAN_DEVICE,
        'nud',
        'permanent',
      ]);
      await shOk(['bridge', '-n', ns, 'fdb', 'append', peerMac, 'dev', VXLAN_DEVICE, 'dst', peerLocal]);
    }
    mkdirSync(dir, { recursive: true });
    const logFd = openSync(join(dir, 'servers.log'), 'a');
    try {
      children.push(
        spawn('nsenter', [`--net=/run/netns/${nsB}`, '--', 'iperf3', '-s'], { stdio: ['ignore', logFd, logFd] }),
      );
      // The nginx pods' exact program and config, from the image table.
      const res = loadImageTable({ userTablePath: join(dir, 'no-images.yaml') }).resolve({
        image: 'nginx',
        dataDir: join(dir, 'nginx'),
        hostname: 'bench',
      });
      if (!res.ok) throw new Error(`nginx image: ${res.message}`);
      for (const f of res.image.files) {
        mkdirSync(dirname(f.path), { recursive: true });
        writeFileSync(f.path, f.content, { mode: f.mode ?? 0o644 });
      }
      children.push(
        spawn('nsenter', [`--net=/run/netns/${nsB}`, '--', ...res.image.argv], {
          stdio: ['ignore', logFd, logFd],
          env: res.image.env,
          cwd: res.image.workingDir ?? '/',
        }),
      );
    } finally {
      closeSync(logFd);
    }
    await waitListening(nsB, [5201, 80], 10_000);
    return { id, nsA, nsB, ipB: '10.199.0.2', vxlanIpB: '10.199.1.2', stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// --- pods as endpoints -------------------------------------------------------------

interface PodEndpoints {
  client: { netns: string; node: string };
  iperfIp: Record<string, string>;
  nginxIp: Record<string, string>;
  mtu: number;
  stop(): Promise<void>;
}

/** iperf3 and nginx server pods on the first two nodes, a pause pod on the first node as the client. */
export async function startPodEndpoints(c: Cluster, ns: string, log: (s: string) => void): Promise<PodEndpoints> {
  const [n1, n2] = [c.nodes[0]!, c.nodes[1]!];
  const tracker = new PodTracker(c, ns);
  await tracker.start();
  const objs: PodObj[] = [agnhostPod('net-client', { bench: 'net' }, { nodeName: n1 })];
  for (const [i, node] of [n1, n2].entries()) {
    objs.push(
      agnhostPod(
        `iperf-${i + 1}`,
        { bench: 'net' },
        { nodeName: node, command: ['/usr/bin/iperf3', '-s'], readinessTcpPort: 5201 },
      ),
    );
    const nginx = agnhostPod(`nginx-${i + 1}`, { bench: 'net' }, { nodeName: node, readinessTcpPort: 80 });
    (nginx.spec.containers[0] as Record<string, unknown>).image = 'nginx';
    delete (nginx.spec.containers[0] as Record<string, unknown>).args;
    objs.push(nginx);
  }
  const names = objs.map((o) => o.metadata.name!);
  log(`pods for the network paths: ${names.join(', ')} (iperf3 -s and nginx on ${n1} and ${n2}, client on ${n1})`);
  await tracker.create(objs, 0);
  const ok = await tracker.waitUntil(names, (t) => t.readyAt !== undefined, 60_000);
  if (!ok)
    throw new Error(
      `network pods not Ready within 60 s: ${names
        .map((n) => tracker.pods.get(n)!)
        .filter((t) => t.readyAt === undefined)
        .map((t) => `${t.name}: ${PodTracker.why(t)}`)
        .join('; ')}`,
    );
  const t = (n: string) => tracker.pods.get(n)!;
  const clientNetns = podNetnsName(n1, t('net-client').last!.metadata.uid!);
  if (!existsSync(`/run/netns/${clientNetns}`)) throw new Error(`client pod netns ${clientNetns} not found`);
  const mtu = Number(
    /\bmtu (\d+)/.exec(await shOk(['ip', '-n', clientNetns, '-o', 'link', 'show', 'eth0']))?.[1] ?? NaN,
  );
  return {
    client: { netns: clientNetns, node: n1 },
    iperfIp: { [n1]: t('iperf-1').ip!, [n2]: t('iperf-2').ip! },
    nginxIp: { [n1]: t('nginx-1').ip!, [n2]: t('nginx-2').ip! },
    mtu,
    async stop() {
      await tracker.delete(names);
      await tracker.waitUntil(names, (x) => x.goneAt !== undefined, 60_000);
      tracker.stop();
    },
  };
}

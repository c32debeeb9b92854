/**
 * The streaming benchmark (issue 18), on a real 2-node `podnet up` cluster
 * with the kubectl on this machine, the pods on node 2 (so every byte crosses
 * the API server and the overlay):
 *
 *  1. keystroke echo latency through `kubectl exec -it ... -- cat`: kubectl
 *     runs on a pty (script(1)); one key at a time, the time until the pod's
 *     terminal echoes it back, p50/p99 (goal: p99 < 10 ms); and the same
 *     through the web console's terminal WebSocket (console-echo.ts);
 *  2. 50 concurrent `kubectl exec -i ... -- sha256sum` sessions, 1 MiB of
 *     random stdin each; every digest must match (goal: no byte lost);
 *  3. port-forward throughput: iperf3 through `kubectl port-forward` against
 *     the same hops made of two plain TCP relays (socat on this machine, socat
 *     on the node), each direction (goal: >= 0.5x of the relay chain), with
 *     the CPU seconds per GB of each process on either path.
 *
 * Prints a table and writes bench/streaming/results.json. Needs root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg, release } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { round2, summarize, type Summary } from '../apiserver/stats.js';
import { cpuSeconds, findProcess } from '../common/proc-cpu.js';
import { clusterDown, clusterUp, downAll, sh, type Cluster } from '../pods/cluster.js';
import { consoleEchoLatency } from './console-echo.js';

const DEFAULT_OUT = fileURLToPath(new URL('../../../bench/streaming/results.json', import.meta.url));
const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Options {
  keystrokes: number;
  sessions: number;
  bytes: number;
  seconds: number;
  out: string;
}

const USAGE = `bench/streaming/run [--keystrokes N] [--sessions N] [--bytes N] [--seconds S] [--out FILE]
  --keystrokes  keys typed for the echo latency (default 300)
  --sessions    concurrent exec sessions (default 50)
  --bytes       stdin bytes per session (default 1048576)
  --seconds     iperf3 seconds per direction and path (default 5)`;

function parseOptions(args: string[]): Options {
  const o: Options = { keystrokes: 300, sessions: 50, bytes: 1 << 20, seconds: 5, out: DEFAULT_OUT };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    const num = () => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a} ${v}: expected a positive integer`);
      i++;
      return n;
    };
    if (a === '--keystrokes') o.keystrokes = num();
    else if (a === '--sessions') o.sessions = num();
    else if (a === '--bytes') o.bytes = num();
    else if (a === '--seconds') o.seconds = num();
    else if (a === '--out' && v) {
      o.out = v;
      i++;
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

function kubectl(c: Cluster, args: string[], stdio: ('pipe' | 'ignore')[] = ['pipe', 'pipe', 'pipe']): ChildProcess {
  return spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: `${c.stateDir}/kubeconfig` }, stdio });
}

async function setUp(c: Cluster): Promise<void> {
  const node = c.nodes[1]!;
  const yaml = `
apiVersion: v1
kind: Pod
metadata: {name: shell}
spec:
  nodeName: ${node}
  containers: [{name: sh, image: podnet/agnhost, command: [/bin/sh, -c, 'exec sleep infinity']}]
---
apiVersion: v1
kind: Pod
metadata: {name: iperf}
spec:
  nodeName: ${node}
  containers: [{name: iperf, image: podnet/agnhost, command: [/usr/bin/iperf3, -s, -p, '5201']}]
`;
  const apply = kubectl(c, ['apply', '-f', '-']);
  apply.stdin!.end(yaml);
  await new Promise((r) => apply.on('close', r));
  const r = await sh(['kubectl', 'wait', '--for=condition=Ready', '--timeout=120s', 'pod/shell', 'pod/iperf'], {
    env: { KUBECONFIG: `${c.stateDir}/kubeconfig` },
  });
  if (r.code !== 0) throw new Error(`pods not ready: ${r.stderr}`);
}

/** Keystroke echo of a command run on a pty (script(1)): ms per key. */
async function echoLatency(cmd: string, keys: number): Promise<Summary> {
  const p = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let seen = 0;
  let waiter: (() => void) | undefined;
  p.stdout.on('data', (b: Buffer) => {
    for (const ch of b) if (ch === 0x78) seen++; // 'x'
    waiter?.();
  });
  const until = (n: number, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (seen >= n) return resolve(true);
      const t = setTimeout(() => {
        waiter = undefined;
        resolve(false);
      }, ms);
      waiter = () => {
        if (seen < n) return;
        clearTimeout(t);
        waiter = undefined;
        resolve(true);
      };
    });
  // The session is up once a first key comes back.
  let warm = false;
  for (let i = 0; i < 50 && !warm; i++) {
    p.stdin.write('x');
    warm = await until(seen + 1, 200);
  }
  if (!warm) throw new Error('kubectl exec -it never echoed a key');
  await sleep(300);
  const samples: number[] = [];
  for (let i = 0; i < keys; i++) {
    if (i % 100 === 99) {
      p.stdin.write('\x15'); // Ctrl-U: the line stays short
      await sleep(50);
    }
    const before = seen;
    const t0 = performance.now();
    p.stdin.write('x');
    if (!(await until(before + 1, 5000))) throw new Error(`key ${i} was not echoed`);
    samples.push(performance.now() - t0);
    await sleep(10);
  }
  p.stdin.write('\x04\x04');
  p.kill();
  return summarize(samples);
}

/** N concurrent exec sessions, each hashing its own random stdin in the pod. */
async function concurrentSessions(c: Cluster, n: number, bytes: number) {
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: n }, async () => {
      const data = randomBytes(bytes);
      const want = createHash('sha256').update(data).digest('hex');
      const p = kubectl(c, ['exec', '-i', 'shell', '--', 'sha256sum']);
      let out = '';
      p.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      p.stdin!.on('error', () => undefined); // a failed session shows as a wrong digest
      p.stdin!.end(data);
      const code = await new Promise<number | null>((r) => p.on('close', r));
      return code === 0 && out.split(' ')[0] === want;
    }),
  );
  return {
    sessions: n,
    bytesEach: bytes,
    ok: results.filter(Boolean).length,
    seconds: round2((performance.now() - started) / 1000),
  };
}

/** iperf3's rate (Gbit/s) and the bytes it carried. */
async function iperf(port: number, seconds: number, reverse: boolean): Promise<{ gbps: number; bytes: number }> {
  // iperf3 -s takes the port probes (waitPort) for tests and may still be winding one down: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await iperfOnce(port, seconds, reverse);
    } catch (e) {
      if (attempt === 3) throw e;
      log(`  ${(e as Error).message}; again in 2 s`);
      await sleep(2000);
    }
  }
}

async function iperfOnce(port: number, seconds: number, reverse: boolean): Promise<{ gbps: number; bytes: number }> {
  const r = await sh(
    ['iperf3', '-c', '127.0.0.1', '-p', String(port), '-t', String(seconds), '-J', ...(reverse ? ['-R'] : [])],
    { timeoutMs: (seconds + 30) * 1000 },
  );
  if (r.code !== 0) throw new Error(`iperf3 failed: ${r.stdout.slice(-400)}${r.stderr.slice(-400)}`);
  // iperf3 may print a WARNING line before its JSON.
  const j = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
    error?: string;
    end?: { sum_received?: { bits_per_second: number; bytes: number } };
  };
  const sum = j.end?.sum_received;
  if (sum === undefined) throw new Error(`iperf3 to port ${port}: ${j.error ?? r.stdout.slice(0, 300)}`);
  return { gbps: sum.bits_per_second / 1e9, bytes: sum.bytes };
}

type CpuPerGB = Record<string, number>;

/**
 * One iperf3 run and the CPU seconds per GB (1e9 bytes) each process of the
 * path used meanwhile (with 'total'): load-robust where the rate is not.
 */
async function measuredRun(
  port: number,
  seconds: number,
  reverse: boolean,
  path: Record<string, number>,
): Promise<{ gbps: number; cpu: CpuPerGB }> {
  const before = Object.fromEntries(Object.entries(path).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const run = await iperf(port, seconds, reverse);
  await sleep(500); // socat's per-connection children are reaped (their time moves to the parent)
  const cpu: CpuPerGB = {};
  let total = 0;
  for (const [name, pid] of Object.entries(path)) {
    const perGB = (cpuSeconds(pid) - before[name]!) / (run.bytes / 1e9);
    cpu[name] = round2(perGB);
    total += perGB;
  }
  cpu.total = round2(total);
  return { gbps: run.gbps, cpu };
}

async function waitPort(port: number): Promise<void> {
  const open = () =>
    new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
  for (let i = 0; i < 100; i++) {
    if (await open()) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** iperf3 through kubectl port-forward and through two socat relays over the same hops, Gbit/s. */
async function portForward(c: Cluster, seconds: number) {
  const podIp = (
    await sh(['kubectl', 'get', 'pod', 'iperf', '-o', 'jsonpath={.status.podIP}'], {
      env: { KUBECONFIG: `${c.stateDir}/kubeconfig` },
    })
  ).stdout.trim();
  const node = c.layout.nodes[1]!;
  const pfPort = 28000 + Math.floor(Math.random() * 500);
  const relayPort = pfPort + 500;
  const procs: ChildProcess[] = [];
  try {
    procs.push(kubectl(c, ['port-forward', 'pod/iperf', `${pfPort}:5201`], ['ignore', 'ignore', 'ignore']));
    // The relay chain: this machine (where kubectl and the API server run) -> the node -> the pod.
    procs.push(
      spawn(
        'nsenter',
        [
          `--net=/run/netns/${node.netns}`,
          'socat',
          `TCP4-LISTEN:${relayPort},bind=${node.ip},fork,reuseaddr`,
          `TCP4:${podIp}:5201`,
        ],
        { stdio: 'ignore' },
      ),
    );
    procs.push(
      spawn('socat', [`TCP4-LISTEN:${relayPort},bind=127.0.0.1,fork,reuseaddr`, `TCP4:${node.ip}:${relayPort}`], {
        stdio: 'ignore',
      }),
    );
    await waitPort(pfPort);
    await waitPort(relayPort);
    // The API server and the agent themselves, not their supervisors (which only wait).
    const apiserver = findProcess(['apiserver', '--state', c.stateDir], ['--supervise']);
    const agent = findProcess(['node', '--name', node.name], ['--supervise']);
    if (!apiserver || !agent) throw new Error(`no API server or node agent process found for ${c.stateDir}`);
    const pfPath = { kubectl: procs[0]!.pid!, apiserver, nodeAgent: agent };
    const relayPath = { nodeSocat: procs[1]!.pid!, localSocat: procs[2]!.pid! };
    const out = { portForward: { upload: 0, download: 0 }, relays: { upload: 0, download: 0 } };
    const cpu = { portForward: {} as Record<string, CpuPerGB>, relays: {} as Record<string, CpuPerGB> };
    // A first second through each path warms its code (JIT) and connections, so it is not in the per-GB figures.
    await iperf(relayPort, 1, false);
    await iperf(pfPort, 1, false);
    for (const reverse of [false, true]) {
      const dir = reverse ? 'download' : 'upload';
      const relay = await measuredRun(relayPort, seconds, reverse, relayPath);
      const pf = await measuredRun(pfPort, seconds, reverse, pfPath);
      out.relays[dir] = round2(relay.gbps);
      out.portForward[dir] = round2(pf.gbps);
      cpu.relays[dir] = relay.cpu;
      cpu.portForward[dir] = pf.cpu;
      log(`  ${dir}: port-forward ${out.portForward[dir]} Gbit/s, relay chain ${out.relays[dir]} Gbit/s`);
      log(`  ${dir}: CPU s/GB port-forward ${JSON.stringify(pf.cpu)}, relay chain ${JSON.stringify(relay.cpu)}`);
    }
    return { ...out, cpuSecondsPerGB: cpu };
  } finally {
    for (const p of procs) p.kill('SIGKILL');
  }
}

/** "upload / download" totals with each process's share. */
const cpuLine = (byDir: Record<string, CpuPerGB>): string =>
  ['upload', 'download']
    .map((dir) => {
      const { total, ...each } = byDir[dir] ?? {};
      return `${total} (${Object.values(each).join(' + ')})`;
    })
    .join(' / ');

export async function main(args: string[]): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(args);
  } catch (e) {
    process.stderr.write(`bench/streaming: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench/streaming: run it as root (podnet up, network namespaces)\n');
    return 2;
  }
  for (const bin of ['kubectl', 'iperf3', 'socat', 'script']) {
    if ((await sh(['sh', '-c', `command -v ${bin}`])).code !== 0) {
      process.stderr.write(`bench/streaming: ${bin} is missing (scripts/install-deps)\n`);
      return 2;
    }
  }
  process.once('SIGINT', () => void downAll(log).finally(() => process.exit(130)));
  const startedAt = new Date().toISOString();
  const c = await clusterUp('vxlan', 2, log);
  try {
    await setUp(c);
    log(`echo latency: ${o.keystrokes} keys through kubectl exec -it`);
    const echo = await echoLatency(`KUBECONFIG=${c.stateDir}/kubeconfig kubectl exec -it shell -- cat`, o.keystrokes);
    log(`  p50 ${echo.p50.toFixed(2)} ms, p99 ${echo.p99.toFixed(2)} ms`);
    log(`echo latency: ${o.keystrokes} keys through the web console (podnet console)`);
    const consoleEcho = await consoleEchoLatency(c, 'shell', 'sh', o.keystrokes);
    log(`  p50 ${consoleEcho.p50.toFixed(2)} ms, p99 ${consoleEcho.p99.toFixed(2)} ms`);
    // The harness's own floor: the same keys to cat on a local pty, no kubectl, no network.
    const floor = await echoLatency('cat', o.keystrokes);
    log(`  local pty floor: p50 ${floor.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} ms`);
    log(`${o.sessions} concurrent exec sessions, ${o.bytes} bytes of stdin each`);
    const sessions = await concurrentSessions(c, o.sessions, o.bytes);
    log(`  ${sessions.ok}/${sessions.sessions} digests match, ${sessions.seconds} s`);
    log(`port-forward throughput (iperf3, ${o.seconds} s per run)`);
    const pf = await portForward(c, o.seconds);
    const ratio = {
      upload: round2(pf.portForward.upload / pf.relays.upload),
      download: round2(pf.portForward.download / pf.relays.download),
    };
    const results = {
      startedAt,
      // Other work on the machine shows in the echo tail: the load average is recorded with the figures.
      machine: { cpus: cpus().length, kernel: release(), loadAverage: loadavg().map(round2) },
      echoMs: { n: echo.n, p50: round2(echo.p50), p90: round2(echo.p90), p99: round2(echo.p99), max: round2(echo.max) },
      consoleEchoMs: {
        n: consoleEcho.n,
        p50: round2(consoleEcho.p50),
        p90: round2(consoleEcho.p90),
        p99: round2(consoleEcho.p99),
        max: round2(consoleEcho.max),
      },
      localPtyEchoMs: { p50: round2(floor.p50), p99: round2(floor.p99) },
      sessions,
      portForwardGbps: { portForward: pf.portForward, relays: pf.relays },
      portForwardCpuSecondsPerGB: pf.cpuSecondsPerGB,
      portForwardRatio: ratio,
      goals: {
        echoP99Under10ms: echo.p99 < 10,
        sessionsWithoutLoss: sessions.ok === sessions.sessions,
        portForwardHalfOfRelays: ratio.upload >= 0.5 && ratio.download >= 0.5,
      },
    };
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(
      [
        `| measure | value | goal |`,
        `|---|---|---|`,
        `| echo through kubectl exec -it, p50 / p99 | ${round2(echo.p50)} / ${round2(echo.p99)} ms | p99 < 10 ms: ${results.goals.echoP99Under10ms ? 'met' : 'not met'} |`,
        `| echo through the web console, p50 / p99 | ${round2(consoleEcho.p50)} / ${round2(consoleEcho.p99)} ms | |`,
        `| echo on a local pty (the harness), p50 / p99 | ${round2(floor.p50)} / ${round2(floor.p99)} ms | |`,
        `| ${sessions.sessions} concurrent exec sessions, ${sessions.bytesEach} B each | ${sessions.ok} intact in ${sessions.seconds} s | none lost: ${results.goals.sessionsWithoutLoss ? 'met' : 'not met'} |`,
        `| port-forward upload / download | ${pf.portForward.upload} / ${pf.portForward.download} Gbit/s | |`,
        `| two socat relays, same hops | ${pf.relays.upload} / ${pf.relays.download} Gbit/s | |`,
        `| ratio | ${ratio.upload} / ${ratio.download} | >= 0.5: ${results.goals.portForwardHalfOfRelays ? 'met' : 'not met'} |`,
        `| CPU s/GB, port-forward (kubectl + API server + node agent) | ${cpuLine(pf.cpuSecondsPerGB.portForward)} | |`,
        `| CPU s/GB, relay chain (two socat) | ${cpuLine(pf.cpuSecondsPerGB.relays)} | |`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await clusterDown(c.name, log);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`bench/streaming: ${e.stack ?? e.message}\n`);
      void downAll(log).finally(() => process.exit(1));
    },
  );
}

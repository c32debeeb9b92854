/**
 * The workloads benchmark (issue 19), on a real `podnet up` cluster: a
 * Deployment scaled from 0 to 100 and then to 300 replicas (time from the
 * scale request to each new pod Ready: p50, p99, max), and a rollout
 * (`kubectl rollout restart`'s annotation) of 100 replicas end to end
 * under steady load through a ClusterIP, counting failed requests. Prints
 * a table and writes bench/workloads/results.json. Run it with
 * bench/workloads/run (see bench/README.md). Needs root.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KObject, WatchEvent } from '../../api/meta.js';
import { findResource } from '../../api/resources.js';
import { cpuBetween, sampleProcesses, type ComponentCpu } from '../common/cpu-breakdown.js';
import { backgroundCores } from '../common/host-busy.js';
import { clusterDown, clusterUp, createNamespace, downAll, podsRes, type Cluster } from '../pods/cluster.js';
import { isReady, type PodObj } from '../pods/pod-tracker.js';

const DEFAULT_OUT = fileURLToPath(new URL('../../../bench/workloads/results.json', import.meta.url));
const LOAD_CLIENT = fileURLToPath(new URL('../../e2e/load-client.js', import.meta.url));
const NS = 'wlbench';
const deployments = findResource('apps', 'v1', 'deployments')!;
const services = findResource('', 'v1', 'services')!;

const USAGE = `usage: bench/workloads/run [--nodes 3] [--scales 100,300] [--rollout 100] [--out FILE]
  --nodes N        cluster nodes (default 3)
  --scales A,B     replica counts to scale to in turn, from 0 (default 100,300)
  --rollout N      replicas of the rollout under load; 0 skips it (default 100)
  --out FILE       results JSON (default bench/workloads/results.json)`;

interface Options {
  nodes: number;
  scales: number[];
  rollout: number;
  out: string;
}

function parse(args: string[]): Options {
  const o: Options = { nodes: 3, scales: [100, 300], rollout: 100, out: DEFAULT_OUT };
  for (let i = 0; i < args.length; i++) {
    const v = args[i + 1];
    const num = (x: string | undefined) => {
      if (!x || !/^\d+$/.test(x)) throw new Error(`${args[i]} needs a whole number`);
      return Number(x);
    };
    switch (args[i]) {
      case '--nodes':
        o.nodes = num(v);
        i++;
        break;
      case '--scales':
        o.scales = (v ?? '').split(',').map(num);
        i++;
        break;
      case '--rollout':
        o.rollout = num(v);
        i++;
        break;
      case '--out':
        if (!v) throw new Error('--out needs a file');
        o.out = v;
        i++;
        break;
      default:
        throw new Error(`unknown flag ${args[i]}`);
    }
  }
  return o;
}

/** Every pod of the namespace: when each was first seen Ready, and which are gone or going. */
class PodWatch {
  readonly readyAt = new Map<string, number>();
  readonly live = new Map<string, PodObj>();
  private waiters: (() => void)[] = [];
  private close: (() => void) | undefined;
  constructor(private readonly c: Cluster) {}

  async start(): Promise<void> {
    this.close = await this.c.client.watchWith<PodObj>(
      podsRes,
      NS,
      { resourceVersion: '0' },
      { onEvent: (e) => this.onEvent(e), onClose: () => undefined },
    );
  }
  stop(): void {
    this.close?.();
  }
  private onEvent(e: WatchEvent<PodObj>): void {
    if (e.type === 'ERROR' || e.type === 'BOOKMARK') return;
    const p = e.object;
    const name = p.metadata.name!;
    if (e.type === 'DELETED') this.live.delete(name);
    else {
      this.live.set(name, p);
      if (isReady(p) && !this.readyAt.has(name)) this.readyAt.set(name, performance.now());
    }
    const ws = this.waiters.splice(0);
    for (const w of ws) w();
  }
  /** Waits until check holds, re-checked on every event (and every second). */
  async until(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!check()) {
      if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 1000);
      });
    }
  }
  readyNotDeleting(prefix: string): number {
    let n = 0;
    for (const p of this.live.values())
      if (p.metadata.name!.startsWith(prefix) && !p.metadata.deletionTimestamp && isReady(p)) n++;
    return n;
  }
  count(prefix: string): number {
    return [...this.live.keys()].filter((n) => n.startsWith(prefix)).length;
  }
}

function deployment(name: string, replicas: number, probe: boolean): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'podnet/agnhost',
              args: ['netexec', '--http-port', '8080'],
              ...(probe ? { readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } } : {}),
            },
          ],
        },
      },
    },
  };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : NaN;
};

interface ScaleResult {
  from: number;
  to: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU seconds per component from the scale request until all Ready (and 2 s to settle). */
  cpu: ComponentCpu[];
}

async function scale(c: Cluster, w: PodWatch, from: number, to: number): Promise<ScaleResult> {
  const before = new Set(w.live.keys());
  const cpuBefore = sampleProcesses();
  const t0 = performance.now();
  await c.client.patch(deployments, NS, 'scale', 'merge', { spec: { replicas: to } });
  await w.until(`${to} replicas Ready`, 300_000, () => w.readyNotDeleting('scale-') >= to);
  const times = [...w.live.keys()].filter((n) => !before.has(n)).map((n) => w.readyAt.get(n)! - t0);
  // The status writes and watch fan-out of the last pods finish just after Ready is seen.
  await new Promise((r) => setTimeout(r, 2000));
  const cpu = cpuBetween(cpuBefore, sampleProcesses(), c.stateDir);
  return { from, to, p50Ms: quantile(times, 0.5), p99Ms: quantile(times, 0.99), maxMs: Math.max(...times), cpu };
}

interface RolloutResult {
  replicas: number;
  endToEndMs: number;
  requests: number;
  failed: number;
  errors: Record<string, number>;
}

async function rollout(c: Cluster, w: PodWatch, replicas: number, log: (s: string) => void): Promise<RolloutResult> {
  await c.client.create(deployments, NS, deployment('roll', replicas, true));
  const svc = await c.client.create<KObject & { spec: { clusterIP: string } }>(services, NS, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'roll', namespace: NS },
    spec: { selector: { app: 'roll' }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  await w.until(`${replicas} rollout replicas Ready`, 300_000, () => w.readyNotDeleting('roll-') >= replicas);
  const load = spawn(
    'nsenter',
    [`--net=/run/netns/podnet-${c.nodes[0]}`, '--', process.execPath, LOAD_CLIENT, `http://${svc.spec.clusterIP}/`],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  load.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const ended = new Promise<void>((r) => load.on('close', () => r()));
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const old = new Set([...w.live.keys()].filter((n) => n.startsWith('roll-')));
    log(`rollout of ${replicas} replicas under load`);
    const t0 = performance.now();
    await c.client.patch(deployments, NS, 'roll', 'merge', {
      spec: {
        template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } },
      },
    });
    await w.until('the rollout', 600_000, () => {
      const pods = [...w.live.entries()].filter(([n]) => n.startsWith('roll-'));
      return (
        pods.length === replicas && pods.every(([n, p]) => !old.has(n) && isReady(p) && !p.metadata.deletionTimestamp)
      );
    });
    const endToEndMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 1000));
    load.stdin.end();
    await ended;
    const r = JSON.parse(out.trim()) as { ok: number; failed: number; errors: Record<string, number> };
    return { replicas, endToEndMs, requests: r.ok + r.failed, failed: r.failed, errors: r.errors };
  } finally {
    if (load.exitCode === null) load.kill('SIGKILL');
  }
}

/** The CPU of one scale step per component, per pod started, in ms. */
function cpuTable(rows: ComponentCpu[], pods: number): string[] {
  const ms = (sec: number) => ((sec * 1000) / pods).toFixed(1).padStart(7);
  const total = rows.reduce((t, r) => t + r.own + r.reaped, 0);
  return [
    `  CPU per pod (ms): ${'component'.padEnd(20)} ${'own'.padStart(7)} ${'reaped'.padStart(7)}  processes`,
    ...rows.map((r) => `                   ${r.component.padEnd(20)} ${ms(r.own)} ${ms(r.reaped)}  ${r.processes}`),
    `                   ${'total'.padEnd(20)} ${ms(total)}`,
  ];
}

export async function main(args: string[]): Promise<number> {
  let o: Options;
  if (args.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    o = parse(args);
  } catch (e) {
    process.stderr.write(`bench/workloads: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench/workloads: run it as root (it runs podnet up/down)\n');
    return 2;
  }
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const busy = await backgroundCores();
  const c = await clusterUp('vxlan', o.nodes, log);
  const w = new PodWatch(c);
  try {
    await createNamespace(c, NS);
    await w.start();
    await c.client.create(deployments, NS, deployment('scale', 0, false));
    const scales: ScaleResult[] = [];
    let from = 0;
    for (const to of o.scales) {
      log(`scale ${from} -> ${to}`);
      scales.push(await scale(c, w, from, to));
      from = to;
    }
    await c.client.patch(deployments, NS, 'scale', 'merge', { spec: { replicas: 0 } });
    await w.until('the scaled pods gone', 300_000, () => w.count('scale-') === 0);
    const roll = o.rollout ? await rollout(c, w, o.rollout, log) : undefined;
    const results = {
      date: new Date().toISOString(),
      cpus: cpus().length,
      backgroundCores: busy,
      nodes: o.nodes,
      scales,
      rollout: roll,
    };
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const lines = [
      `workloads on ${o.nodes} nodes (${cpus().length} CPUs, ${busy.toFixed(1)} busy before the run)`,
      ...scales.flatMap((r) => [
        `scale ${r.from} -> ${r.to}: Ready p50 ${s(r.p50Ms)}, p99 ${s(r.p99Ms)}, max ${s(r.maxMs)}`,
        ...cpuTable(r.cpu, r.to - r.from),
      ]),
      ...(roll
        ? [
            `rollout of ${roll.replicas}: ${s(roll.endToEndMs)} end to end; ${roll.failed} of ${roll.requests} requests failed ${JSON.stringify(roll.errors)}`,
          ]
        : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, `${JSON.stringify(results, null, 2)}\n`);
    return 0;
  } finally {
    w.stop();
    await clusterDown(c.name, log);
    await downAll(log);
  }
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

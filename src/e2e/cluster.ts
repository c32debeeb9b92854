/**
 * A real `podnet up` cluster for end-to-end tests, driven the way a user
 * drives one: the podnet CLI, kubectl with the cluster's kubeconfig, and
 * commands on nodes through `podnet node-exec`. Each cluster has a unique
 * name and its own temp state dir; `destroy()` runs `podnet down --purge`
 * and then checks independently that nothing of the cluster is left.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend, ClusterLayout } from '../cluster/layout.js';
import { readLayout } from '../cluster/layout-file.js';
import { isClusterLink } from '../cluster/names.js';
import { findLeftovers, tearDown } from '../cluster/teardown.js';
import { built, cniPlugins, kubectl, needs, root } from '../testing/requirements.js';

export const podnetBin = fileURLToPath(new URL('../../bin/podnet', import.meta.url));

/** Why cluster tests cannot run here, or false. */
export const clusterSkip = needs(root, built, cniPlugins, kubectl);

export interface Run {
  code: number | null;
  out: string;
  stdout: string;
}

export function sh(
  argv: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
): Run {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env, ...opts.env },
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
  return {
    code: r.status,
    out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`,
    stdout: r.stdout ?? '',
  };
}

/** Like sh, but the command must succeed; returns stdout. */
export function ok(argv: string[], opts: Parameters<typeof sh>[1] = {}): string {
  const r = sh(argv, opts);
  assert.equal(r.code, 0, `${argv.join(' ')} failed (${r.code}):\n${r.out}`);
  return r.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until check returns a value (not undefined/false); fails with the last observation. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      assert.fail(
        `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await sleep(500);
  }
}

/** The process is gone or a zombie (its parent has not reaped it yet). */
const gone = (pid: number): boolean =>
  !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') === true;

const randomName = (): string =>
  `t${Math.random()
    .toString(36)
    .slice(2, 8)
    .replace(/[^a-z0-9]/g, 'x')}`;

export class TestCluster {
  readonly name = randomName();
  readonly dir = mkdtempSync(join(tmpdir(), 'podnet-e2e-'));
  readonly kubeconfig = join(this.dir, 'kubeconfig');
  private layoutCache: ClusterLayout | undefined;
  private readonly children: ChildProcessWithoutNullStreams[] = [];

  constructor(
    readonly nodes: number,
    readonly backend: Backend,
    /** More `podnet up` flags (e.g. --cluster-cidr). */
    readonly upArgs: string[] = [],
  ) {}

  get layout(): ClusterLayout {
    this.layoutCache ??= readLayout(this.dir);
    assert.ok(this.layoutCache, `no cluster.json in ${this.dir}`);
    return this.layoutCache;
  }

  /** Full node name of node i (1-based). */
  node(i: number): string {
    return `${this.name}-node${i}`;
  }

  podnet(args: string[], timeoutMs = 240_000): Run {
    return sh([process.execPath, podnetBin, ...args], { timeoutMs });
  }

  up(): string {
    const r = this.podnet([
      'up',
      '--nodes',
      String(this.nodes),
      '--name',
      this.name,
      '--backend',
      this.backend,
      '--state',
      this.dir,
      '--timeout',
      '180',
      ...this.upArgs,
    ]);
    assert.equal(r.code, 0, `podnet up failed:\n${r.out}`);
    return r.out;
  }

  /** `podnet up` again on the recorded cluster: restarts whatever is down. */
  upAgain(): string {
    const r = this.podnet(['up', '--state', this.dir, '--timeout', '180']);
    assert.equal(r.code, 0, `podnet up (rerun) failed:\n${r.out}`);
    return r.out;
  }

  kubectl(args: string[], input?: string): Run {
    return sh(['kubectl', ...args], {
      env: { KUBECONFIG: this.kubeconfig },
      timeoutMs: 120_000,
      ...(input !== undefined ? { input } : {}),
    });
  }

  k(args: string[], input?: string): string {
    const r = this.kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.out}`);
    return r.stdout;
  }

  apply(yaml: string): void {
    this.k(['apply', '-f', '-'], yaml);
  }

  waitReady(pods: string[], timeoutS = 60): void {
    this.k(['wait', '--for=condition=Ready', `--timeout=${timeoutS}s`, ...pods.map((p) => `pod/${p}`)]);
  }

  jsonpath(pod: string, path: string): string {
    return this.k(['get', 'pod', pod, '-o', `jsonpath=${path}`]);
  }

  podIp(pod: string): string {
    const ip = this.jsonpath(pod, '{.status.podIP}');
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/, `pod ${pod} has no IP`);
    return ip;
  }

  /**
   * Runs a command on node i (1-based): what `podnet node-exec` does (enter the
   * node's netns), minus a Node.js start per call, which the many checks here
   * would pay for in minutes. up.test.ts runs the real `podnet node-exec`.
   */
  exec(i: number, cmd: string[], timeoutMs = 60_000): Run {
    return sh(['nsenter', `--net=/run/netns/podnet-${this.node(i)}`, '--', ...cmd], { timeoutMs });
  }

  execOk(i: number, cmd: string[]): string {
    const r = this.exec(i, cmd);
    assert.equal(r.code, 0, `on ${this.node(i)}: ${cmd.join(' ')} failed (${r.code}):\n${r.out}`);
    return r.stdout;
  }

  /** curl from node i; returns the body (fails on HTTP errors). */
  curl(i: number, url: string): string {
    return this.execOk(i, ['curl', '-sS', '--fail', '--max-time', '10', url]);
  }

  /** agnhost /shell in a netexec pod, called from node i: the command runs inside the pod. */
  podShell(i: number, podIp: string, command: string, port = 8080): string {
    const reply = JSON.parse(
      this.curl(i, `http://${podIp}:${port}/shell?shellCommand=${encodeURIComponent(command)}`),
    ) as { output?: string; error?: string };
    assert.equal(reply.error, undefined, `"${command}" in pod ${podIp} failed: ${JSON.stringify(reply)}`);
    return reply.output ?? '';
  }

  /** A long-running command on node i with piped stdio (killed by destroy()). */
  spawnOnNode(i: number, cmd: string[]): ChildProcessWithoutNullStreams {
    // Its own process group, so destroy() can kill node-exec and what it runs in one go.
    const child = spawn(process.execPath, [podnetBin, 'node-exec', this.node(i), '--state', this.dir, '--', ...cmd], {
      detached: true,
    });
    this.children.push(child);
    return child;
  }

  /** The pid of node i's agent supervisor as `up` recorded it (the agent itself is its child). */
  agentPid(i: number): number {
    return (JSON.parse(readFileSync(join(this.dir, 'pids', `${this.node(i)}.json`), 'utf8')) as { pid: number }).pid;
  }

  /** The running node agent of node i: the supervisor's child, once it has one. */
  agentChild(i: number): number | undefined {
    const sup = this.agentPid(i);
    const children = `/proc/${sup}/task/${sup}/children`;
    if (!existsSync(children)) return undefined;
    const [child] = readFileSync(children, 'utf8').split(/\s+/).filter(Boolean).map(Number);
    return child;
  }

  /**
   * Kills node i's agent and its supervisor (SIGKILL to their process group:
   * no chance to clean up, nothing starts it again) and waits until both are gone.
   */
  async killAgent(i: number): Promise<void> {
    const pids = [this.agentPid(i), this.agentChild(i)].filter((p) => p !== undefined);
    process.kill(-pids[0]!, 'SIGKILL');
    await eventually(`agent ${this.node(i)} (pids ${pids.join(', ')}) to exit`, () => pids.every(gone));
  }

  /** Kills only node i's agent process, as a crash would; its supervisor starts a new one. Returns the new pid. */
  async crashAgent(i: number): Promise<number> {
    const first = this.agentChild(i);
    assert.ok(first, `node ${this.node(i)}'s agent supervisor has no child`);
    process.kill(first, 'SIGKILL');
    return eventually(`a new agent on ${this.node(i)}`, () => {
      const now = this.agentChild(i);
      return now !== undefined && now !== first ? now : undefined;
    });
  }

  /** `podnet down --purge`, then asserts nothing of the cluster is left on the host. */
  async destroy(): Promise<void> {
    for (const c of this.children) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    const layout = readLayout(this.dir);
    if (!layout) {
      rmSync(this.dir, { recursive: true, force: true });
      return;
    }
    const down = this.podnet(['down', '--state', this.dir, '--purge'], 120_000);
    try {
      assert.equal(down.code, 0, `podnet down failed:\n${down.out}`);
      const left = await leftoversOf(layout);
      assert.deepEqual(left, [], `podnet down left these behind:\n${left.join('\n')}`);
    } finally {
      // Whatever happened, leave the host clean for the next test.
      await tearDown(layout).catch(() => undefined);
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** What of this cluster is still on the host, looked up directly (not only through teardown's own scan). */
export async function leftoversOf(layout: ClusterLayout): Promise<string[]> {
  const left = new Set(await findLeftovers(layout));
  const prefixes = layout.name
    ? [`podnet-${layout.name}-node`, `podnet-${layout.name}-cp`]
    : ['podnet-node', 'podnet-cp'];
  const netns = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  for (const n of netns.filter((x) => prefixes.some((p) => x.startsWith(p)))) left.add(`netns ${n}`);
  const links = JSON.parse(ok(['ip', '-j', 'link', 'show'])) as { ifname: string }[];
  for (const l of links.filter((x) => isClusterLink(layout.hash, x.ifname))) left.add(`link ${l.ifname}`);
  const routes = ok(['ip', '-4', 'route', 'show', 'table', 'all'])
    .split('\n')
    .filter((r) => r.includes(layout.bridge) || r.startsWith(`${layout.subnet} `));
  for (const r of routes) left.add(`route ${r}`);
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (cmdline.includes(layout.stateDir)) left.add(`process ${pid}: ${cmdline.trim()}`);
  }
  const nft = sh(['nft', 'list', 'tables']);
  for (const t of nft.stdout
    .split('\n')
    .filter((x) => x.includes(layout.hash) || (layout.name && x.includes(layout.name))))
    left.add(`nft ${t}`);
  return [...left];
}

/** agnhost netexec pod manifest pinned to a node. */
export function netexecPod(name: string, node: string, extra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 5
  containers:
  - name: c
    image: podnet/agnhost
    args: [netexec, --http-port, "8080"]
    # Ready once it listens: a started container is not yet a serving one.
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
${extra}---
`;
}

/**
 * `podnet router` as a user runs it, seen from outside: its command line,
 * its /readyz and /metrics, the HAProxy it starts (found by the run dir on
 * its command line, so nothing here depends on how the router manages it),
 * and a stop that ends both: the router leaves HAProxy serving when it
 * exits, by design, so the bench ends HAProxy itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { readMemory, startChild, type Child, type Memory } from '../common/child.js';
import { ownCpuSecondsOf } from '../common/proc-cpu.js';
import { PROXY_IP } from './net.js';

const BIN = fileURLToPath(new URL('../../../bin/podnet', import.meta.url));

export interface RouterConfig {
  label: string;
  kubeconfig: string;
  runDir: string;
  /** HAProxy's HTTP port on PROXY_IP. */
  port: number;
  /** The router's /healthz /readyz /metrics on 127.0.0.1. */
  metricsPort: number;
  /** HAProxy's own /metrics on 127.0.0.1. */
  statsPort: number;
  /** Whether HAProxy writes the access log (to the router's stdout, a file beside the run dir). */
  accessLog: boolean;
  cpus: string;
  nodeArgs: string[];
}

export interface RouterHandle {
  config: RouterConfig;
  child: Child;
  /** The command line, for the results. */
  argv: string[];
  /** GET /metrics text, or undefined when the router does not answer. */
  metrics(): Promise<string | undefined>;
  ready(): Promise<boolean>;
  /** HAProxy's master and workers running on this router's run dir. */
  haproxyPids(): number[];
  /** CPU seconds of the router process and of its HAProxy processes so far. */
  cpuSeconds(): { controller: number; haproxy: number };
  memory(): { controller: Memory; haproxy: Memory[] };
  stop(): Promise<void>;
}

export function routerArgv(c: RouterConfig): string[] {
  return [
    process.execPath,
    ...c.nodeArgs,
    BIN,
    'router',
    '--kubeconfig',
    c.kubeconfig,
    '--threads',
    '1',
    '--http',
    `${PROXY_IP}:${c.port}`,
    '--https',
    'off',
    '--run-dir',
    c.runDir,
    '--http-listen',
    `127.0.0.1:${c.metricsPort}`,
    '--stats-listen',
    `127.0.0.1:${c.statsPort}`,
    '--access-log',
    c.accessLog ? 'stdout' : 'off',
  ];
}

/** GET http://127.0.0.1:port/path -> status and body; undefined when nothing answers. */
function localGet(port: number, path: string, timeoutMs = 2000): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** The value of an unlabelled sample `name` in Prometheus text, or undefined. */
export function metricValue(text: string | undefined, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Every process whose command line mentions `runDir` and runs haproxy. */
function findHaproxy(runDir: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('haproxy') && argv.some((a) => a.startsWith(`${runDir}/`))) out.push(Number(d));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function endAll(pids: number[]): Promise<void> {
  const signal = (sig: NodeJS.Signals) =>
    pids.forEach((p) => {
      try {
        process.kill(p, sig);
      } catch {
        // already gone
      }
    });
  signal('SIGTERM');
  for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
  signal('SIGKILL');
}

export function startRouter(c: RouterConfig): RouterHandle {
  const argv = routerArgv(c);
  // The access log, a line per request on stdout, goes to a file as a log collector's would, not through this
  // process (it would cost the client core).
  const child = startChild(argv, c.cpus, c.label, false, c.accessLog ? { stdoutFile: `${c.runDir}.access.log` } : {});
  const haproxyPids = () => findHaproxy(c.runDir);
  return {
    config: c,
    child,
    argv,
    metrics: async () => {
      // A router busy with a sync answers late, not never: wait rather than report nothing.
      const r = await localGet(c.metricsPort, '/metrics', 120_000);
      return r?.status === 200 ? r.body : undefined;
    },
    ready: async () => (await localGet(c.metricsPort, '/readyz'))?.status === 200,
    haproxyPids,
    cpuSeconds: () => ({
      controller: ownCpuSecondsOf(child.pid),
      haproxy: haproxyPids().reduce((s, p) => s + ownCpuSecondsOf(p), 0),
    }),
    memory: () => ({
      controller: readMemory(child.pid),
      haproxy: haproxyPids().flatMap((p) => {
        try {
          return [readMemory(p)];
        } catch {
          return [];
        }
      }),
    }),
    stop: async () => {
      await child.stop();
      await endAll(haproxyPids());
    },
  };
}

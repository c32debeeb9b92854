/**
 * Runs dnsperf (Debian's) against one server and reads its summary. The
 * throughput run saturates (no rate limit, `outstanding` in flight); the
 * latency run sends at a fixed rate with -v and keeps every query's
 * latency, so p50/p99 compare both servers under the same offered load.
 */
import { spawn } from 'node:child_process';
import { cpuSeconds } from '../common/proc-cpu.js';

interface DnsperfSpec {
  host: string;
  port: number;
  queryFile: string;
  seconds: number;
  clients: number;
  outstanding: number;
  cpus: string;
  /** Fixed rate (queries/s); undefined saturates. */
  qps?: number;
  /** Keep per-query latencies (dnsperf -v). */
  perQuery?: boolean;
  /** Stop after this many passes over the query file (dnsperf -n). */
  passes?: number;
}

interface DnsperfResult {
  sent: number;
  completed: number;
  lost: number;
  qps: number;
  /** dnsperf's own mean latency, ms. */
  meanMs: number;
  maxMs: number;
  /** Responses that were not NOERROR. */
  notNoerror: number;
  /** Per-query latencies in ms (only with perQuery). */
  latenciesMs?: Float64Array;
  /** CPU seconds dnsperf itself used (read from /proc while it ran). */
  cpuS: number;
}

export async function runDnsperf(s: DnsperfSpec): Promise<DnsperfResult> {
  const args = [
    '-s',
    s.host,
    '-p',
    String(s.port),
    '-d',
    s.queryFile,
    '-l',
    String(s.seconds),
    '-c',
    String(s.clients),
    '-q',
    String(s.outstanding),
  ];
  if (s.qps) args.push('-Q', String(s.qps));
  if (s.perQuery) args.push('-v');
  if (s.passes) args.push('-n', String(s.passes));
  const argv = s.cpus ? ['taskset', '-c', s.cpus, 'dnsperf', ...args] : ['dnsperf', ...args];
  const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let cpuS = 0;
  const cpuTimer = setInterval(() => {
    try {
      cpuS = cpuSeconds(proc.pid!, false);
    } catch {
      /* exited */
    }
  }, 100);
  const latencies: number[] = [];
  let summary = '';
  let partial = '';
  let notNoerror = 0;
  proc.stdout.on('data', (c: Buffer) => {
    const text = partial + c.toString('latin1');
    const lines = text.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('> ')) {
        // "> NOERROR svc-000001.bench-001.svc.cluster.local A 0.000161"
        const sp = line.lastIndexOf(' ');
        latencies.push(Number(line.slice(sp + 1)) * 1000);
        if (!line.startsWith('> NOERROR ')) notNoerror++;
      } else summary += line + '\n';
    }
  });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4096);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', resolve);
  });
  clearInterval(cpuTimer);
  summary += partial;
  const field = (label: string): number => {
    const m = new RegExp(`${label.replace(/[()]/g, '\\$&')}\\s+([0-9.]+)`).exec(summary);
    if (!m) throw new Error(`dnsperf (exit ${code}) printed no "${label}"; stderr: ${stderr}\n${summary.slice(-1500)}`);
    return Number(m[1]);
  };
  const rcodes = /Response codes:\s+(.*)/.exec(summary)?.[1] ?? '';
  if (!s.perQuery)
    for (const m of rcodes.matchAll(/([A-Z]+) (\d+)/g)) if (m[1] !== 'NOERROR') notNoerror += Number(m[2]);
  const maxMs = Number(/max ([0-9.]+)\)/.exec(summary)?.[1] ?? NaN) * 1000;
  return {
    sent: field('Queries sent:'),
    completed: field('Queries completed:'),
    lost: field('Queries lost:'),
    qps: field('Queries per second:'),
    meanMs: field('Average Latency (s):') * 1000,
    maxMs,
    notNoerror,
    latenciesMs: s.perQuery ? Float64Array.from(latencies) : undefined,
    cpuS,
  };
}

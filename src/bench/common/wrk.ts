/** Debian's wrk (4.1), run and parsed: one thread, keep-alive or a new connection per request. */
import { run } from '../../host/exec.js';
import { pinned } from './netns.js';

export interface WrkResult {
  requestsPerSec: number;
  requests: number;
  socketErrors: number;
  non2xx: number;
  /** Mean latency (wrk always prints it); NaN when absent. */
  latencyAvgMs: number;
  /** From `--latency`'s distribution; NaN without it. */
  latencyP99Ms: number;
}

interface WrkOptions {
  url: string;
  seconds: number;
  connections: number;
  /** A new connection per request (`Connection: close`), as a browser without keep-alive. */
  close?: boolean;
  /** Print the latency distribution (p99). */
  latency?: boolean;
  /** Extra request headers, "Name: value". */
  headers?: string[];
  /** Run inside this network namespace instead of the caller's. */
  netns?: string;
  /** Pin wrk to this CPU (taskset) when the machine has it. */
  cpu?: number;
}

const toMs = (v: string, unit: string): number => {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
};

/** wrk's text report -> numbers; throws when it printed no rate. */
export function parseWrk(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`wrk printed no rate:\n${out.slice(0, 500)}`);
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const avg = /Latency\s+([\d.]+)(us|ms|s|m)\b/.exec(out);
  const p99 = /\b99%\s+([\d.]+)(us|ms|s|m)\b/.exec(out);
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requestsPerSec: Number(rps[1]),
    requests: num(/(\d+) requests in/),
    socketErrors: errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    latencyAvgMs: avg ? toMs(avg[1]!, avg[2]!) : NaN,
    latencyP99Ms: p99 ? toMs(p99[1]!, p99[2]!) : NaN,
  };
}

export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const argv = [
    ...(o.netns ? ['ip', 'netns', 'exec', o.netns] : []),
    ...(o.cpu === undefined ? [] : pinned(o.cpu)),
    'wrk',
    '-t1',
    `-c${o.connections}`,
    `-d${o.seconds}s`,
    ...(o.latency ? ['--latency'] : []),
    ...(o.close ? ['-H', 'Connection: close'] : []),
    ...(o.headers ?? []).flatMap((h) => ['-H', h]),
    o.url,
  ];
  const r = await run(argv, { timeoutMs: (o.seconds + 30) * 1000 });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr || r.stdout}`);
  return parseWrk(r.stdout);
}

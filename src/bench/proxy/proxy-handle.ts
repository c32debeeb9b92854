/**
 * The driver's handle on one proxy process: its sync reports, waiting for
 * it to be idle, its memory from /proc, and stopping it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProxyProcessConfig, SyncLine } from './proxy-process.js';

const ENTRY = fileURLToPath(new URL('./proxy-process.js', import.meta.url));

export interface ProxyHandle {
  pid: number;
  /** performance.now() when the process was spawned. */
  spawnedAt: number;
  /** Every sync so far, with `seenAt` (performance.now() when its line arrived). */
  syncs: (SyncLine & { seenAt: number })[];
  /** Resolves with the first sync whose line arrives after `after` (performance.now()) and passes `pred`. */
  waitSync(after: number, pred?: (s: SyncLine) => boolean, timeoutMs?: number): Promise<SyncLine & { seenAt: number }>;
  /** Resolves once no sync has reported for a while (longer than the last sync took): the proxy is idle. */
  waitIdle(timeoutMs?: number): Promise<void>;
  memory(): { rssMiB: number; hwmMiB: number };
  stop(): Promise<void>;
  stderrTail(): string;
}

export function spawnProxy(cfg: ProxyProcessConfig, nodeArgs: string[] = []): ProxyHandle {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, ENTRY], {
    env: { ...process.env, PODNET_BENCH_PROXY: JSON.stringify(cfg) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const syncs: ProxyHandle['syncs'] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let buf = '';
  let exited = false;
  child.once('exit', () => {
    exited = true;
    for (const w of waiters) w();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-8192);
  });
  child.stdout.on('data', (c: Buffer) => {
    buf += c.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith('{')) syncs.push({ ...(JSON.parse(line) as SyncLine), seenAt: performance.now() });
    }
    for (const w of waiters) w();
  });
  const waitSync: ProxyHandle['waitSync'] = (after, pred = () => true, timeoutMs = 600_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const s = syncs.find((x) => x.seenAt > after && pred(x));
        if (s) {
          done();
          resolve(s);
        } else if (exited) {
          done();
          reject(new Error(`proxy exited: ${stderr.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no proxy sync within ${timeoutMs} ms; proxy stderr: ${stderr.slice(-2000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const waitIdle = async (timeoutMs = 600_000): Promise<void> => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const last = syncs.at(-1);
      const quietMs = Math.max(150, (last?.ms ?? 0) * 1.5 + 100);
      const since = performance.now() - (last?.seenAt ?? spawnedAt);
      if (since >= quietMs) return;
      if (performance.now() > deadline) throw new Error('proxy never went idle');
      await new Promise((r) => setTimeout(r, Math.min(50, quietMs - since)));
    }
  };
  const memory = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kib = (f: string) => Number(new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
  };
  const stop = async () => {
    if (exited) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      child.kill('SIGTERM');
    });
  };
  return { pid: child.pid!, spawnedAt, syncs, waitSync, waitIdle, memory, stop, stderrTail: () => stderr };
}

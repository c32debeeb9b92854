/**
 * bench/router: podnet router against a hand-written HAProxy and nginx on
 * the same cores and backends (requests/s, p99), how fast endpoint and
 * route changes go live, and 10,000 routes. main creates the
 * `podnet-tb<id>` namespace, runs the driver inside it, and removes the
 * namespace with everything in it at the end, on failure or on Ctrl-C;
 * then prints the table and writes the JSON and the chart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../host/exec.js';
import { parseHostStat } from '../apiserver/cpu-usage.js';
import { killAndWait, pinned } from '../common/netns.js';
import { renderChart } from './chart.js';
import type { DriverResult } from './driver.js';
import { CLIENT_CPU, createRouterNet, type RouterNet } from './net.js';
import { freshNeeded, parseOptions, USAGE } from './options.js';
import { ANCHORS, checkGoals, GOALS, summarizeResult, table } from './report.js';

const DRIVER = fileURLToPath(new URL('./driver.js', import.meta.url));
const BENCH_DIR = fileURLToPath(new URL('../../../bench/router', import.meta.url));

let opts;
try {
  opts = parseOptions(process.argv.slice(2), BENCH_DIR);
} catch (e) {
  process.stderr.write(`bench/router: ${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (opts === 'help') {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  process.stderr.write('bench/router needs root (it creates a network namespace)\n');
  process.exit(1);
}
const TOOLS: [string, string][] = [
  ['haproxy', 'haproxy'],
  ['nginx', 'nginx-light'],
  ['wrk', 'wrk'],
  ['taskset', 'util-linux'],
  ['ip', 'iproute2'],
  ['prlimit', 'util-linux'],
];
for (const [tool, pkg] of TOOLS)
  if ((await run(['sh', '-c', `command -v ${tool}`])).code !== 0) {
    process.stderr.write(`bench/router needs ${tool} (Debian: apt-get install -y ${pkg})\n`);
    process.exit(1);
  }

const ns = `podnet-tb${Math.random().toString(36).slice(2, 8)}`;
const tmp = mkdtempSync(join(tmpdir(), 'podnet-bench-router-'));
let net: RouterNet | undefined;
let driver: ChildProcess | undefined;
const cleanup = async () => {
  if (driver) await killAndWait(driver);
  await net?.destroy();
  rmSync(tmp, { recursive: true, force: true });
};
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    interrupted = true;
    process.stderr.write(`\n${sig}: cleaning up\n`);
    void cleanup().finally(() => process.exit(130));
  });

const firstLine = async (argv: string[]) => {
  const r = await run(argv);
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
};

/** This process's open-file limit (hard), from /proc. */
function hardNofile(): number {
  const m = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m?.[1] === 'unlimited' ? Infinity : Number(m?.[1] ?? NaN);
}

try {
  const d = opts.driver;
  // Raising the hard limit needs CAP_SYS_RESOURCE; without it every process keeps the limit it has.
  const raised = (await run(['prlimit', `--nofile=${opts.nofile}:${opts.nofile}`, 'true'])).code === 0;
  const nofile = raised ? opts.nofile : hardNofile();
  if (!raised)
    process.stderr.write(
      `bench/router: cannot raise the open-file limit to ${opts.nofile} here (no CAP_SYS_RESOURCE); every process keeps ${nofile}\n`,
    );
  // HAProxy 2.6 reserves a socket per health-checked server on top of ~240 of its own.
  const haproxyFds = d.routes * d.endpointsPerRoute + 240;
  if (d.phases.includes('scale') && haproxyFds > nofile)
    process.stderr.write(
      `bench/router: warning: HAProxy will want ~${haproxyFds} open files for ${d.routes} routes x ${d.endpointsPerRoute} endpoints, over the limit of ${nofile}: expect it to refuse to start (try --endpoints-per-route 1)\n`,
    );
  net = await createRouterNet(ns, freshNeeded(d));
  process.stderr.write(
    `bench/router: namespace ${ns}; ${d.pin ? `client side on CPU ${CLIENT_CPU}, proxies and backends on the other` : 'unpinned'}\n`,
  );
  const out = join(tmp, 'driver.json');
  const busy0 = parseHostStat(readFileSync('/proc/stat', 'utf8'));
  const load = loadavg();
  const t0 = Date.now();
  await new Promise<void>((resolve, reject) => {
    const argv = [
      // The same open-file limit for every process, whatever the shell that started the bench had.
      ...(raised ? ['prlimit', `--nofile=${opts.nofile}:${opts.nofile}`] : []),
      'ip',
      'netns',
      'exec',
      ns,
      ...(d.pin ? pinned(CLIENT_CPU) : []),
      process.execPath,
      DRIVER,
      '--config',
      JSON.stringify(d),
      '--out',
      out,
      '--tmp',
      tmp,
    ];
    // TMPDIR: the API server's state dir goes inside tmp too, so nothing is left behind whatever happens.
    driver = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, TMPDIR: tmp },
    });
    driver.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`the driver exited with code ${code} signal ${signal}`)),
    );
  });
  driver = undefined;
  const wallSeconds = (Date.now() - t0) / 1000;
  const hostBusyCores = (parseHostStat(readFileSync('/proc/stat', 'utf8')) - busy0) / wallSeconds;
  const raw = JSON.parse(readFileSync(out, 'utf8')) as DriverResult;
  const summary = summarizeResult(raw);
  const goals = checkGoals(summary);
  process.stdout.write(`${table(summary, goals, d)}\n`);
  process.stdout.write(
    `${wallSeconds.toFixed(0)} s, host busy ${hostBusyCores.toFixed(2)} of ${cpus().length} cores on average (this bench included), load average at start ${load.map((x) => x.toFixed(1)).join(' ')}\n`,
  );
  if (opts.quick || d.routes < 10_000 || d.rounds < 6)
    process.stdout.write(
      'note: scaled-down run; the goals are stated for 10,000 routes and intervals need 6+ rounds\n',
    );
  if (raw.routerErrors.length)
    process.stdout.write(`router errors:\n  ${raw.routerErrors.slice(0, 20).join('\n  ')}\n`);
  const host = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    kernel: (await run(['uname', '-r'])).stdout.trim(),
    haproxy: await firstLine(['haproxy', '-v']),
    nginx: await firstLine(['nginx', '-v']),
    wrk: await firstLine(['wrk', '-v']),
  };
  writeFileSync(
    opts.out,
    `${JSON.stringify({ date: new Date().toISOString(), options: opts, nofile, host, wallSeconds, hostBusyCores, loadavgStart: load, goals: GOALS, anchors: ANCHORS, goalChecks: goals, summary, raw }, null, 1)}\n`,
  );
  const note = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${host.cpus} shared cores (host busy ${hostBusyCores.toFixed(1)} on average), ${d.pin ? 'wrk on CPU 0, proxies + backends on CPU 1' : 'unpinned'}, nofile ${nofile}; wrk -t1 -c${d.connections}, ${d.rounds} rounds of ${d.seconds} s; whiskers: 95 % intervals of the median ratios`;
  writeFileSync(opts.chart, renderChart(summary, note));
  process.stdout.write(`wrote ${opts.out} and ${opts.chart}\n`);
} catch (e) {
  if (!interrupted)
    process.stderr.write(`bench/router failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
} finally {
  if (!interrupted) await cleanup();
}

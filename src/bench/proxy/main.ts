/**
 * bench/proxy: the service proxy's network-programming latency, full-sync
 * time and memory, and connection rate, nftables and iptables modes side
 * by side in one run. Each mode gets fresh `podnet-t<id><m>` namespaces
 * (main creates and removes them, even on failure or Ctrl-C) and a driver
 * process inside them; this process prints the table and writes the JSON
 * and the chart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../host/exec.js';
import { parseHostStat } from '../apiserver/cpu-usage.js';
import { renderChart } from './chart.js';
import type { ModeResult } from './mode-driver.js';
import { createBenchNet, type BenchNet } from './netns.js';
import { parseOptions, USAGE, type DriverConfig } from './options.js';
import { checkGoals, summarizeMode, table, ANCHORS, GOALS } from './report.js';

const DRIVER = fileURLToPath(new URL('./mode-driver.js', import.meta.url));
const BENCH_DIR = fileURLToPath(new URL('../../../bench/proxy', import.meta.url));

const opts = parseOptions(process.argv.slice(2), BENCH_DIR);
if (opts === 'help') {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  process.stderr.write('bench/proxy needs root (it creates network namespaces)\n');
  process.exit(1);
}
for (const tool of ['nft', 'iptables-restore', 'nginx', 'wrk', 'ss']) {
  if ((await run(['sh', '-c', `command -v ${tool}`])).code !== 0) {
    process.stderr.write(
      `bench/proxy needs ${tool} (Debian: apt-get install -y ${tool === 'iptables-restore' ? 'iptables' : tool === 'ss' ? 'iproute2' : tool})\n`,
    );
    process.exit(1);
  }
}

const id = Math.random().toString(36).slice(2, 7);
let net: BenchNet | undefined;
let driver: ChildProcess | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'podnet-bench-proxy-'));
const cleanup = async () => {
  driver?.kill('SIGTERM');
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

const hostBusy = () => parseHostStat(readFileSync('/proc/stat', 'utf8'));

function runDriver(ns: string, cfg: DriverConfig, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    driver = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, DRIVER, '--config', JSON.stringify(cfg), '--out', out],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    driver.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cfg.mode} driver exited with code ${code} signal ${signal}`)),
    );
  });
}

const results: (ModeResult & { wallSeconds: number; othersBusyCores: number; loadavgStart: number[] })[] = [];
try {
  for (const mode of opts.modes) {
    net = await createBenchNet(`podnet-t${id}${mode[0]}`);
    process.stderr.write(`${mode}: namespaces ${net.nodeNs}, ${net.podNs}, ${net.clientNs}\n`);
    const out = join(tmp, `${mode}.json`);
    const t0 = Date.now();
    const busy0 = hostBusy();
    const load = loadavg();
    await runDriver(net.nodeNs, { mode, clientNs: net.clientNs, ...opts.driver }, out);
    const wallSeconds = (Date.now() - t0) / 1000;
    // Whole-host busy cores during the mode (ours included): how crowded the machine was.
    const othersBusyCores = (hostBusy() - busy0) / wallSeconds;
    results.push({
      ...(JSON.parse(readFileSync(out, 'utf8')) as ModeResult),
      wallSeconds,
      othersBusyCores,
      loadavgStart: load,
    });
    driver = undefined;
    await net.destroy();
    net = undefined;
  }
  const summaries = results.map(summarizeMode);
  const largest = opts.driver.scales.at(-1)!;
  const goals = checkGoals(summaries, largest);
  process.stdout.write(`${table(summaries, goals)}\n`);
  for (const r of results)
    process.stdout.write(
      `${r.mode}: ${r.wallSeconds.toFixed(0)} s, host busy ${r.othersBusyCores.toFixed(2)} of ${cpus().length} cores on average (this bench included), load average at start ${r.loadavgStart.map((x) => x.toFixed(1)).join(' ')}\n`,
    );
  if (opts.quick || largest < 10_000)
    process.stdout.write('note: scaled-down run; the goals are stated for 10,000 Services x 10 endpoints\n');
  const host = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    kernel: (await run(['uname', '-r'])).stdout.trim(),
    nft: (await run(['nft', '-v'])).stdout.trim(),
    iptables: (await run(['iptables', '-V'])).stdout.trim(),
  };
  writeFileSync(
    opts.out,
    `${JSON.stringify({ date: new Date().toISOString(), options: opts, host, goals: GOALS, anchors: ANCHORS, goalChecks: goals, summaries, raw: results }, null, 1)}\n`,
  );
  const note = `${new Date().toISOString().slice(0, 10)}, ${host.cpus} shared cores, host busy ${results.map((r) => `${r.mode} ${r.othersBusyCores.toFixed(1)}`).join(' / ')} cores on average; latency n=${opts.driver.samples * 2} per size per mode; whiskers: 95 % intervals of the connection-rate ratios`;
  writeFileSync(opts.chart, renderChart(summaries, note));
  process.stdout.write(`wrote ${opts.out} and ${opts.chart}\n`);
} catch (e) {
  if (!interrupted)
    process.stderr.write(`bench/proxy failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
} finally {
  if (!interrupted) await cleanup();
}

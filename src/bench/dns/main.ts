/**
 * bench/dns: dnsperf against `podnet dns` and against dnsmasq serving the
 * same names, side by side on the same CPUs, at each scale; plus how fast
 * API changes show up in podnet's answers. See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchClient } from '../apiserver/http-client.js';
import { spawnApiServer, type ServerProcess } from '../apiserver/server-process.js';
import { renderChart } from './chart.js';
import { stopAllChildren } from '../common/child.js';
import { loadAverage } from './host-load.js';
import { HelpRequested, parseOptions } from './options.js';
import { createNamespaces, createServices } from './population.js';
import { ANCHOR, GOALS, formatTable, rows } from './report.js';
import { runScale, type ScaleResult } from './scale-run.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const log = (m: string) => process.stderr.write(m + '\n');

function version(cmd: string, args: string[], pattern: RegExp): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return pattern.exec(out)?.[1] ?? 'unknown';
  } catch (e) {
    throw new Error(
      `bench/dns needs ${cmd} (Debian package ${cmd === 'taskset' ? 'util-linux' : cmd}): ${(e as Error).message}`,
      { cause: e },
    );
  }
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2), {
      out: here('../../../bench/dns/results.json'),
      chart: here('../../../bench/dns/chart.svg'),
    });
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(e.message + '\n');
      return 0;
    }
    log(`bench/dns: ${(e as Error).message}`);
    return 2;
  }
  const tools = {
    dnsmasq: version('dnsmasq', ['--version'], /Dnsmasq version (\S+)/),
    dnsperf: version('dnsperf', ['-h'], /Version (\S+)/),
    ...(opts.serverCpus || opts.clientCpus ? { taskset: version('taskset', ['--version'], /(\d+\.\S+)/) } : {}),
  };
  const tmp = mkdtempSync(join(tmpdir(), 'podnet-bench-dns-'));
  let api: ServerProcess | undefined;
  let client: BenchClient | undefined;
  const cleanup = async () => {
    await stopAllChildren();
    client?.close();
    await api?.stop();
    rmSync(tmp, { recursive: true, force: true });
  };
  // Ctrl-C: the finally blocks stop every child; a second Ctrl-C exits at once.
  process.once('SIGINT', () => {
    log('interrupted; stopping servers...');
    void cleanup().finally(() => process.exit(130));
  });
  // A bug that escapes as an unhandled rejection must not leave servers running either.
  process.once('unhandledRejection', (e) => {
    log(`bench/dns: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    void cleanup().finally(() => process.exit(1));
  });
  try {
    const loadStart = loadAverage();
    log(
      `bench/dns: scales ${opts.scales.join(', ')}; servers on CPUs ${opts.serverCpus || 'any'}, dnsperf on ${opts.clientCpus || 'any'}; load average ${loadStart.one} ${loadStart.five} ${loadStart.fifteen}`,
    );
    // This process (it reads every query's latency from dnsperf while a run goes on) and the API
    // server share the client's CPUs, off the measured servers' CPU.
    if (opts.clientCpus)
      execFileSync('taskset', ['-a', '-p', '-c', opts.clientCpus, String(process.pid)], { stdio: 'ignore' });
    api = await spawnApiServer({
      mode: 'bare',
      nodeArgs: [],
      verbose: opts.verbose,
      cpus: opts.clientCpus || undefined,
    });
    client = new BenchClient(api.url, api.token, api.caPem, opts.concurrency);
    await createNamespaces(client, opts.namespaces);
    const results: ScaleResult[] = [];
    let created = 0;
    for (const n of opts.scales) {
      log(`creating Services ${created}..${n - 1} through the API...`);
      const createS = await createServices(client, created, n, opts.namespaces, opts.concurrency, (d) =>
        log(`  ${d.toLocaleString('en-US')} Services`),
      );
      created = n;
      log(`scale ${n.toLocaleString('en-US')} (created in ${createS.toFixed(1)} s):`);
      results.push(await runScale({ opts, client, api, tmp, log }, n, createS));
    }
    const table = rows(results);
    process.stdout.write('\n' + formatTable(table) + '\n');
    const loadEnd = loadAverage();
    const maxOther = Math.max(...results.flatMap((s) => s.runs.map((r) => r.otherCores)));
    const note = `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), servers pinned to ${opts.serverCpus || 'any'}, dnsperf ${opts.clientCpus || 'any'}; load ${loadStart.one} at start, ${loadEnd.one} at end; others used up to ${maxOther.toFixed(2)} cores during a run`;
    process.stdout.write(`\n${note}\n`);
    writeFileSync(
      opts.out,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          options: opts,
          tools,
          host: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadStart, loadEnd },
          goals: GOALS,
          anchor: ANCHOR,
          table,
          scales: results,
        },
        null,
        2,
      ) + '\n',
    );
    writeFileSync(opts.chart, renderChart(results, note));
    log(`wrote ${opts.out} and ${opts.chart}`);
    return 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    log(`bench/dns: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);

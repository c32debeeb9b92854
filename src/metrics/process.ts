/**
 * The process_* and nodejs_* metrics every podnet process serves beside its
 * own, named as Prometheus's client libraries name them (process_* as the
 * Go and Node clients do, nodejs_* as prom-client does), so the usual
 * dashboards and alerts work unchanged. Read when scraped; nothing runs
 * in between.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const gauge = (name: string, help: string, value: number, type = 'gauge') =>
  `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;

function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1; // the directory handle readdir itself holds
  } catch {
    return undefined; // not Linux: the metric is left out
  }
}

function maxFds(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // not Linux: the metric is left out
  }
}

/** vsize from /proc/self/stat (field 23; the command name in field 2 may hold spaces, so count from its ")"). */
function virtualBytes(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[20]);
  } catch {
    return undefined; // not Linux: the metric is left out
  }
}

/** The metrics as Prometheus text. */
export function processMetricsText(): string {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  let out =
    gauge(
      'process_cpu_seconds_total',
      'Total user and system CPU time spent in seconds.',
      (cpu.user + cpu.system) / 1e6,
      'counter',
    ) +
    gauge('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', cpu.user / 1e6, 'counter') +
    gauge('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.', cpu.system / 1e6, 'counter') +
    gauge(
      'process_start_time_seconds',
      'Start time of the process since unix epoch in seconds.',
      Math.round(performance.timeOrigin) / 1000,
    ) +
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', mem.rss);
  const vsize = virtualBytes();
  if (vsize !== undefined) out += gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.', vsize);
  const fds = openFds();
  if (fds !== undefined) out += gauge('process_open_fds', 'Number of open file descriptors.', fds);
  const max = maxFds();
  if (max !== undefined) out += gauge('process_max_fds', 'Maximum number of open file descriptors.', max);
  out +=
    gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', mem.heapTotal) +
    gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', mem.heapUsed) +
    gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', mem.external);
  const spaces = getHeapSpaceStatistics();
  out += '# HELP nodejs_heap_space_size_used_bytes Process heap space size used from Node.js in bytes.\n';
  out += '# TYPE nodejs_heap_space_size_used_bytes gauge\n';
  for (const s of spaces)
    out += `nodejs_heap_space_size_used_bytes{space="${s.space_name.replace(/_space$/, '')}"} ${s.space_used_size}\n`;
  const [major, minor, patch] = process.versions.node.split('.');
  out += `# HELP nodejs_version_info Node.js version info.\n# TYPE nodejs_version_info gauge\nnodejs_version_info{version="${process.version}",major="${major}",minor="${minor}",patch="${patch}"} 1\n`;
  return out;
}

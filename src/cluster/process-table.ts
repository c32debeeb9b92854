/**
 * The processes `up` runs (API server, one agent per node) and what to do
 * with each given what is recorded in DIR/pids and what is alive. Pure.
 */

/** What DIR/pids/<name>.json holds. */
export interface ProcessRecord {
  name: string;
  pid: number;
  /** /proc/<pid>/stat start time: tells this process from a later one with the same pid. */
  startTime: string;
  argv: string[];
  /** A string the process's command line must contain (its --state path) before we signal it. */
  marker: string;
}

export interface DesiredProcess {
  name: string;
  argv: string[];
  marker: string;
  log: string;
}

type ProcessAction =
  | { name: string; action: 'keep'; pid: number }
  | { name: string; action: 'start'; reason: string }
  | { name: string; action: 'restart'; reason: string; record: ProcessRecord };

export interface Observed {
  record: ProcessRecord;
  alive: boolean;
}

const sameArgv = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Keep what runs with the wanted arguments, start what is missing or dead, restart what runs with other arguments. */
export function planProcesses(
  desired: readonly DesiredProcess[],
  observed: ReadonlyMap<string, Observed>,
): ProcessAction[] {
  return desired.map((d): ProcessAction => {
    const o = observed.get(d.name);
    if (!o) return { name: d.name, action: 'start', reason: 'not started yet' };
    if (!o.alive) return { name: d.name, action: 'start', reason: `pid ${o.record.pid} is gone` };
    if (!sameArgv(o.record.argv, d.argv))
      return { name: d.name, action: 'restart', reason: 'its arguments changed', record: o.record };
    return { name: d.name, action: 'keep', pid: o.record.pid };
  });
}

/** Does a live process (its stat start time and argv) still match the record? */
export function recordMatches(record: ProcessRecord, live: { startTime: string; argv: string[] } | undefined): boolean {
  return live !== undefined && live.startTime === record.startTime && live.argv.some((a) => a.includes(record.marker));
}

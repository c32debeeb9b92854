/**
 * Starting and stopping the detached processes of a cluster. Each runs in
 * its own session (setsid via spawn's detached), so `up` can exit and a
 * whole process group can be signalled at once.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pidFile, pidsDir } from './paths.js';
import { isRunning, readCmdline, readStat } from './procfs.js';
import { recordMatches, type DesiredProcess, type ProcessRecord } from './process-table.js';

export function readRecord(dir: string, name: string): ProcessRecord | undefined {
  const path = pidFile(dir, name);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ProcessRecord;
  } catch {
    return undefined;
  }
}

export function listRecords(dir: string): ProcessRecord[] {
  if (!existsSync(pidsDir(dir))) return [];
  return readdirSync(pidsDir(dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => readRecord(dir, f.slice(0, -'.json'.length)))
    .filter((r): r is ProcessRecord => r !== undefined);
}

export const removeRecord = (dir: string, name: string): void => rmSync(pidFile(dir, name), { force: true });

/** Is the recorded process still that process (same start time, our --state in its command line)? */
export function isRecordAlive(record: ProcessRecord): boolean {
  const stat = readStat(record.pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return recordMatches(record, { startTime: stat.startTime, argv: readCmdline(record.pid) });
}

/** Starts a process in a new session with stdout+stderr appended to its log; records it in DIR/pids. */
export function startDetached(dir: string, proc: DesiredProcess): ProcessRecord {
  mkdirSync(dirname(proc.log), { recursive: true });
  mkdirSync(pidsDir(dir), { recursive: true });
  const log = openSync(proc.log, 'a');
  let pid: number | undefined;
  try {
    writeFileSync(log, `--- ${new Date().toISOString()} podnet up starts: ${proc.argv.map(redact).join(' ')}\n`);
    const child = spawn(proc.argv[0]!, proc.argv.slice(1), { detached: true, stdio: ['ignore', log, log] });
    child.on('error', () => undefined); // reported below via the missing pid
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(log);
  }
  const stat = pid === undefined ? undefined : readStat(pid);
  if (pid === undefined || !stat)
    throw new Error(`cannot start ${proc.name} (${proc.argv[0]}); see ${proc.log} and run "podnet doctor"`);
  const record: ProcessRecord = {
    name: proc.name,
    pid,
    startTime: stat.startTime,
    argv: proc.argv,
    marker: proc.marker,
  };
  // 0600: the argv holds the node's bearer token.
  writeFileSync(pidFile(dir, proc.name), JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  return record;
}

/** Hide bearer tokens in what goes to log files. */
export function redact(arg: string, i: number, all: string[]): string {
  if (arg.startsWith('--token=')) return '--token=<redacted>';
  return i > 0 && all[i - 1] === '--token' ? '<redacted>' : arg;
}

export interface KillTarget {
  pid: number;
  /** signal the whole process group (pid is its leader) */ group: boolean;
}

function signal(t: KillTarget, sig: NodeJS.Signals): void {
  try {
    process.kill(t.group ? -t.pid : t.pid, sig);
  } catch {
    /* already gone */
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL for whatever still runs after graceMs. Returns the pids still running at the end. */
export async function terminate(targets: readonly KillTarget[], graceMs = 3000): Promise<number[]> {
  for (const t of targets) signal(t, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let left = targets.filter((t) => isRunning(t.pid));
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = left.filter((t) => isRunning(t.pid));
  }
  for (const t of left) signal(t, 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (left.length > 0 && Date.now() < killDeadline) {
    await sleep(50);
    left = left.filter((t) => isRunning(t.pid));
  }
  return left.map((t) => t.pid);
}

/**
 * HAProxy's Runtime API (the admin socket) and master CLI, over their unix
 * sockets. Commands are pipelined on one connection in interactive mode,
 * where every answer ends with a prompt, so each command gets its own reply.
 */
import { createConnection } from 'node:net';

const PROMPT = '\n> ';

/** Sends commands on one connection; resolves with one reply per command (without the prompt). */
export function runCommands(socketPath: string, commands: string[], timeoutMs = 10_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(socketPath);
    const expected = commands.length + 1; // the prompt after "prompt" itself, then one per command
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`HAProxy's socket ${socketPath} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const chunks: string[] = [];
    const counter = new PromptCounter();
    const finish = (err?: Error) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) return reject(err);
      const parts = chunks.join('').split(PROMPT);
      // parts[0] is what preceded the first prompt (nothing); the last part follows the final prompt.
      resolve(parts.slice(1, expected).map((p) => p.replace(/\n+$/, '')));
    };
    let bytes = 0;
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      chunks.push(d);
      bytes += d.length;
      if (counter.push(d) >= expected) finish();
    });
    sock.on('error', (e) => finish(new Error(`HAProxy's socket ${socketPath}: ${e.message}`)));
    sock.on('close', () => {
      if (counter.prompts < expected) finish(new Error(`HAProxy closed ${socketPath} after ${bytes} bytes`));
    });
    sock.write(['prompt', ...commands].join('\n') + '\n');
  });
}

/**
 * Counts the prompts in a reply as it arrives, looking at each chunk once
 * (with the end of the one before, for a prompt split across two): at
 * 10,000 routes a reply runs to megabytes in many chunks, and rescanning
 * the growing text per chunk cost seconds.
 */
export class PromptCounter {
  prompts = 0;
  private carry = '';

  /** Adds a chunk; returns the prompts seen so far. */
  push(chunk: string): number {
    const text = this.carry + chunk;
    let next = 0;
    for (let i = text.indexOf(PROMPT); i >= 0; i = text.indexOf(PROMPT, next)) {
      this.prompts++;
      next = i + PROMPT.length;
    }
    this.carry = text.slice(Math.max(next, text.length - PROMPT.length + 1));
    return this.prompts;
  }
}

/** One command on a fresh connection, read to the end (the master CLI's "reload" closes it). */
export function runOnce(socketPath: string, command: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(socketPath);
    let text = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`HAProxy's socket ${socketPath} did not answer "${command}" within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (text += d));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`HAProxy's socket ${socketPath}: ${e.message}`));
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    sock.end(command + '\n');
  });
}

export interface ProcInfo {
  masterPid: number;
  reloads: number;
  failedReloads: number;
  workers: number[];
}

/** Parses the master CLI's "show proc". */
export function parseShowProc(text: string): ProcInfo | undefined {
  let masterPid = 0,
    reloads = 0,
    failedReloads = 0;
  const workers: number[] = [];
  let section = 'master';
  for (const line of text.split('\n')) {
    if (line.startsWith('# workers')) section = 'workers';
    else if (line.startsWith('# old workers')) section = 'old';
    else if (line.startsWith('#')) section = line.startsWith('# programs') ? 'programs' : section;
    const m = /^(\d+)\s+(\w+)\s+(\d+)(?:\s+\[failed: (\d+)\])?/.exec(line);
    if (!m) continue;
    if (m[2] === 'master') {
      masterPid = Number(m[1]);
      reloads = Number(m[3]);
      failedReloads = Number(m[4] ?? 0);
    } else if (m[2] === 'worker' && section === 'workers') workers.push(Number(m[1]));
  }
  return masterPid ? { masterPid, reloads, failedReloads, workers } : undefined;
}

interface ServerState {
  backend: string;
  server: string;
  address: string;
  port: number;
  /** In maintenance (set by us or the config). */
  maint: boolean;
}

/** Parses "show servers state": version line, header, then one row per server. */
export function parseServersState(text: string): ServerState[] {
  const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
  const out: ServerState[] = [];
  for (const line of lines.slice(1)) {
    const f = line.split(' ');
    if (f.length < 19) continue;
    const admin = Number(f[6]);
    // srv_admin_state bits: 0x01 forced maint, 0x02 inherited maint, 0x04 config maint; 0x08 drain.
    out.push({ backend: f[1]!, server: f[3]!, address: f[4]!, port: Number(f[18]), maint: (admin & 0x07) !== 0 });
  }
  return out;
}

/** Parses "show map FILE": "<ref> <key> <value>" per entry. */
export function parseShowMap(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^0x[0-9a-f]+ (\S+) (\S+)$/.exec(line);
    if (m && !out.has(m[1]!)) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** The "description" line of "show info". */
export function parseDescription(info: string): string {
  return /^description: (.*)$/m.exec(info)?.[1]?.trim() ?? '';
}

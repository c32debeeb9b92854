/**
 * Network namespaces a benchmark creates for itself, and the processes in
 * them: pinning to a CPU, waiting for a listener, and ending whatever a
 * namespace of ours still runs before it is deleted.
 */
import type { ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { run } from '../../host/exec.js';

/** `taskset -c CPU` when the machine has that CPU, else nothing (the command runs unpinned). */
export const pinned = (cpu: number): string[] => (cpus().length > cpu ? ['taskset', '-c', String(cpu)] : []);

export async function netnsExists(ns: string): Promise<boolean> {
  return (await run(['ip', 'netns', 'list'])).stdout.split('\n').some((l) => l.split(' ')[0] === ns);
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. */
export async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
    }, 5000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Ends whatever still runs inside a namespace of ours (all started by the benchmark). */
async function killInside(ns: string): Promise<void> {
  const r = await run(['ip', 'netns', 'pids', ns]);
  for (const pid of r.stdout.split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Waits until something in `ns` listens on TCP `port`; `err` says why not when it never does. */
export async function waitForListen(ns: string, port: number, what: string, err: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await run(['ip', 'netns', 'exec', ns, 'ss', '-Htln', `sport = :${port}`]);
    if (r.stdout.trim()) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`${what} did not listen on :${port} in ${ns}: ${err() || 'no output'}`);
}

/** Ends every process inside `ns`, then deletes it (no error when it is already gone). */
export async function deleteNetns(ns: string): Promise<void> {
  await killInside(ns);
  await run(['ip', 'netns', 'delete', ns]);
}

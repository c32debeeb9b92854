/**
 * When a supervised process that died is started again: kubelet-style
 * crash-loop backoff (1 s doubling to 30 s), forgotten once a run lasted a
 * minute. Pure; supervise-child.ts applies it.
 */

const FIRST_RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A run this long counts as healthy: the next crash starts the backoff over. */
const HEALTHY_RUN_MS = 60_000;

/** The delay before the next start, given the previous delay (0 before any restart) and how long the run lasted. */
export function nextRestartDelay(previousDelayMs: number, ranForMs: number): number {
  if (previousDelayMs === 0 || ranForMs >= HEALTHY_RUN_MS) return FIRST_RESTART_DELAY_MS;
  return Math.min(previousDelayMs * 2, MAX_RESTART_DELAY_MS);
}

/** The supervised command line: ARGS without the supervisor's own flags (`--supervise`, `--max-heap[=]MIB`). */
export function childArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--supervise' || a === '--supervise=true' || a.startsWith('--max-heap=')) continue;
    if (a === '--max-heap') {
      i += 1;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** What the log says about a child's end: "exited with status 1", "was killed by SIGKILL". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory?)' : ''}`;
  return `exited with status ${code ?? '?'}`;
}

/** What the supervisor logs when its child died: "node exited with status 2; starting it again in 1 s". */
export function restartNotice(
  name: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  delayMs: number,
): string {
  return `${name} ${describeExit(code, signal)}; ${RESTART_WORDS} ${delayMs / 1000} s`;
}

const RESTART_WORDS = 'starting it again in';

/** Whether a supervisor's log text says its child died (and is being started again). */
export const mentionsRestart = (logText: string): boolean => logText.includes(RESTART_WORDS);

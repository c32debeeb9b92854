/**
 * `--supervise` for the long-running components `podnet up` starts (API
 * server, node agent, console): the process runs its own command line,
 * minus the supervisor's flags, as a child with a bounded heap and starts it
 * again when it dies (src/cluster/supervise-child.ts). untilStopped() is the
 * other half: the child stops on SIGINT/SIGTERM, or when its supervisor died.
 */
import { DEFAULT_MAX_HEAP_MIB, type SupervisedComponent } from '../cluster/heap-limits.js';
import { childArgs } from '../cluster/restart-policy.js';
import { superviseChild } from '../cluster/supervise-child.js';
import { CliError } from './errors.js';

interface SupervisionFlags {
  supervise: boolean;
  'max-heap'?: string | undefined;
}

/**
 * Under --supervise: supervises `podnet COMPONENT ARGS` and resolves with its
 * last exit status once stopped; without it undefined (run in this process).
 */
export function superviseIfAsked(
  component: SupervisedComponent,
  values: SupervisionFlags,
  args: string[],
): Promise<number> | undefined {
  const maxHeap = values['max-heap'];
  if (!values.supervise) {
    if (maxHeap !== undefined) throw new CliError('--max-heap needs --supervise');
    return undefined;
  }
  const maxHeapMib = maxHeap === undefined ? DEFAULT_MAX_HEAP_MIB[component] : Number(maxHeap);
  if (!Number.isInteger(maxHeapMib) || maxHeapMib < 64)
    throw new CliError(`--max-heap: "${maxHeap}" is not a whole number of MiB of at least 64 (e.g. 1024)`);
  return superviseChild({ name: component, args: [process.argv[1]!, component, ...childArgs(args)], maxHeapMib });
}

/** Resolves on SIGINT or SIGTERM, or when the supervisor that started this process died (its IPC channel closed). */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (process.channel) {
      // The channel is only a lifeline: it must not keep the process alive by itself.
      process.channel.unref();
      process.once('disconnect', () => resolve());
    }
  });
}

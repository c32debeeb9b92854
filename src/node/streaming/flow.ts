/** Back-pressure between a client's input and what consumes it on the node. */
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';

/**
 * Calls cb once a writable that refused more (write returned false) can take
 * more, or will never need to: 'drain', or its end ('finish', 'close'; an
 * ended stream emits no 'drain'), or the end of its process. A hold on the
 * client's connection must never outlive the reason for it.
 */
export function whenWritable(w: Writable | null | undefined, cb: () => void, proc?: ChildProcess): void {
  // Already over (data still in flight for a relay that ended): nothing to wait for.
  if (!w || !w.writable || (proc && (proc.exitCode !== null || proc.signalCode !== null))) return cb();
  const events = ['drain', 'finish', 'close', 'error'] as const;
  const once = () => {
    for (const e of events) w.off(e, once);
    proc?.off('close', once);
    cb();
  };
  for (const e of events) w.on(e, once);
  proc?.on('close', once);
}

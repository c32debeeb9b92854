/**
 * The kubelet's container restart back-off (client-go flowcontrol.Backoff as
 * the kubelet configures it): the first restart after an exit is immediate,
 * then each further one waits 10 s, 20 s, 40 s ... up to 300 s, measured from
 * the moment the container exited. A container that ran for more than twice
 * the cap (10 minutes) since its last restart starts over at 10 s.
 */

export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
/** After this long without a restart the back-off is forgotten ("stable"). */
export const BACKOFF_RESET_MS = 2 * BACKOFF_MAX_MS;

/** Back-off state of one container, kept by the agent between syncs (not persisted). */
export interface BackoffEntry {
  /** Delay the next restart must wait after an exit. */
  delayMs: number;
  /** When the container was last (re)started under back-off. */
  lastUpdate: number;
}

const expired = (entry: BackoffEntry, eventTime: number): boolean => eventTime - entry.lastUpdate > BACKOFF_RESET_MS;

/** When the exited container may restart; undefined when it may restart now. */
export function backoffRetryAt(entry: BackoffEntry | undefined, finishedAt: number, now: number): number | undefined {
  if (!entry || expired(entry, finishedAt)) return undefined;
  const retryAt = finishedAt + entry.delayMs;
  return now < retryAt ? retryAt : undefined;
}

/** The entry to store when restarting a container that exited at finishedAt. */
export function nextBackoff(prev: BackoffEntry | undefined, finishedAt: number, now: number): BackoffEntry {
  if (!prev || expired(prev, finishedAt)) return { delayMs: BACKOFF_INITIAL_MS, lastUpdate: now };
  return { delayMs: Math.min(prev.delayMs * 2, BACKOFF_MAX_MS), lastUpdate: now };
}

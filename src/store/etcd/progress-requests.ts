/**
 * Whether an etcd member answers a watch's progress request in order with
 * its events. Before 3.4.31 / 3.5.13 a member answered at once with its
 * current revision, ahead of events still queued for the watch
 * (etcd-io/etcd#15220, #17507): a bookmark could overtake events, and a
 * watch resumed from it would miss them. kube-apiserver uses progress
 * requests only from those versions on; so does the store. Older members
 * still send the periodic progress notifications etcd itself schedules
 * (--experimental-watch-progress-notify-interval), which are ordered.
 */

/** Pure: the member's version string (StatusResponse.version), e.g. "3.4.23". */
export function orderedProgressRequests(version: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major !== 3) return major > 3;
  if (minor === 4) return patch >= 31;
  if (minor === 5) return patch >= 13;
  return minor > 5;
}

/**
 * The V8 heap limit (MiB) of each long-running component under `--supervise`
 * (what `podnet up` runs): room for a large cluster, bounded below the
 * machine, so a leak ends in a restart instead of the host swapping.
 */
export const DEFAULT_MAX_HEAP_MIB = {
  apiserver: 1024,
  node: 1024,
  console: 512,
} as const;

export type SupervisedComponent = keyof typeof DEFAULT_MAX_HEAP_MIB;

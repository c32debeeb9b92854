/**
 * The cluster's shape as the API server starts: what its store already
 * holds (kube-system/podnet-config, written at the first start) or, on a
 * fresh store, what its flags say over the defaults. A flag that
 * contradicts the stored shape stops the start: Services, nodes and pods
 * already hold addresses from the stored ranges.
 */
import {
  CLUSTER_CONFIG_NAME,
  CLUSTER_CONFIG_NAMESPACE,
  clusterConfigConflicts,
  clusterConfigFromData,
  resolveClusterConfig,
  type ClusterConfig,
  type ClusterConfigInput,
} from '../api/cluster-config.js';
import { objectKey } from '../api/meta.js';
import type { Store } from '../store/store.js';

export const clusterConfigKey = objectKey('', 'configmaps', CLUSTER_CONFIG_NAMESPACE, CLUSTER_CONFIG_NAME);

export async function clusterConfigAtStart(
  store: Store,
  flags: ClusterConfigInput,
  stateDir: string,
): Promise<ClusterConfig> {
  const kv = await store.get(clusterConfigKey);
  if (!kv) return resolveClusterConfig(flags);
  const stored = clusterConfigFromData((JSON.parse(kv.value) as { data?: Record<string, string> }).data);
  const conflicts = clusterConfigConflicts(stored, flags);
  if (conflicts.length)
    throw new Error(
      `the cluster in ${stateDir} was created with another shape: ${conflicts.join('; ')}. Its Services and nodes hold addresses from those ranges, so it keeps them: start without these flags, or use a new --state DIR for a cluster of another shape`,
    );
  return stored;
}

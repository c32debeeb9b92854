/**
 * The cluster's shape as the API server starts. The store keeps the shape
 * of its first start under a key of its own, out of the API's reach (as the
 * ClusterIP and NodePort allocations are); the kube-system/podnet-config
 * ConfigMap that components read is its published copy, written back at
 * every start, so editing or deleting that ConfigMap cannot change the
 * ranges that Services, nodes and pods already hold. On a fresh store the
 * shape is what the flags say over the defaults; later, a flag that
 * contradicts the stored shape stops the start.
 */
import {
  clusterConfigConflicts,
  clusterConfigData,
  clusterConfigFromData,
  resolveClusterConfig,
  type ClusterConfig,
  type ClusterConfigInput,
} from '../api/cluster-config.js';
import { StoreError, type Store } from '../store/store.js';

/** Not under an API resource's prefix: no request can read or change it. */
const clusterConfigKey = '/registry/podnet/cluster-config';

export async function clusterConfigAtStart(
  store: Store,
  flags: ClusterConfigInput,
  stateDir: string,
): Promise<ClusterConfig> {
  const kv = await store.get(clusterConfigKey);
  if (!kv) {
    const config = resolveClusterConfig(flags);
    try {
      await store.create(clusterConfigKey, JSON.stringify(clusterConfigData(config)));
    } catch (e) {
      // Another server on this store recorded one first: take it, and check our flags against it.
      if (!(e instanceof StoreError && e.code === 'KeyExists')) throw e;
      return clusterConfigAtStart(store, flags, stateDir);
    }
    return config;
  }
  const stored = clusterConfigFromData(JSON.parse(kv.value) as Record<string, string>);
  const conflicts = clusterConfigConflicts(stored, flags);
  if (conflicts.length)
    throw new Error(
      `the cluster in ${stateDir} was created with another shape: ${conflicts.join('; ')}. Its Services and nodes hold addresses from those ranges, so it keeps them: start without these flags, or use a new --state DIR for a cluster of another shape`,
    );
  return stored;
}

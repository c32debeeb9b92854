/**
 * How a component learns the cluster's shape: it reads the ConfigMap the
 * API server keeps (src/api/cluster-config.ts) and checks its own flags
 * against it, so a node or a DNS server never runs with other ranges than
 * the cluster it joins.
 */
import {
  CLUSTER_CONFIG_NAME,
  CLUSTER_CONFIG_NAMESPACE,
  CLUSTER_CONFIG_REF,
  clusterConfigConflicts,
  clusterConfigFromData,
  conflictError,
  type ClusterConfig,
  type ClusterConfigInput,
} from '../api/cluster-config.js';
import type { KObject } from '../api/meta.js';
import { isApiError, isNotFound } from './api-error.js';
import type { KubeClient } from './client.js';

const configmaps = { group: '', version: 'v1', resource: 'configmaps', namespaced: true };

interface ReadClusterConfigOptions {
  /** Who asks, as errors start ("node n1"); none where the caller says it already. */
  component?: string;
  /** The component's own flags; any that disagree with the cluster make the read fail. */
  flags?: ClusterConfigInput;
  /** How long a missing ConfigMap is waited for (a server that is still bootstrapping); default 10 s. */
  missingTimeoutMs?: number;
  /** Said once when the first attempt fails and the read keeps trying. */
  log?: (m: string) => void;
  /** Gives up (with an error) when this turns true. */
  stopping?: { value: boolean };
}

/**
 * The cluster's shape from kube-system/podnet-config. An unreachable or
 * restarting API server is retried until `stopping`; a missing ConfigMap for
 * `missingTimeoutMs` (it is written at the server's first start); a malformed
 * one, 401/403, or flags that disagree fail at once with what to do.
 */
export async function readClusterConfig(client: KubeClient, o: ReadClusterConfigOptions): Promise<ClusterConfig> {
  const who = o.component ? `${o.component}: ` : '';
  const missingDeadline = Date.now() + (o.missingTimeoutMs ?? 10_000);
  let said = false;
  for (let i = 0; ; i++) {
    let cm: KObject & { data?: Record<string, string> };
    try {
      cm = await client.get(configmaps, CLUSTER_CONFIG_NAMESPACE, CLUSTER_CONFIG_NAME);
    } catch (e) {
      if (isApiError(e, 401) || isApiError(e, 403))
        throw new Error(`${who}cannot read ConfigMap ${CLUSTER_CONFIG_REF}: ${(e as Error).message}`, {
          cause: e,
        });
      if (isNotFound(e) && Date.now() > missingDeadline)
        throw new Error(
          `${who}the API server at ${client.server} has no ConfigMap ${CLUSTER_CONFIG_REF}, where a podnet cluster keeps its shape (pod and Service ranges, cluster DNS, domain); "podnet apiserver" writes it at start. Against another API server, create it with the keys listed in docs/ARCHITECTURE.md`,
          { cause: e },
        );
      if (o.stopping?.value) throw new Error(`${who}stopped while reading ${CLUSTER_CONFIG_REF}`, { cause: e });
      if (!said) o.log?.(`waiting for ConfigMap ${CLUSTER_CONFIG_REF}: ${(e as Error).message}`);
      said = true;
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** i)));
      continue;
    }
    let config: ClusterConfig;
    try {
      config = clusterConfigFromData(cm.data);
    } catch (e) {
      throw new Error(`${who}${(e as Error).message}`, { cause: e });
    }
    const conflicts = clusterConfigConflicts(config, o.flags ?? {});
    if (conflicts.length) throw conflictError(o.component, conflicts);
    return config;
  }
}

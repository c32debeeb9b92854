/**
 * The ConfigMaps and Secrets one container's env reads, fetched one by one
 * when it starts (as kubelet does): a node may read only what its own pods
 * use, never list them all.
 */
import { ApiError } from '../api/errors.js';
import type { KObject } from '../api/meta.js';
import { containerReferences, type ContainerRefs } from '../api/pod-references.js';
import { findResource, type ResourceInfo } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';

const configMapsRes = findResource('', 'v1', 'configmaps')!;
const secretsRes = findResource('', 'v1', 'secrets')!;

type DataObject = KObject & { data?: Record<string, string> };
export type DataLookup = (namespace: string, name: string) => Record<string, string> | undefined;

export interface ContainerData {
  configMaps: DataLookup;
  secrets: DataLookup;
}

/** Fetches what the container refers to; a missing (or forbidden) object reads as absent, so env reports it by name. */
export async function fetchContainerData(
  client: KubeClient,
  namespace: string,
  c: ContainerRefs,
): Promise<ContainerData> {
  const refs = containerReferences(c);
  const [configMaps, secrets] = await Promise.all([
    fetchAll(client, configMapsRes, namespace, refs.configMaps),
    fetchAll(client, secretsRes, namespace, refs.secrets),
  ]);
  return {
    configMaps: (ns, name) => (ns === namespace ? configMaps.get(name) : undefined),
    secrets: (ns, name) => (ns === namespace ? secrets.get(name) : undefined),
  };
}

async function fetchAll(
  client: KubeClient,
  ri: ResourceInfo,
  namespace: string,
  names: Set<string>,
): Promise<Map<string, Record<string, string> | undefined>> {
  const out = new Map<string, Record<string, string> | undefined>();
  await Promise.all(
    [...names].map(async (name) => {
      try {
        const o = await client.get<DataObject>(ri, namespace, name);
        out.set(name, o.data ?? {});
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 403))) throw e;
        out.set(name, undefined);
      }
    }),
  );
  return out;
}

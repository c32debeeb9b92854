/**
 * The ConfigMaps and Secrets one container's env reads, fetched one by one
 * when it starts (as kubelet does): a node may read only what its own pods
 * use, never list them all.
 */
import { ApiError } from '../api/errors.js';
import type { KObject } from '../api/meta.js';
import { containerReferences, podReferences, type ContainerRefs, type PodRefsSpec } from '../api/pod-references.js';
import { findResource, type ResourceInfo } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';
import type { VolumeSources } from './volumes/pod-volumes.js';
import { DEFAULT_TOKEN_EXPIRATION_SECONDS } from './volumes/projected.js';
import type { ServiceAccountTokenCache, TokenPod } from './volumes/token-cache.js';
import type { Volume } from './volumes/types.js';

const configMapsRes = findResource('', 'v1', 'configmaps')!;
const secretsRes = findResource('', 'v1', 'secrets')!;

type DataObject = KObject & { data?: Record<string, string>; binaryData?: Record<string, string> };
type DataLookup = (namespace: string, name: string) => Record<string, string> | undefined;

interface ContainerData {
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
  const objects = await fetchObjects(client, ri, namespace, names);
  return new Map([...objects].map(([name, o]) => [name, o ? (o.data ?? {}) : undefined]));
}

/**
 * The ConfigMaps and Secrets a pod's volumes show, fetched one by one as
 * bytes (Secret data is base64, ConfigMap data text, binaryData base64).
 */
export async function fetchVolumeData(
  client: KubeClient,
  pod: TokenPod & { spec: { volumes?: Volume[] } },
  tokens: ServiceAccountTokenCache,
  downward: VolumeSources['downward'],
): Promise<VolumeSources> {
  const namespace = pod.metadata.namespace ?? 'default';
  const refs = podReferences({ volumes: pod.spec.volumes as PodRefsSpec['volumes'] });
  const wanted = (pod.spec.volumes ?? [])
    .flatMap((v) => v.projected?.sources ?? [])
    .flatMap((s) => (s.serviceAccountToken ? [s.serviceAccountToken] : []))
    .map((t) => ({
      audience: t.audience || undefined,
      seconds: t.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
    }));
  const tokenKey = (audience: string | undefined, seconds: number) => `${audience ?? ''}\0${seconds}`;
  const [configMaps, secrets, fetchedTokens] = await Promise.all([
    fetchObjects(client, configMapsRes, namespace, refs.configMaps),
    fetchObjects(client, secretsRes, namespace, refs.secrets),
    Promise.all(
      wanted.map(
        async (t) => [tokenKey(t.audience, t.seconds), await tokens.token(pod, t.audience, t.seconds)] as const,
      ),
    ),
  ]);
  const tokenMap = new Map(fetchedTokens);
  const bytes = (o: DataObject | undefined, base64Data: boolean) => {
    if (!o) return undefined;
    const out: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries(o.data ?? {})) out[k] = Buffer.from(v, base64Data ? 'base64' : 'utf8');
    for (const [k, v] of Object.entries(o.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
    return out;
  };
  return {
    configMap: (ns, name) => (ns === namespace ? bytes(configMaps.get(name), false) : undefined),
    secret: (ns, name) => (ns === namespace ? bytes(secrets.get(name), true) : undefined),
    token: (audience, seconds) => tokenMap.get(tokenKey(audience || undefined, seconds)),
    downward,
  };
}

async function fetchObjects(
  client: KubeClient,
  ri: ResourceInfo,
  namespace: string,
  names: Set<string>,
): Promise<Map<string, DataObject | undefined>> {
  const out = new Map<string, DataObject | undefined>();
  await Promise.all(
    [...names].map(async (name) => {
      try {
        out.set(name, await client.get<DataObject>(ri, namespace, name));
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 403))) throw e;
        out.set(name, undefined);
      }
    }),
  );
  return out;
}

/**
 * Installing the add-ons' objects and waiting for their workloads: created
 * when missing, a workload's template brought up to this podnet's when it
 * differs (a rolling update; the replica count a user set is kept), the
 * bare pods older versions ran removed, and `up` waits until the
 * Deployment and DaemonSet have their pods Ready.
 */
import { createHash } from 'node:crypto';
import type { KObject } from '../api/meta.js';
import { ApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';

/** The digest of the template `up` last wrote, so that a rerun changes nothing unless podnet's template changed. */
export const ADDON_TEMPLATE_ANNOTATION = 'podnet.io/addon-template';

/** The resource of an add-on object, from its apiVersion and kind (kinds here pluralise regularly). */
function resourceOf(obj: Pick<KObject, 'apiVersion' | 'kind'>) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const kind = obj.kind.toLowerCase();
  const plural = kind.endsWith('s') ? `${kind}es` : `${kind}s`;
  const r = findResource(group!, version!, plural);
  if (!r) throw new Error(`no resource for ${obj.apiVersion} ${obj.kind}`);
  return r;
}
const pods = resourceOf({ apiVersion: 'v1', kind: 'Pod' });

const isWorkload = (o: KObject) => o.kind === 'Deployment' || o.kind === 'DaemonSet';

type WorkloadSpec = { replicas?: number; template?: unknown } & Record<string, unknown>;

/** The workload with its template's digest recorded (pure). */
export function withTemplateDigest(obj: KObject): KObject {
  const spec = obj.spec as WorkloadSpec;
  const { replicas: _replicas, ...rest } = spec;
  const digest = createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
  return {
    ...obj,
    metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [ADDON_TEMPLATE_ANNOTATION]: digest } },
  };
}

/** The existing workload updated to what `want` says, keeping its replica count (pure). */
export function updatedWorkload(existing: KObject, want: KObject): KObject {
  const replicas = (existing.spec as WorkloadSpec).replicas;
  return {
    ...existing,
    metadata: {
      ...existing.metadata,
      annotations: { ...existing.metadata.annotations, ...want.metadata.annotations },
      labels: { ...existing.metadata.labels, ...want.metadata.labels },
    },
    spec: { ...(want.spec as WorkloadSpec), ...(replicas === undefined ? {} : { replicas }) },
  };
}

const digestOf = (o: KObject) => o.metadata.annotations?.[ADDON_TEMPLATE_ANNOTATION];

/**
 * Creates the objects that are missing and updates a Deployment or
 * DaemonSet whose template differs from this podnet's; everything else is
 * left as it is (idempotent reruns). Returns what it created or updated.
 */
export async function ensureObjects(client: KubeClient, objects: readonly KObject[]): Promise<string[]> {
  const changed: string[] = [];
  for (const raw of objects) {
    const obj = isWorkload(raw) ? withTemplateDigest(raw) : raw;
    const res = resourceOf(obj);
    const { namespace, name } = obj.metadata;
    // Look first: creating an existing Service with a fixed clusterIP fails as Invalid (IP taken), not AlreadyExists.
    const existing = await client.get(res, namespace, name!).catch((e) => {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    });
    const what = `${obj.kind.toLowerCase()}/${name}`;
    if (existing) {
      if (!isWorkload(obj) || digestOf(existing) === digestOf(obj)) continue;
      await client.update(res, namespace, updatedWorkload(existing, obj));
      changed.push(`${what} (updated)`);
      continue;
    }
    try {
      await client.create(res, namespace, obj);
      changed.push(what);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
    }
  }
  return changed;
}

/**
 * Deletes the bare add-on pods an older podnet made (no owner), now that a
 * workload runs the add-on; each goes gracefully, so its replacement takes
 * over its endpoints first.
 */
export async function removeLegacyPods(
  client: KubeClient,
  namespace: string,
  names: readonly string[],
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of names) {
    const pod = await client.get(pods, namespace, name).catch((e) => {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    });
    if (!pod || pod.metadata.ownerReferences?.length) continue;
    await client.delete(pods, namespace, name).catch((e) => {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    });
    removed.push(`pod/${name}`);
  }
  return removed;
}

interface WorkloadStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  desiredNumberScheduled?: number;
  numberReady?: number;
  updatedNumberScheduled?: number;
}

/**
 * Whether a workload is rolled out and Ready (pure): its controller has
 * seen its latest spec, every pod it runs is of the current template, and
 * at least `minReady` are Ready (a Deployment whose replicas cannot all be
 * placed, such as two host-network DNS replicas on a one-node cluster, is
 * ready with as many as there are nodes).
 */
export function workloadReady(obj: KObject, minReady: number): boolean {
  const st = (obj as { status?: WorkloadStatus }).status ?? {};
  if ((st.observedGeneration ?? 0) < (obj.metadata.generation ?? 1)) return false;
  if (obj.kind === 'DaemonSet') {
    const desired = st.desiredNumberScheduled ?? 0;
    return desired >= minReady && (st.numberReady ?? 0) >= desired && (st.updatedNumberScheduled ?? 0) >= desired;
  }
  const replicas = (obj.spec as WorkloadSpec).replicas ?? 1;
  const want = Math.min(replicas, minReady);
  return (st.readyReplicas ?? 0) >= want && (st.updatedReplicas ?? 0) >= replicas;
}

/**
 * Waits until the workload is ready (workloadReady); throws on timeout with
 * its counts and each of its pods' state, and where to look.
 */
export async function waitWorkloadReady(
  client: KubeClient,
  workload: KObject,
  labelSelector: string,
  what: string,
  minReady: number,
  timeoutMs: number,
): Promise<void> {
  const res = resourceOf(workload);
  const { namespace, name } = workload.metadata;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await client.get(res, namespace, name!);
    if (workloadReady(current, minReady)) return;
    if (Date.now() >= deadline) {
      const states = await podStates(client, namespace!, labelSelector);
      throw new Error(
        `${what} did not become ready: ${workload.kind.toLowerCase()} ${namespace}/${name} status ${JSON.stringify((current as { status?: unknown }).status ?? {})}; pods: ${states || 'none'}; see "kubectl -n ${namespace} describe pod -l ${labelSelector}"`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** "name: state reason (message)" for each pod a selector finds. */
async function podStates(client: KubeClient, namespace: string, labelSelector: string): Promise<string> {
  const list = await client.list<
    KObject & {
      spec?: { nodeName?: string };
      status?: {
        conditions?: { type: string; status: string; message?: string }[];
        containerStatuses?: { state?: Record<string, { reason?: string; message?: string }> }[];
      };
    }
  >(pods, namespace, { labelSelector });
  return list.items
    .map((p) => {
      const unscheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
      if (unscheduled) return `${p.metadata.name}: pending (${unscheduled.message ?? 'unschedulable'})`;
      const st = p.status?.containerStatuses?.[0]?.state;
      const [k, v] = Object.entries(st ?? {})[0] ?? ['pending', {}];
      return `${p.metadata.name} on ${p.spec?.nodeName ?? '?'}: ${k}${v?.reason ? ` ${v.reason}` : ''}${v?.message ? ` (${v.message})` : ''}`;
    })
    .join('; ');
}

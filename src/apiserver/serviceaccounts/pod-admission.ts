/**
 * kube's ServiceAccount admission for pods, on create: the pod's
 * ServiceAccount (spec.serviceAccountName, "default" when empty) must
 * exist, and unless the pod or its ServiceAccount says
 * automountServiceAccountToken: false, the pod gets a projected volume
 * kube-api-access-xxxxx (a bound token refreshed by its node, the cluster
 * CA from ConfigMap kube-root-ca.crt, the namespace) mounted read-only at
 * /var/run/secrets/kubernetes.io/serviceaccount in every container that
 * does not mount something there already.
 */
import { randomInt } from 'node:crypto';
import { errors } from '../../api/errors.js';
import type { KObject } from '../../api/meta.js';

export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** The kubelet asks for 3607 s (an hour plus 7 s: kube's marker for "a kubelet token"). */
const TOKEN_EXPIRATION_SECONDS = 3607;
const VOLUME_PREFIX = 'kube-api-access-';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
/** kube's utilrand alphabet: no vowels, no confusable digits. */
const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

interface Mount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}
interface Container {
  volumeMounts?: Mount[];
}
interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  volumes?: { name: string; [k: string]: unknown }[];
  containers?: Container[];
  initContainers?: Container[];
}
export type AdmittedPod = KObject & { spec?: PodSpec };
export interface ServiceAccountObject {
  automountServiceAccountToken?: boolean;
}

/** The projected volume kube-apiserver adds (kube's TokenVolumeSource). */
function apiAccessVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
    },
  };
}

/** Whether the token is mounted: the pod's own setting wins over its ServiceAccount's; default yes. */
export function automounts(pod: AdmittedPod, sa: ServiceAccountObject): boolean {
  return pod.spec?.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
}

/** Adds the volume and the mounts (pure apart from the random suffix passed in); a no-op when nothing needs it. */
export function mountApiAccess(pod: AdmittedPod, suffix: string): void {
  const spec = (pod.spec ??= {});
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const needing = all.filter((c) => !(c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH));
  if (needing.length === 0) return;
  let name = VOLUME_PREFIX + suffix;
  const taken = new Set((spec.volumes ?? []).map((v) => v.name));
  for (let i = 0; taken.has(name); i++) name = `${VOLUME_PREFIX}${suffix}${i}`;
  (spec.volumes ??= []).push(apiAccessVolume(name) as { name: string });
  for (const c of needing)
    (c.volumeMounts ??= []).push({ name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH });
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)];
  return s;
}

/** How the admission reads a ServiceAccount (undefined: absent). */
type ServiceAccountLookup = (namespace: string, name: string) => Promise<ServiceAccountObject | undefined>;

/**
 * A namespace's default ServiceAccount is made by a controller just after
 * the namespace: wait for it briefly, as kube's admission retries a live
 * lookup, rather than refuse a pod created right after its namespace.
 */
const WAIT_FOR_SERVICE_ACCOUNT_MS = 3_000;
const POLL_MS = 100;

export async function admitPodServiceAccount(
  pod: AdmittedPod,
  lookup: ServiceAccountLookup,
  waitMs = WAIT_FOR_SERVICE_ACCOUNT_MS,
): Promise<void> {
  if (pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined) return;
  const spec = (pod.spec ??= {});
  const name = spec.serviceAccountName || spec.serviceAccount || 'default';
  const ns = pod.metadata.namespace ?? 'default';
  let sa = await lookup(ns, name);
  for (let waited = 0; !sa && waited < waitMs; waited += POLL_MS) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    sa = await lookup(ns, name);
  }
  if (!sa)
    throw errors.forbidden(
      `pods "${pod.metadata.name ?? pod.metadata.generateName ?? ''}" is forbidden: error looking up service account ${ns}/${name}: serviceaccount "${name}" not found`,
    );
  if (automounts(pod, sa)) mountApiAccess(pod, randomSuffix());
}

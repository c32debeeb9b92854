/**
 * Cluster DNS as an add-on, the way kubeadm installs CoreDNS: `podnet dns`
 * replicas in kube-system behind the kube-dns Service at the cluster DNS IP.
 * The replicas use the host network of their nodes (one per node), so they
 * reach the API server on the node subnet like the agents do; pods reach
 * them through the service proxy like any Service.
 */
import type { KObject } from '../api/meta.js';
import { ApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';
import { DNS_NODE_OPTIONS } from '../dns/node-options.js';
import { DNS_SERVICE_ACCOUNT } from '../apiserver/authz/bootstrap-policy.js';

export const DNS_NAMESPACE = 'kube-system';
export const DNS_SERVICE = 'kube-dns';
export const DNS_APP_LABEL = 'kube-dns';
// The replicas' identity: ServiceAccount kube-system/kube-dns, bound to ClusterRole system:podnet-dns (read Services, EndpointSlices, Pods).
export { DNS_SERVICE_ACCOUNT };
const METRICS_PORT = 9153;

export interface DnsAddonParams {
  /** Nodes to run replicas on (one each; at most two are used). */
  nodes: readonly string[];
  /** The replicas' kubeconfig (mode 0600 on the nodes' host): server, CA and the ServiceAccount's token. */
  kubeconfigPath: string;
  /** kube-dns's ClusterIP: the cluster config's clusterDnsIp. */
  clusterDnsIp: string;
  /** --log-level / --log-format of the replicas. */
  logArgs?: string[];
  /** --upstream of the replicas (IP[:PORT]); default: their node's resolv.conf. */
  upstreams?: string[];
}

/** The objects of the add-on, in creation order (pure). */
export function dnsAddonObjects(p: DnsAddonParams): KObject[] {
  const labels = { 'k8s-app': DNS_APP_LABEL };
  const serviceAccount: KObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: DNS_SERVICE_ACCOUNT, namespace: DNS_NAMESPACE },
  };
  const service: KObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: DNS_SERVICE,
      namespace: DNS_NAMESPACE,
      labels: { ...labels, 'kubernetes.io/name': 'podnet-dns' },
    },
    spec: {
      selector: labels,
      clusterIP: p.clusterDnsIp,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: METRICS_PORT, protocol: 'TCP', targetPort: METRICS_PORT },
      ],
    },
  };
  const replicas = p.nodes.slice(0, 2).map((node, i): KObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `podnet-dns-${i + 1}`, namespace: DNS_NAMESPACE, labels },
    spec: {
      nodeName: node,
      serviceAccountName: DNS_SERVICE_ACCOUNT,
      hostNetwork: true,
      dnsPolicy: 'Default',
      containers: [
        {
          name: 'dns',
          image: 'podnet/podnet',
          // A node component: it reads the cluster CA (and the router its run dir) from the node.
          securityContext: { privileged: true },
          args: [
            'dns',
            // Credentials from a 0600 file: nothing secret on the command line or in the environment.
            '--kubeconfig',
            p.kubeconfigPath,
            '--listen',
            '$(POD_IP):53',
            '--http-listen',
            `$(POD_IP):${METRICS_PORT}`,
            ...(p.upstreams?.length ? ['--upstream', p.upstreams.join(',')] : []),
            ...(p.logArgs ?? []),
          ],
          env: [
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            // Name its Lease of applied endpoints (podnet-endpoints-<pod>).
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'NODE_OPTIONS', value: DNS_NODE_OPTIONS.join(' ') },
          ],
          ports: [
            { name: 'dns', containerPort: 53, protocol: 'UDP' },
            { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
            { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
          ],
          readinessProbe: { httpGet: { path: '/readyz', port: METRICS_PORT }, periodSeconds: 2 },
          livenessProbe: { httpGet: { path: '/healthz', port: METRICS_PORT }, periodSeconds: 10, failureThreshold: 5 },
        },
      ],
    },
  }));
  return [serviceAccount, service, ...replicas];
}

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

/**
 * Creates the objects that are missing; existing ones are left as they are
 * (idempotent reruns), except a Pod whose containers differ from what this
 * version of podnet runs (an upgrade): it is replaced.
 */
export async function ensureObjects(client: KubeClient, objects: readonly KObject[]): Promise<string[]> {
  const created: string[] = [];
  for (const obj of objects) {
    // Look first: creating an existing Service with a fixed clusterIP fails as Invalid (IP taken), not AlreadyExists.
    const existing = await client.get(resourceOf(obj), obj.metadata.namespace, obj.metadata.name!).catch((e) => {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    });
    if (existing && !podOutdated(existing, obj)) continue;
    if (existing) await replacePod(client, existing);
    try {
      await client.create(resourceOf(obj), obj.metadata.namespace, obj);
      created.push(`${obj.kind.toLowerCase()}/${obj.metadata.name}`);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
    }
  }
  return created;
}

/** A Pod made by an older podnet: other container args, or another ServiceAccount. */
function podOutdated(existing: KObject, want: KObject): boolean {
  if (want.kind !== 'Pod') return false;
  type Spec = { serviceAccountName?: string; containers?: { args?: string[] }[] };
  const a = existing.spec as Spec,
    b = want.spec as Spec;
  return (
    (a.serviceAccountName ?? 'default') !== (b.serviceAccountName ?? 'default') ||
    JSON.stringify(a.containers?.map((c) => c.args)) !== JSON.stringify(b.containers?.map((c) => c.args))
  );
}

/** Deletes a pod and waits until it is gone, so its replacement can take the name. */
async function replacePod(client: KubeClient, pod: KObject): Promise<void> {
  const { namespace, name } = pod.metadata;
  // Already gone is fine; anything else shows up as the pod not going away below.
  await client.delete(pods, namespace, name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
  for (let i = 0; i < 120; i++) {
    // An error reads as gone: the create that follows then says what is wrong.
    const still = await client.get(pods, namespace, name!).catch(() => undefined);
    if (!still) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `pod ${namespace}/${name} did not go away to be replaced; see "kubectl -n ${namespace} describe pod ${name}"`,
  );
}

/** Waits until every DNS replica is Ready; throws with each replica's state on timeout. */
export function waitDnsReady(client: KubeClient, timeoutMs: number): Promise<void> {
  return waitPodsReady(client, DNS_NAMESPACE, `k8s-app=${DNS_APP_LABEL}`, 'cluster DNS', timeoutMs);
}

/** Waits until every pod a selector finds (at least one) is Ready; throws with each pod's state on timeout. */
export async function waitPodsReady(
  client: KubeClient,
  namespace: string,
  labelSelector: string,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let states = '';
  while (Date.now() < deadline) {
    const list = await client.list<
      KObject & {
        status?: {
          conditions?: { type: string; status: string }[];
          containerStatuses?: { state?: Record<string, { reason?: string; message?: string }> }[];
        };
      }
    >(pods, namespace, { labelSelector });
    const ready = list.items.filter((p) =>
      p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (list.items.length > 0 && ready.length === list.items.length) return;
    states = list.items
      .map((p) => {
        const st = p.status?.containerStatuses?.[0]?.state;
        const [k, v] = Object.entries(st ?? {})[0] ?? ['pending', {}];
        return `${p.metadata.name}: ${k}${v?.reason ? ` ${v.reason}` : ''}${v?.message ? ` (${v.message})` : ''}`;
      })
      .join('; ');
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${what} did not become ready: ${states || 'no pods'}; see "kubectl -n ${namespace} describe pod -l ${labelSelector}"`,
  );
}

/**
 * Cluster DNS as an add-on, the way kubeadm installs CoreDNS: a Deployment
 * of two `podnet dns` replicas in kube-system, kept on different nodes,
 * behind the kube-dns Service at the cluster DNS IP, so a replica that dies
 * with its pod or its node is replaced by the ReplicaSet. The replicas use
 * the host network of their nodes, so they reach the API server on the node
 * subnet like the agents do; their port 53 on the node keeps two off one
 * node (the scheduler's host-port filter), and a soft topology spread
 * constraint over hostnames (what kube's docs recommend today over
 * kubeadm's preferred anti-affinity: it balances counts rather than only
 * avoiding a node, and matchLabelKeys on pod-template-hash spreads a
 * rollout's new pods among themselves) places them before that. Pods reach
 * them through the service proxy like any Service.
 */
import type { KObject } from '../api/meta.js';
import { DNS_NODE_OPTIONS } from '../dns/node-options.js';
import { DNS_SERVICE_ACCOUNT } from '../apiserver/authz/bootstrap-policy.js';

export const DNS_NAMESPACE = 'kube-system';
const DNS_SERVICE = 'kube-dns';
export const DNS_DEPLOYMENT = 'podnet-dns';
export const DNS_APP_LABEL = 'kube-dns';
export const DNS_REPLICAS = 2;
/** The bare pods older podnet versions ran instead of the Deployment. */
export const LEGACY_DNS_PODS = ['podnet-dns-1', 'podnet-dns-2'];
// The replicas' identity: ServiceAccount kube-system/kube-dns, bound to ClusterRole system:podnet-dns (read Services, EndpointSlices, Pods).
export { DNS_SERVICE_ACCOUNT };
const METRICS_PORT = 9153;

interface DnsAddonParams {
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
  const podSpec = {
    serviceAccountName: DNS_SERVICE_ACCOUNT,
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        // Soft: the host port already forbids two on a node; this only orders the choice.
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: labels },
        matchLabelKeys: ['pod-template-hash'],
      },
    ],
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
          // Makes the pod the Lease's owner, so the garbage collector removes a Lease its replica left behind.
          { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
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
  };
  const deployment: KObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: DNS_DEPLOYMENT, namespace: DNS_NAMESPACE, labels },
    spec: {
      replicas: DNS_REPLICAS,
      selector: { matchLabels: labels },
      // kubeadm's CoreDNS strategy: one replica may be down during a rollout, so a node's port 53 is freed first.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
      template: { metadata: { labels }, spec: podSpec },
    },
  };
  return [serviceAccount, service, deployment];
}

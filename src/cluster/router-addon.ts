/**
 * The platform router as an add-on: the `podnet` IngressClass (the
 * cluster's default) and a DaemonSet that runs one `podnet router` on every
 * node (nodes that join later too) on the node's ports 80 and 443, as
 * hostNetwork pods in kube-system under ServiceAccount
 * kube-system/podnet-router (ClusterRole system:podnet-router: read what
 * it routes, write Ingress status and Events), credentials in a 0600
 * kubeconfig. Each keeps HAProxy's files in `<runRoot>/<node>` (the node's
 * name from the downward API: nodes of one machine share its file system).
 * HAProxy is the pod's second container (its own PID namespace under runc),
 * so a restarted router container finds it still serving and adopts it.
 */
import type { KObject } from '../api/meta.js';
import { haproxyArgv } from '../router/haproxy/process.js';
import { paths } from '../router/haproxy/render.js';
import { CONTROLLER_NAME, DEFAULT_CLASS_ANNOTATION } from '../router/model.js';
import { ROUTER_SERVICE_ACCOUNT } from '../apiserver/authz/bootstrap-policy.js';

export const ROUTER_NAMESPACE = 'kube-system';
export const ROUTER_DAEMONSET = 'podnet-router';
export const ROUTER_APP_LABEL = 'podnet-router';
export { ROUTER_SERVICE_ACCOUNT };
const INGRESS_CLASS = 'podnet';
const HEALTH_PORT = 10254;
const STATS_PORT = 8404;

interface RouterAddonParams {
  /** The directory holding each node's HAProxy files, one subdirectory per node name. */
  runRoot: string;
  /** The routers' kubeconfig (mode 0600 on the nodes' host). */
  kubeconfigPath: string;
}

/** The objects of the add-on, in creation order (pure). */
export function routerAddonObjects(p: RouterAddonParams): KObject[] {
  const labels = { app: ROUTER_APP_LABEL };
  const ingressClass: KObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: INGRESS_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
    spec: { controller: CONTROLLER_NAME },
  };
  const serviceAccount: KObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: ROUTER_SERVICE_ACCOUNT, namespace: ROUTER_NAMESPACE },
  };
  const runDir = `${p.runRoot}/$(NODE_NAME)`;
  const nodeName = { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } };
  const volumeMounts = [{ name: 'run', mountPath: p.runRoot }];
  const podSpec = {
    serviceAccountName: ROUTER_SERVICE_ACCOUNT,
    hostNetwork: true,
    dnsPolicy: 'Default',
    containers: [
      {
        name: 'router',
        image: 'podnet/podnet',
        // A node component: it reads the cluster CA (and the router its run dir) from the node.
        securityContext: { privileged: true },
        args: [
          'router',
          '--kubeconfig',
          p.kubeconfigPath,
          '--run-dir',
          runDir,
          '--http',
          '0.0.0.0:80',
          '--https',
          '0.0.0.0:443',
          '--stats-listen',
          `$(POD_IP):${STATS_PORT}`,
          '--http-listen',
          `$(POD_IP):${HEALTH_PORT}`,
          '--threads',
          '1',
          '--external-haproxy',
        ],
        env: [
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          // Name its Lease of applied endpoints (podnet-endpoints-<pod>).
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
          nodeName,
        ],
        ports: [
          { name: 'http', containerPort: 80, protocol: 'TCP' },
          { name: 'https', containerPort: 443, protocol: 'TCP' },
          { name: 'haproxy-stats', containerPort: STATS_PORT, protocol: 'TCP' },
          { name: 'metrics', containerPort: HEALTH_PORT, protocol: 'TCP' },
        ],
        readinessProbe: { httpGet: { path: '/readyz', port: HEALTH_PORT }, periodSeconds: 2 },
        livenessProbe: { httpGet: { path: '/healthz', port: HEALTH_PORT }, periodSeconds: 10, failureThreshold: 5 },
        volumeMounts,
      },
      {
        // HAProxy in a container of its own, so it keeps serving while the controller's restarts.
        name: 'haproxy',
        image: 'podnet/podnet',
        command: ['/bin/sh', '-c', haproxyContainerScript(runDir)],
        env: [nodeName],
        volumeMounts,
      },
    ],
    volumes: [{ name: 'run', hostPath: { path: p.runRoot, type: 'DirectoryOrCreate' } }],
  };
  const daemonSet: KObject = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: ROUTER_DAEMONSET, namespace: ROUTER_NAMESPACE, labels },
    spec: {
      selector: { matchLabels: labels },
      // One node at a time: the others keep serving their port 80 while it is replaced.
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: { metadata: { labels }, spec: podSpec },
    },
  };
  return [ingressClass, serviceAccount, daemonSet];
}

/**
 * The haproxy container's command: wait until the controller has written
 * a config (a restarted pod starts at once on the last one), then become
 * HAProxy's master in the foreground (pure). `$(NODE_NAME)` in runDir is
 * expanded by the node agent before the shell sees it.
 */
export function haproxyContainerScript(runDir: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const config = paths(runDir).config;
  return `until [ -s ${q(config)} ]; do sleep 0.2; done; exec ${haproxyArgv(runDir, 'haproxy').map(q).join(' ')}`;
}

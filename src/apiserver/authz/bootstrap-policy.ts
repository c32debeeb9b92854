/**
 * The default roles and bindings (kube's bootstrappolicy), written into
 * the store at every start so they are always there and current, plus the
 * roles of podnet's add-ons: cluster DNS, the router, the node agent.
 */
import type { KObject } from '../../api/meta.js';
import type { PolicyRule } from './types.js';
import { RBAC_GROUP } from './types.js';
import { CLUSTER_CONFIG_NAME } from '../../api/cluster-config.js';

const read = ['get', 'list', 'watch'];
const write = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources };
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

const AGGREGATE_TO = (role: 'admin' | 'edit' | 'view') => `rbac.authorization.k8s.io/aggregate-to-${role}`;
const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';
/** kube's annotation: "false" tells the API server not to put a changed default role back at start. */
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

/** What a node may do, whatever binds it (kube's NodeRules), plus what podnet's agent also runs: proxy and overlay. */
export const nodeRules: PolicyRule[] = [
  rule(['create', 'delete', 'get', 'list', 'watch', 'patch', 'update'], [''], ['nodes']),
  rule(['patch', 'update'], [''], ['nodes/status']),
  rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  rule(['get', 'list', 'watch'], [''], ['pods']),
  rule(['create', 'delete'], [''], ['pods']),
  rule(['patch', 'update'], [''], ['pods/status']),
  rule(['create'], [''], ['pods/eviction']),
  rule(['get', 'list', 'watch'], [''], ['services', 'endpoints']),
  rule(['get'], [''], ['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  // Narrowed by the Node authorizer to its pods' ServiceAccounts (checked before these rules).
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
  // Its own Lease (NodeRestriction), and every endpoint consumer's: read before a terminating pod is stopped.
  rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
  // The service proxy in every agent (kube's system:node-proxier).
  rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
];

const viewRules: PolicyRule[] = [
  rule(
    read,
    [''],
    [
      'configmaps',
      'endpoints',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'pods',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'serviceaccounts',
      'services',
      'services/status',
    ],
  ),
  rule(
    read,
    [''],
    [
      'bindings',
      'events',
      'limitranges',
      'namespaces/status',
      'pods/log',
      'pods/status',
      'replicationcontrollers/status',
      'resourcequotas',
      'resourcequotas/status',
    ],
  ),
  rule(read, [''], ['namespaces']),
  rule(read, ['discovery.k8s.io'], ['endpointslices']),
  rule(
    read,
    ['apps'],
    [
      'controllerrevisions',
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
    ],
  ),
  rule(read, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(read, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(read, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(read, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
];

const editRules: PolicyRule[] = [
  rule(read, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(write, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  rule(['create'], [''], ['pods/eviction']),
  rule(
    write,
    [''],
    [
      'configmaps',
      'events',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'secrets',
      'serviceaccounts',
      'services',
      'services/proxy',
    ],
  ),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(
    write,
    ['apps'],
    [
      'daemonsets',
      'deployments',
      'deployments/rollback',
      'deployments/scale',
      'replicasets',
      'replicasets/scale',
      'statefulsets',
      'statefulsets/scale',
    ],
  ),
  rule(write, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(write, ['batch'], ['cronjobs', 'jobs']),
  rule(write, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(write, ['policy'], ['poddisruptionbudgets']),
];

const adminRules: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule([...read, ...write], [RBAC_GROUP], ['rolebindings', 'roles']),
];

/** The identities of podnet's add-ons: ServiceAccounts in kube-system, as kubeadm's add-ons have. */
const ADDON_NAMESPACE = 'kube-system';
export const DNS_SERVICE_ACCOUNT = 'kube-dns';
export const ROUTER_SERVICE_ACCOUNT = 'podnet-router';

const dnsRules: PolicyRule[] = [
  rule(['list', 'watch'], [''], ['endpoints', 'services', 'pods', 'namespaces']),
  rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
  rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
];

const routerRules: PolicyRule[] = [
  rule(['list', 'watch'], [''], ['services', 'pods', 'nodes', 'secrets']),
  rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
  rule(['list', 'watch'], ['networking.k8s.io'], ['ingresses', 'ingressclasses']),
  rule(['update', 'patch'], ['networking.k8s.io'], ['ingresses/status']),
  rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
];

function clusterRole(
  name: string,
  rules: PolicyRule[],
  extra: { labels?: Record<string, string>; aggregateFrom?: string } = {},
): KObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: { [BOOTSTRAP_LABEL]: 'rbac-defaults', ...extra.labels },
      annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
    },
    ...(extra.aggregateFrom
      ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [extra.aggregateFrom]: 'true' } }] } }
      : {}),
    rules,
  };
}

type SubjectSpec =
  { kind: 'User' | 'Group'; name: string } | { kind: 'ServiceAccount'; name: string; namespace: string };

function clusterRoleBinding(name: string, role: string, subjects: SubjectSpec[]): KObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: {
      name,
      labels: { [BOOTSTRAP_LABEL]: 'rbac-defaults' },
      annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
    subjects: subjects.map((s) => (s.kind === 'ServiceAccount' ? s : { ...s, apiGroup: RBAC_GROUP })),
  };
}

export const bootstrapClusterRoles: readonly KObject[] = [
  clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
  clusterRole('system:discovery', [
    urls(
      ['get'],
      [
        '/api',
        '/api/*',
        '/apis',
        '/apis/*',
        '/healthz',
        '/livez',
        '/openapi',
        '/openapi/*',
        '/readyz',
        '/version',
        '/version/',
      ],
    ),
  ]),
  clusterRole('system:public-info-viewer', [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
  clusterRole('system:basic-user', [
    rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
    rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
  ]),
  clusterRole('admin', [], { aggregateFrom: AGGREGATE_TO('admin') }),
  clusterRole('edit', [], { aggregateFrom: AGGREGATE_TO('edit'), labels: { [AGGREGATE_TO('admin')]: 'true' } }),
  clusterRole('view', [], { aggregateFrom: AGGREGATE_TO('view'), labels: { [AGGREGATE_TO('edit')]: 'true' } }),
  clusterRole('system:aggregate-to-admin', adminRules, { labels: { [AGGREGATE_TO('admin')]: 'true' } }),
  clusterRole('system:aggregate-to-edit', editRules, { labels: { [AGGREGATE_TO('edit')]: 'true' } }),
  clusterRole('system:aggregate-to-view', viewRules, { labels: { [AGGREGATE_TO('view')]: 'true' } }),
  clusterRole('system:node', nodeRules),
  clusterRole('system:podnet-dns', dnsRules),
  clusterRole('system:podnet-router', routerRules),
];

/** The cluster's shape (kube-system/podnet-config) is every component's to read, as kubeadm's cluster-info is. */
const CLUSTER_CONFIG_READER = 'podnet:cluster-config-reader';

/** Cluster DNS replicas and routers publish what they have applied on Leases of their own in kube-system (src/client/endpoints-applied.ts). */
const ENDPOINTS_PUBLISHER = 'podnet:endpoints-publisher';

export const bootstrapRoles: readonly KObject[] = [
  {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'Role',
    metadata: {
      name: ENDPOINTS_PUBLISHER,
      namespace: ADDON_NAMESPACE,
      labels: { [BOOTSTRAP_LABEL]: 'rbac-defaults' },
      annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
    },
    rules: [rule(['create', 'patch', 'delete'], ['coordination.k8s.io'], ['leases'])],
  },
  {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'Role',
    metadata: {
      name: CLUSTER_CONFIG_READER,
      namespace: ADDON_NAMESPACE,
      labels: { [BOOTSTRAP_LABEL]: 'rbac-defaults' },
      annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
    },
    rules: [rule(['get', 'list', 'watch'], [''], ['configmaps'], [CLUSTER_CONFIG_NAME])],
  },
];

export const bootstrapRoleBindings: readonly KObject[] = [
  {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'RoleBinding',
    metadata: {
      name: ENDPOINTS_PUBLISHER,
      namespace: ADDON_NAMESPACE,
      labels: { [BOOTSTRAP_LABEL]: 'rbac-defaults' },
      annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: ENDPOINTS_PUBLISHER },
    subjects: [
      { kind: 'ServiceAccount', name: DNS_SERVICE_ACCOUNT, namespace: ADDON_NAMESPACE },
      { kind: 'ServiceAccount', name: ROUTER_SERVICE_ACCOUNT, namespace: ADDON_NAMESPACE },
    ],
  },
  {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'RoleBinding',
    metadata: {
      name: CLUSTER_CONFIG_READER,
      namespace: ADDON_NAMESPACE,
      labels: { [BOOTSTRAP_LABEL]: 'rbac-defaults' },
      annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: CLUSTER_CONFIG_READER },
    subjects: [{ kind: 'Group', apiGroup: RBAC_GROUP, name: 'system:authenticated' }],
  },
];

export const bootstrapClusterRoleBindings: readonly KObject[] = [
  clusterRoleBinding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }]),
  clusterRoleBinding('system:discovery', 'system:discovery', [{ kind: 'Group', name: 'system:authenticated' }]),
  clusterRoleBinding('system:basic-user', 'system:basic-user', [{ kind: 'Group', name: 'system:authenticated' }]),
  clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [
    { kind: 'Group', name: 'system:authenticated' },
    { kind: 'Group', name: 'system:unauthenticated' },
  ]),
  clusterRoleBinding('system:podnet-dns', 'system:podnet-dns', [
    { kind: 'ServiceAccount', name: DNS_SERVICE_ACCOUNT, namespace: ADDON_NAMESPACE },
  ]),
  clusterRoleBinding('system:podnet-router', 'system:podnet-router', [
    { kind: 'ServiceAccount', name: ROUTER_SERVICE_ACCOUNT, namespace: ADDON_NAMESPACE },
  ]),
];

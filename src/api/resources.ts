/**
 * The resources podnet serves: one table that discovery, OpenAPI, routing,
 * the store layout and kubectl's shortnames all read. Adding a resource is
 * one row here plus its schema (api/schema) and table columns (apiserver/tables).
 */

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface SubresourceInfo {
  /** e.g. "status", "log", "exec" */
  name: string;
  kind: string;
  verbs: Verb[];
  /** The kind's group and version when not the resource's own (scale answers in autoscaling/v1). */
  group?: string;
  version?: string;
  /** Served by a later component (streaming); declared in discovery now. */
  streaming?: boolean;
}

export interface ResourceInfo {
  group: string;
  version: string;
  /** plural, lower case: "services" */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: Verb[];
  subresources: SubresourceInfo[];
}

const all: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const statusSub = (kind: string): SubresourceInfo => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
const scaleSub: SubresourceInfo = {
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: ['get', 'patch', 'update'],
};

function r(
  group: string,
  version: string,
  kind: string,
  resource: string,
  namespaced: boolean,
  opts: { shortNames?: string[]; categories?: string[]; verbs?: Verb[]; subresources?: SubresourceInfo[] } = {},
): ResourceInfo {
  return {
    group,
    version,
    kind,
    resource,
    namespaced,
    singular: kind.toLowerCase(),
    listKind: `${kind}List`,
    shortNames: opts.shortNames ?? [],
    categories: opts.categories ?? [],
    verbs: opts.verbs ?? all,
    subresources: opts.subresources ?? [],
  };
}

export const resources: readonly ResourceInfo[] = [
  r('', 'v1', 'Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [statusSub('Namespace'), { name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
  }),
  r('', 'v1', 'Pod', 'pods', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      statusSub('Pod'),
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'log', kind: 'Pod', verbs: ['get'], streaming: true },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'], streaming: true },
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'], streaming: true },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'], streaming: true },
    ],
  }),
  r('', 'v1', 'Service', 'services', true, {
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [statusSub('Service')],
  }),
  r('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'] }),
  r('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], subresources: [statusSub('Node')] }),
  r('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets', true),
  r('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, {
    shortNames: ['sa'],
    subresources: [
      { name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
    ],
  }),
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  r('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, {
    shortNames: ['ing'],
    subresources: [statusSub('Ingress')],
  }),
  r('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false),
  r('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'] }),
  r('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  r('apps', 'v1', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [statusSub('Deployment'), scaleSub],
  }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [statusSub('ReplicaSet'), scaleSub],
  }),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true, {
    shortNames: ['ds'],
    categories: ['all'],
    subresources: [statusSub('DaemonSet')],
  }),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', true, {
    shortNames: ['sts'],
    categories: ['all'],
    subresources: [statusSub('StatefulSet'), scaleSub],
  }),
  r('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  r('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  r('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  // Reviews: create-only questions answered from the request, never stored (src/apiserver/authz/reviews.ts).
  r('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, { verbs: ['create'] }),
  r('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, { verbs: ['create'] }),
  r('authorization.k8s.io', 'v1', 'SubjectAccessReview', 'subjectaccessreviews', false, { verbs: ['create'] }),
  r('authorization.k8s.io', 'v1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true, { verbs: ['create'] }),
  r('authentication.k8s.io', 'v1', 'TokenReview', 'tokenreviews', false, { verbs: ['create'] }),
  r('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', false, { verbs: ['create'] }),
];

/** Resources that are questions answered on create and never stored. */
export const isReview = (ri: ResourceInfo): boolean =>
  ri.group === 'authorization.k8s.io' || ri.group === 'authentication.k8s.io';

export const groupVersion = (ri: { group: string; version: string }): string =>
  ri.group ? `${ri.group}/${ri.version}` : ri.version;

/** Look up a resource by group, version and plural name. */
export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return resources.find((x) => x.group === group && x.version === version && x.resource === resource);
}

/** Look up a resource by apiVersion and kind (as written in a manifest). */
export function findKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return resources.find((x) => groupVersion(x) === apiVersion && x.kind === kind);
}

/** The groups in the order discovery lists them (core first). */
export function apiGroups(): { group: string; versions: string[] }[] {
  const out: { group: string; versions: string[] }[] = [];
  for (const x of resources) {
    let g = out.find((o) => o.group === x.group);
    if (!g) out.push((g = { group: x.group, versions: [] }));
    if (!g.versions.includes(x.version)) g.versions.push(x.version);
  }
  return out;
}

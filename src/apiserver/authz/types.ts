/**
 * The vocabulary of authorization: who asks (UserInfo), what they ask
 * (Attributes, kube's authorizer.Attributes) and RBAC's objects.
 */
import type { UserInfo } from '../state/tokens.js';

export type { UserInfo };

export interface ResourceAttributes {
  kind: 'resource';
  user: UserInfo;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  /** Empty for cluster-scoped requests and for requests across all namespaces. */
  namespace: string;
  /** Empty when the request names no object (list, create without a name). */
  name: string;
  /** A list's or watch's field selector, for authorizers that allow only some (the Node authorizer). */
  fieldSelector?: string;
}

export interface NonResourceAttributes {
  kind: 'nonresource';
  user: UserInfo;
  verb: string;
  path: string;
}

export type Attributes = ResourceAttributes | NonResourceAttributes;

type Decision = 'allow' | 'deny' | 'no-opinion';

export interface AuthorizerResult {
  decision: Decision;
  /** Why not, in words that go after kube's "forbidden" message (may be empty). */
  reason: string;
}

export interface Authorizer {
  authorize(a: Attributes): AuthorizerResult;
}

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  /** User, Group or ServiceAccount (anything else grants nothing). */
  kind: string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup: string;
  /** Role or ClusterRole. */
  kind: string;
  name: string;
}

export interface RoleObject {
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
  rules?: PolicyRule[] | null;
  aggregationRule?: { clusterRoleSelectors?: LabelSelectorSpec[] } | null;
}

interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface BindingObject {
  metadata: { name?: string; namespace?: string };
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** The user name of a ServiceAccount ("system:serviceaccount:NS:NAME"). */
export const serviceAccountUser = (namespace: string, name: string): string =>
  `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;

/** The groups every ServiceAccount's user is in. */
export const serviceAccountGroups = (namespace: string): string[] => [
  'system:serviceaccounts',
  `system:serviceaccounts:${namespace}`,
  'system:authenticated',
];

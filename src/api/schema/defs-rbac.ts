/** Schemas of rbac.authorization.k8s.io, authorization.k8s.io and authentication.k8s.io (as in Kubernetes 1.32). */
import type { Definitions, Schema } from './types.js';
import { AUTHENTICATION, AUTHORIZATION, META, RBAC, arr, bool, int64, obj, r, str, time } from './dsl.js';

const strings = () => arr(str(), { listType: 'atomic' });
const object = (kind: string, fields: Record<string, Schema>): Schema =>
  obj({ kind: str(), apiVersion: str(), metadata: r(META + 'ObjectMeta'), ...fields });
const list = (item: string): Schema =>
  obj({ kind: str(), apiVersion: str(), metadata: r(META + 'ListMeta'), items: arr(r(item)) }, { required: ['items'] });

export const rbacDefinitions: Definitions = {
  [RBAC + 'PolicyRule']: obj(
    {
      verbs: strings(),
      apiGroups: strings(),
      resources: strings(),
      resourceNames: strings(),
      nonResourceURLs: strings(),
    },
    { required: ['verbs'] },
  ),
  [RBAC + 'AggregationRule']: obj({
    clusterRoleSelectors: arr(r(META + 'LabelSelector'), { listType: 'atomic' }),
  }),
  [RBAC + 'Subject']: obj(
    { kind: str(), apiGroup: str(), name: str(), namespace: str() },
    { atomic: true, required: ['kind', 'name'] },
  ),
  [RBAC + 'RoleRef']: obj(
    { apiGroup: str(), kind: str(), name: str() },
    { atomic: true, required: ['apiGroup', 'kind', 'name'] },
  ),
  [RBAC + 'Role']: object('Role', { rules: arr(r(RBAC + 'PolicyRule'), { listType: 'atomic' }) }),
  [RBAC + 'RoleList']: list(RBAC + 'Role'),
  [RBAC + 'ClusterRole']: object('ClusterRole', {
    rules: arr(r(RBAC + 'PolicyRule'), { listType: 'atomic' }),
    aggregationRule: r(RBAC + 'AggregationRule'),
  }),
  [RBAC + 'ClusterRoleList']: list(RBAC + 'ClusterRole'),
  [RBAC + 'RoleBinding']: object('RoleBinding', {
    subjects: arr(r(RBAC + 'Subject'), { listType: 'atomic' }),
    roleRef: r(RBAC + 'RoleRef'),
  }),
  [RBAC + 'RoleBindingList']: list(RBAC + 'RoleBinding'),
  [RBAC + 'ClusterRoleBinding']: object('ClusterRoleBinding', {
    subjects: arr(r(RBAC + 'Subject'), { listType: 'atomic' }),
    roleRef: r(RBAC + 'RoleRef'),
  }),
  [RBAC + 'ClusterRoleBindingList']: list(RBAC + 'ClusterRoleBinding'),

  [AUTHORIZATION + 'ResourceAttributes']: obj({
    namespace: str(),
    verb: str(),
    group: str(),
    version: str(),
    resource: str(),
    subresource: str(),
    name: str(),
  }),
  [AUTHORIZATION + 'NonResourceAttributes']: obj({ path: str(), verb: str() }),
  [AUTHORIZATION + 'SubjectAccessReviewSpec']: obj({
    resourceAttributes: r(AUTHORIZATION + 'ResourceAttributes'),
    nonResourceAttributes: r(AUTHORIZATION + 'NonResourceAttributes'),
    user: str(),
    groups: strings(),
    uid: str(),
  }),
  [AUTHORIZATION + 'SelfSubjectAccessReviewSpec']: obj({
    resourceAttributes: r(AUTHORIZATION + 'ResourceAttributes'),
    nonResourceAttributes: r(AUTHORIZATION + 'NonResourceAttributes'),
  }),
  [AUTHORIZATION + 'SubjectAccessReviewStatus']: obj({
    allowed: bool(),
    denied: bool(),
    reason: str(),
    evaluationError: str(),
  }),
  [AUTHORIZATION + 'SubjectAccessReview']: object('SubjectAccessReview', {
    spec: r(AUTHORIZATION + 'SubjectAccessReviewSpec'),
    status: r(AUTHORIZATION + 'SubjectAccessReviewStatus'),
  }),
  [AUTHORIZATION + 'LocalSubjectAccessReview']: object('LocalSubjectAccessReview', {
    spec: r(AUTHORIZATION + 'SubjectAccessReviewSpec'),
    status: r(AUTHORIZATION + 'SubjectAccessReviewStatus'),
  }),
  [AUTHORIZATION + 'SelfSubjectAccessReview']: object('SelfSubjectAccessReview', {
    spec: r(AUTHORIZATION + 'SelfSubjectAccessReviewSpec'),
    status: r(AUTHORIZATION + 'SubjectAccessReviewStatus'),
  }),
  [AUTHORIZATION + 'SelfSubjectRulesReviewSpec']: obj({ namespace: str() }),
  [AUTHORIZATION + 'ResourceRule']: obj({
    verbs: strings(),
    apiGroups: strings(),
    resources: strings(),
    resourceNames: strings(),
  }),
  [AUTHORIZATION + 'NonResourceRule']: obj({ verbs: strings(), nonResourceURLs: strings() }),
  [AUTHORIZATION + 'SubjectRulesReviewStatus']: obj({
    resourceRules: arr(r(AUTHORIZATION + 'ResourceRule'), { listType: 'atomic' }),
    nonResourceRules: arr(r(AUTHORIZATION + 'NonResourceRule'), { listType: 'atomic' }),
    incomplete: bool(),
    evaluationError: str(),
  }),
  [AUTHORIZATION + 'SelfSubjectRulesReview']: object('SelfSubjectRulesReview', {
    spec: r(AUTHORIZATION + 'SelfSubjectRulesReviewSpec'),
    status: r(AUTHORIZATION + 'SubjectRulesReviewStatus'),
  }),

  [AUTHENTICATION + 'UserInfo']: obj({ username: str(), uid: str(), groups: strings() }),
  [AUTHENTICATION + 'TokenReviewSpec']: obj({ token: str(), audiences: strings() }),
  [AUTHENTICATION + 'TokenReviewStatus']: obj({
    authenticated: bool(),
    user: r(AUTHENTICATION + 'UserInfo'),
    audiences: strings(),
    error: str(),
  }),
  [AUTHENTICATION + 'TokenReview']: object('TokenReview', {
    spec: r(AUTHENTICATION + 'TokenReviewSpec'),
    status: r(AUTHENTICATION + 'TokenReviewStatus'),
  }),
  // The serviceaccounts/token subresource's body and answer.
  [AUTHENTICATION + 'BoundObjectReference']: obj({ kind: str(), apiVersion: str(), name: str(), uid: str() }),
  [AUTHENTICATION + 'TokenRequestSpec']: obj({
    audiences: strings(),
    expirationSeconds: int64(),
    boundObjectRef: r(AUTHENTICATION + 'BoundObjectReference'),
  }),
  [AUTHENTICATION + 'TokenRequestStatus']: obj({ token: str(), expirationTimestamp: time() }),
  [AUTHENTICATION + 'TokenRequest']: object('TokenRequest', {
    spec: r(AUTHENTICATION + 'TokenRequestSpec'),
    status: r(AUTHENTICATION + 'TokenRequestStatus'),
  }),
  [AUTHENTICATION + 'SelfSubjectReviewStatus']: obj({ userInfo: r(AUTHENTICATION + 'UserInfo') }),
  [AUTHENTICATION + 'SelfSubjectReview']: object('SelfSubjectReview', {
    status: r(AUTHENTICATION + 'SelfSubjectReviewStatus'),
  }),
};

/** RBAC rules (rbac validation.go): role rules, role references and subjects. */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import type { NameRule } from './formats.js';
import { arr, invalid, isObj, notSupported, obj, required, str, withGoValue } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** ValidatePathSegmentName: RBAC names may hold ':' (system:node) but not '/' or '%', nor be '.' or '..'. */
const nameIsPathSegment: NameRule = (name, prefix) => {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  for (const bad of ['/', '%']) if (name.includes(bad)) return [`may not contain '${bad}'`];
  return [];
};

function validateRules(o: KObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  arr(o.rules).forEach((raw, i) => {
    const r = obj(raw);
    const at = `rules[${i}]`;
    const urls = arr(r.nonResourceURLs);
    if (arr(r.verbs).length === 0) errs.push(required(`${at}.verbs`, 'verbs must contain at least one value'));
    if (urls.length > 0) {
      if (namespaced)
        errs.push(
          withGoValue(
            'FieldValueInvalid',
            `${at}.nonResourceURLs`,
            JSON.stringify(urls),
            'namespaced rules cannot apply to non-resource URLs',
          ),
        );
      if (arr(r.apiGroups).length > 0 || arr(r.resources).length > 0 || arr(r.resourceNames).length > 0)
        errs.push(
          withGoValue(
            'FieldValueInvalid',
            `${at}.nonResourceURLs`,
            JSON.stringify(urls),
            'rules cannot apply to both regular resources and non-resource URLs',
          ),
        );
      return;
    }
    if (arr(r.apiGroups).length === 0)
      errs.push(required(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
    if (arr(r.resources).length === 0)
      errs.push(required(`${at}.resources`, 'resource rules must supply at least one resource'));
  });
  return errs;
}

export const validateRole = (o: KObject): FieldError[] => [
  ...validateObjectMeta(o, true, nameIsPathSegment),
  ...validateRules(o, true),
];
export const validateRoleUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateRules(o, true),
];
export const validateClusterRole = (o: KObject): FieldError[] => [
  ...validateObjectMeta(o, false, nameIsPathSegment),
  ...validateRules(o, false),
];
export const validateClusterRoleUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateRules(o, false),
];

function validateBinding(o: KObject, cluster: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = obj(o.roleRef);
  if (str(ref.apiGroup) !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', str(ref.apiGroup), [RBAC_GROUP]));
  const kinds = cluster ? ['ClusterRole'] : ['ClusterRole', 'Role'];
  if (!kinds.includes(str(ref.kind))) errs.push(notSupported('roleRef.kind', str(ref.kind), kinds));
  if (!str(ref.name)) errs.push(required('roleRef.name', ''));
  else errs.push(...nameIsPathSegment(str(ref.name), false).map((m) => invalid('roleRef.name', str(ref.name), m)));
  arr(o.subjects).forEach((raw, i) => {
    const s = isObj(raw) ? raw : {};
    const at = `subjects[${i}]`;
    const kind = str(s.kind),
      group = str(s.apiGroup),
      name = str(s.name);
    if (!name) errs.push(required(`${at}.name`, ''));
    if (kind === 'ServiceAccount') {
      if (group) errs.push(notSupported(`${at}.apiGroup`, group, ['']));
      if (cluster && !str(s.namespace)) errs.push(required(`${at}.namespace`, ''));
    } else if (kind === 'User' || kind === 'Group') {
      if (group !== RBAC_GROUP) errs.push(notSupported(`${at}.apiGroup`, group, [RBAC_GROUP]));
    } else errs.push(notSupported(`${at}.kind`, kind, ['ServiceAccount', 'User', 'Group']));
  });
  return errs;
}

function roleRefUnchanged(o: KObject, old: KObject): FieldError[] {
  const a = obj(o.roleRef),
    b = obj(old.roleRef);
  if (a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name) return [];
  return [withGoValue('FieldValueInvalid', 'roleRef', JSON.stringify(a), 'cannot change roleRef')];
}

export const validateRoleBinding = (o: KObject): FieldError[] => [
  ...validateObjectMeta(o, true, nameIsPathSegment),
  ...validateBinding(o, false),
];
export const validateRoleBindingUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateBinding(o, false),
  ...roleRefUnchanged(o, old),
];
export const validateClusterRoleBinding = (o: KObject): FieldError[] => [
  ...validateObjectMeta(o, false, nameIsPathSegment),
  ...validateBinding(o, true),
];
export const validateClusterRoleBindingUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateBinding(o, true),
  ...roleRefUnchanged(o, old),
];

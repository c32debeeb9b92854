/** ConfigMap and Secret rules: config-key names, 1 MiB total, immutability, typed secret keys. */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { byteLength, isConfigMapKey, nameIsDNSSubdomain } from './formats.js';
import { deepEqual, forbidden, invalid, invalidEach, obj, required, str, tooLong } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

const maxSize = 1024 * 1024;
const base64Bytes = (v: unknown) => Buffer.from(str(v), 'base64').length;

export function validateConfigMap(o: KObject): FieldError[] {
  const errs = validateObjectMeta(o, true, nameIsDNSSubdomain);
  const data = obj(o.data),
    binary = obj(o.binaryData);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...invalidEach(`data[${k}]`, k, isConfigMapKey(k)));
    if (k in binary) errs.push(invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    total += byteLength(str(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...invalidEach(`binaryData[${k}]`, k, isConfigMapKey(k)));
    total += base64Bytes(v);
  }
  if (total > maxSize) errs.push(tooLong('', maxSize));
  return errs;
}

function immutableContent(o: KObject, old: KObject, keys: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (o.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const k of keys)
    if (!deepEqual(o[k] ?? {}, old[k] ?? {})) errs.push(forbidden(k, 'field is immutable when `immutable` is set'));
  return errs;
}

export const validateConfigMapUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...immutableContent(o, old, ['data', 'binaryData']),
  ...validateConfigMap(o),
];

export function validateSecret(o: KObject): FieldError[] {
  const errs = validateObjectMeta(o, true, nameIsDNSSubdomain);
  const data = obj(o.data);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...invalidEach(`data[${k}]`, k, isConfigMapKey(k)));
    total += base64Bytes(v);
  }
  if (total > maxSize) errs.push(tooLong('data', maxSize));
  const has = (k: string) => k in data;
  switch (str(o.type)) {
    case 'kubernetes.io/service-account-token':
      if (!o.metadata.annotations?.['kubernetes.io/service-account.name'])
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    case 'kubernetes.io/dockercfg':
      if (!has('.dockercfg')) errs.push(required('data[.dockercfg]'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (!has('.dockerconfigjson')) errs.push(required('data[.dockerconfigjson]'));
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!str(data['ssh-privatekey'])) errs.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required('data[tls.crt]'));
      if (!has('tls.key')) errs.push(required('data[tls.key]'));
      break;
    default:
  }
  return errs;
}

export function validateSecretUpdate(o: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(o, old);
  if (str(o.type) !== str(old.type)) errs.push(invalid('type', str(o.type), 'field is immutable'));
  return [...errs, ...immutableContent(o, old, ['data']), ...validateSecret(o)];
}

/**
 * Constructors that keep the definition files short and readable:
 * one line per field, in the order Kubernetes declares them.
 */
import type { ArraySchema, ObjectSchema, Schema } from './types.js';

/** OpenAPI definition name prefixes, as kube-apiserver publishes them. */
export const CORE = 'io.k8s.api.core.v1.';
export const DISCOVERY = 'io.k8s.api.discovery.v1.';
export const NETWORKING = 'io.k8s.api.networking.v1.';
export const COORDINATION = 'io.k8s.api.coordination.v1.';
export const APPS = 'io.k8s.api.apps.v1.';
export const AUTOSCALING = 'io.k8s.api.autoscaling.v1.';
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

export const str = (): Schema => ({ type: 'string' });
export const int32 = (): Schema => ({ type: 'integer', format: 'int32' });
export const int64 = (): Schema => ({ type: 'integer', format: 'int64' });
export const double = (): Schema => ({ type: 'number', format: 'double' });
export const bool = (): Schema => ({ type: 'boolean' });
/** metav1.Time and MicroTime: RFC 3339 strings. */
export const time = (): Schema => ({ type: 'string', format: 'date-time' });
/** []byte: base64 in JSON. */
export const bytes = (): Schema => ({ type: 'string', format: 'byte' });
export const quantity = (): Schema => ({ type: 'quantity' });
export const intOrString = (): Schema => ({ type: 'int-or-string' });
/** Free-form JSON (RawExtension, FieldsV1). */
export const any = (): Schema => ({ type: 'any' });
export const r = (ref: string): Schema => ({ type: 'ref', ref });

export const arr = (items: Schema, meta: Omit<ArraySchema, 'type' | 'items'> = {}): ArraySchema => ({
  type: 'array',
  items,
  ...meta,
});

export const map = (values: Schema, meta: { atomic?: boolean } = {}): Schema => ({ type: 'map', values, ...meta });

export const obj = (
  properties: Record<string, Schema>,
  meta: Omit<ObjectSchema, 'type' | 'properties'> = {},
): ObjectSchema => ({ type: 'object', properties, ...meta });
export const RBAC = 'io.k8s.api.rbac.v1.';
export const AUTHORIZATION = 'io.k8s.api.authorization.v1.';
export const AUTHENTICATION = 'io.k8s.api.authentication.v1.';

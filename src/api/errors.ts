/**
 * Every error the API returns, defined once. An ApiError becomes a
 * meta.k8s.io/v1 Status response in exactly one place (apiserver/respond.ts),
 * so kubectl prints the same messages a real cluster gives.
 */

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'TooManyRequests';

/** One problem with one field, as Kubernetes reports it (field.Error). */
export interface FieldError {
  /** FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong, FieldValueTypeInvalid */
  type: FieldErrorType;
  /** Dotted path with indexes, e.g. spec.ports[0].port */
  field: string;
  /** The offending value, printed by Kubernetes' rules (see formatFieldError). Omitted for Required/Forbidden. */
  value?: unknown;
  /** Detail appended after the type text. */
  detail?: string;
  /** For NotSupported: the allowed values. */
  supported?: string[];
}

type FieldErrorType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid';

const fieldErrorText: Record<FieldErrorType, string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
};

export const fieldError = {
  invalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueInvalid',
    field,
    value,
    detail,
  }),
  required: (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail }),
  notSupported: (field: string, value: unknown, supported: string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    value,
    supported,
  }),
  duplicate: (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail }),
  tooLong: (field: string, max: number): FieldError => ({
    type: 'FieldValueTooLong',
    field,
    detail: `may not be more than ${max} bytes`,
  }),
  typeInvalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueTypeInvalid',
    field,
    value,
    detail,
  }),
};

/** Go's %#v-ish rendering Kubernetes uses for values in field errors. */
function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  // Go's %#v of a []string, as kube prints e.g. spec.clusterIPs.
  if (Array.isArray(v) && v.every((x) => typeof x === 'string'))
    return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  return JSON.stringify(v);
}

/** The message of one field error, e.g. `spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive`. */
export function formatFieldError(e: FieldError): string {
  let s = `${e.field}: ${fieldErrorText[e.type]}`;
  if (
    e.type === 'FieldValueRequired' ||
    e.type === 'FieldValueForbidden' ||
    (e.type === 'FieldValueTooLong' && e.value === undefined)
  ) {
    return e.detail ? `${s}: ${e.detail}` : s;
  }
  if (e.value !== undefined) s += `: ${formatValue(e.value)}`;
  if (e.type === 'FieldValueNotSupported' && e.supported) {
    return `${s}: supported values: ${e.supported.map((x) => JSON.stringify(x)).join(', ')}`;
  }
  return e.detail ? `${s}: ${e.detail}` : s;
}

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** Resource as Kubernetes names it in messages: `services`, `ingresses.networking.k8s.io`. */
export interface GroupResource {
  group: string;
  resource: string;
}
const qualified = (gr: GroupResource) => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);
/** Kind as Kubernetes names it in Invalid messages: `Service`, `Ingress.networking.k8s.io`. */
interface GroupKind {
  group: string;
  kind: string;
}
const qualifiedKind = (gk: GroupKind) => (gk.group ? `${gk.kind}.${gk.group}` : gk.kind);

export const errors = {
  notFound: (gr: GroupResource, name: string) =>
    new ApiError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    }),
  alreadyExists: (gr: GroupResource, name: string) =>
    new ApiError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    }),
  conflict: (gr: GroupResource, name: string, why: string) =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    }),
  /** The optimistic-concurrency conflict message kubectl users know. */
  staleObject: (gr: GroupResource, name: string) =>
    errors.conflict(
      gr,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    ),
  invalid: (gk: GroupKind, name: string, causes: FieldError[]) => {
    const msgs = causes.map(formatFieldError);
    const body = msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
    return new ApiError(422, 'Invalid', `${qualifiedKind(gk)} "${name}" is invalid: ${body}`, {
      name,
      group: gk.group || undefined,
      kind: gk.kind,
      causes: causes.map((c, i) => ({ reason: c.type, message: msgs[i]!.slice(c.field.length + 2), field: c.field })),
    });
  },
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (message: string) => new ApiError(403, 'Forbidden', message),
  methodNotAllowed: (verb: string, gr: GroupResource) =>
    new ApiError(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource (${verb} ${qualified(gr)})`,
    ),
  notAcceptable: (message: string) => new ApiError(406, 'NotAcceptable', message),
  unsupportedMediaType: (type: string) =>
    new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json (got ${JSON.stringify(type)})`,
    ),
  tooLarge: () => new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'),
  /** A watch or list from a compacted resourceVersion. */
  expired: (message: string) => new ApiError(410, 'Expired', message),
  gone: (message: string) => new ApiError(410, 'Gone', message),
  /**
   * A read or watch from a resourceVersion the store has not reached (kube's
   * NewTooLargeResourceVersionError): clients retry after a second, and
   * client-go's reflector recognises the cause.
   */
  tooLargeResourceVersion: (requested: number, current: number) =>
    new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    }),
  internal: (message: string) => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`),
  unavailable: (message: string) => new ApiError(503, 'ServiceUnavailable', message),
  /** The 404 for a path that names no resource the server serves. */
  resourceNotFound: () => new ApiError(404, 'NotFound', 'the server could not find the requested resource'),
};

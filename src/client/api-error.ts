/** Turns a non-2xx API response into the ApiError every caller already knows. */
import { ApiError, type StatusDetails, type StatusReason } from '../api/errors.js';

const reasonByCode: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

interface StatusBody {
  kind?: string;
  code?: number;
  reason?: StatusReason;
  message?: string;
  details?: StatusDetails;
}

/** Builds an ApiError from an HTTP status code and body (a meta/v1 Status when the server is Kubernetes). */
export function apiErrorFromResponse(statusCode: number, body: string): ApiError {
  let s: StatusBody | undefined;
  try {
    const parsed = JSON.parse(body) as StatusBody;
    if (parsed && parsed.kind === 'Status') s = parsed;
  } catch {
    // not JSON: a proxy or a non-Kubernetes server answered
  }
  const code = s?.code || statusCode;
  const reason = s?.reason || reasonByCode[code] || (code >= 500 ? 'InternalError' : 'BadRequest');
  const message = s?.message || body.trim() || `the server responded with HTTP ${statusCode}`;
  return new ApiError(code, reason, message, s?.details);
}

/** Builds an ApiError from the Status object of a watch ERROR event. */
export function apiErrorFromStatus(status: unknown): ApiError {
  const s = (status ?? {}) as StatusBody;
  const code = s.code ?? 500;
  return new ApiError(code, s.reason ?? reasonByCode[code] ?? 'InternalError', s.message ?? 'watch failed', s.details);
}

/** True for an ApiError with this HTTP code. */
export const isApiError = (e: unknown, code: number): e is ApiError => e instanceof ApiError && e.code === code;
export const isNotFound = (e: unknown): boolean => isApiError(e, 404);
export const isConflict = (e: unknown): boolean => isApiError(e, 409) && e.reason === 'Conflict';
export const isAlreadyExists = (e: unknown): boolean => isApiError(e, 409) && e.reason === 'AlreadyExists';
/** 410: the resourceVersion is too old (compacted); relist. */
export const isExpired = (e: unknown): boolean => isApiError(e, 410);

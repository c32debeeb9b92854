/**
 * The opaque `continue` token of a paged list: the revision the first page
 * was read at, the last key returned, and how many keys were left after it
 * (so later pages need not count the rest again: counting walks every
 * remaining key, which made paging through 100,000 objects quadratic).
 */
import { errors } from '../../api/errors.js';

interface Token {
  v: string;
  rv: number;
  start: string;
  left?: number;
}

export function encodeContinue(revision: number, lastKey: string, prefix: string, left?: number): string {
  const t: Token = {
    v: 'meta.k8s.io/v1',
    rv: revision,
    start: lastKey.slice(prefix.length),
    ...(left !== undefined ? { left } : {}),
  };
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

export function decodeContinue(token: string, prefix: string): { revision: number; startAfter: string; left?: number } {
  let t: Token;
  try {
    t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Token;
  } catch {
    throw errors.badRequest('continue key is not valid: illegal base64 data');
  }
  if (t?.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string' || t.start.includes('..')) {
    throw errors.badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
  const left = Number.isSafeInteger(t.left) && t.left! >= 0 ? t.left : undefined;
  return { revision: t.rv, startAfter: prefix + t.start, ...(left !== undefined ? { left } : {}) };
}

/** The opaque `continue` token of a paged list: the revision the first page was read at and the last key returned. */
import { errors } from '../../api/errors.js';

interface Token { v: string; rv: number; start: string }

export function encodeContinue(revision: number, lastKey: string, prefix: string): string {
  const t: Token = { v: 'meta.k8s.io/v1', rv: revision, start: lastKey.slice(prefix.length) };
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

export function decodeContinue(token: string, prefix: string): { revision: number; startAfter: string } {
  let t: Token;
  try {
    t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Token;
  } catch {
    throw errors.badRequest('continue key is not valid: illegal base64 data');
  }
  if (t?.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string' || t.start.includes('..')) {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  return { revision: t.rv, startAfter: prefix + t.start };
}

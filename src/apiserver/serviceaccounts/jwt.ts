/**
 * Compact JWS with RS256 (RFC 7515/7519), the form of kube's ServiceAccount
 * tokens: base64url(header).base64url(claims).base64url(signature). Only
 * RS256 is accepted on the way in, so a token cannot pick `none` or an HMAC
 * keyed by the public key.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** The key id kube derives from a signing key: base64url(sha256(DER of the public key)). */
function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}

export function signJwt(claims: object, privateKey: KeyObject): string {
  const head = b64({ alg: 'RS256', kid: keyId(privateKey) } satisfies JwtHeader);
  const body = b64(claims);
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url');
  return `${head}.${body}.${signature}`;
}

/** The claims of a token this key signed, or why it is not one. */
export function verifyJwt(
  token: string,
  publicKey: KeyObject,
): { claims: Record<string, unknown> } | { error: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { error: 'not a JWT' };
  const [head, body, signature] = parts as [string, string, string];
  let header: JwtHeader, claims: unknown;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as JwtHeader;
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { error: 'malformed JWT' };
  }
  if (header?.alg !== 'RS256') return { error: `unsupported signing algorithm ${String(header?.alg)}` };
  if (!verify('sha256', Buffer.from(`${head}.${body}`), publicKey, Buffer.from(signature, 'base64url')))
    return { error: 'invalid signature' };
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return { error: 'malformed claims' };
  return { claims: claims as Record<string, unknown> };
}

/**
 * Where a browser's bearer token travels. Pure.
 *
 * Plain requests carry `Authorization: Bearer T`. A browser cannot set
 * headers on a WebSocket, so the terminal offers the token as a
 * sub-protocol, `base64url.bearer.authorization.k8s.io.<T in base64url>`,
 * the form kube-apiserver accepts; the console takes it out and sends it
 * on as the Authorization header.
 */

export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/** The token of an `Authorization: Bearer T` header, or undefined. */
export function bearerFromHeader(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : undefined;
}

/** A Sec-WebSocket-Protocol header split into its offers. */
export function splitProtocols(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * The token hidden in a WebSocket's offered sub-protocols, and the offers
 * without it (what goes on to the API server).
 */
export function bearerFromProtocols(offers: readonly string[]): { token?: string; protocols: string[] } {
  let token: string | undefined;
  const protocols: string[] = [];
  for (const p of offers) {
    if (!p.startsWith(BEARER_PROTOCOL_PREFIX)) {
      protocols.push(p);
      continue;
    }
    const encoded = p.slice(BEARER_PROTOCOL_PREFIX.length);
    if (!/^[A-Za-z0-9_-]+$/.test(encoded)) continue;
    const decoded = Buffer.from(encoded, 'base64url').toString('utf8');
    if (decoded && !/\s/.test(decoded)) token = decoded;
  }
  return token === undefined ? { protocols } : { token, protocols };
}

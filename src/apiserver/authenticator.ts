/**
 * Who a bearer token is: the static tokens (admin, nodes, named users in
 * DIR/tokens.json), then bound ServiceAccount tokens (signed JWTs, checked
 * against the objects they are bound to). kube-apiserver's union of token
 * authenticators, in one place for requests, upgrades and TokenReview.
 * Client certificates (x509) come first, as in kube-apiserver.
 */
import type { TLSSocket } from 'node:tls';
import type { ServiceAccountTokens } from './serviceaccounts/tokens.js';
import type { TokenAuthenticator, UserInfo } from './state/tokens.js';

export class BearerAuthenticator {
  constructor(
    private readonly statics: TokenAuthenticator,
    private readonly serviceAccounts: ServiceAccountTokens,
  ) {}

  async authenticate(token: string): Promise<UserInfo | undefined> {
    const r = await this.check(token);
    return 'user' in r ? r.user : undefined;
  }

  /** The user, or why the token names none (TokenReview's status.error). */
  async check(token: string): Promise<{ user: UserInfo } | { error: string }> {
    const user = this.statics.authenticate(token);
    if (user) return { user };
    if (isJwt(token)) return this.serviceAccounts.check(token);
    return { error: 'invalid bearer token' };
  }
}

function isJwt(token: string): boolean {
  return token.split('.').length === 3;
}

/** A verified client certificate's subject, as node:tls gives it: a key repeated in the subject is an array. */
type Subject = Partial<Record<string, string | string[]>>;

/**
 * The user a client certificate signed by the cluster CA names, as
 * kube-apiserver's x509 authenticator reads it: the subject's CN is the
 * user name, each O a group. No CN, no user.
 */
export function userOfCertificateSubject(subject: Subject | undefined): UserInfo | undefined {
  const values = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const name = values(subject?.['CN'])[0];
  if (!name) return undefined;
  const groups = values(subject?.['O']).filter((g) => g !== 'system:authenticated');
  return { name, groups: [...groups, 'system:authenticated'] };
}

/**
 * The user of a TLS connection's client certificate, when the certificate
 * chains to the cluster CA (the server asks for one and verifies it against
 * that CA only); undefined on plain connections and unverified ones.
 */
export function clientCertificateUser(socket: object): UserInfo | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (tls.authorized !== true || typeof tls.getPeerCertificate !== 'function') return undefined;
  // A connection's certificate is fixed for its life: decode it once, not per request.
  if (!certUsers.has(socket)) certUsers.set(socket, userOfCertificateSubject(tls.getPeerCertificate().subject));
  return certUsers.get(socket);
}

const certUsers = new WeakMap<object, UserInfo | undefined>();

/**
 * Bound ServiceAccount tokens: minted for TokenRequest, checked on every
 * request that carries one. A token is good while it is unexpired, names
 * this issuer and an audience of this server, and the objects it names
 * still exist with the same uids: deleting its pod, Secret or
 * ServiceAccount revokes it (kube's validator; a pod in graceful deletion
 * keeps its tokens for 60 s past its deletion time).
 */
import { randomUUID } from 'node:crypto';
import type { UserInfo } from '../state/tokens.js';
import { checkClaims, tokenClaims, userOf, type TokenSubject } from './claims.js';
import { signJwt, verifyJwt } from './jwt.js';
import type { SigningKey } from './signing-key.js';

/** What the authenticator needs to know of a named object: its uid and deletion time, or undefined when absent. */
export type ObjectLookup = (
  resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes',
  namespace: string,
  name: string,
) => Promise<{ uid?: string; deletionTimestamp?: string } | undefined>;

const POD_DELETION_GRACE_MS = 60_000;

export class ServiceAccountTokens {
  constructor(
    private readonly key: SigningKey,
    readonly issuer: string,
    /** The audiences this server accepts (and gives tokens that name none). */
    readonly audiences: string[],
    private readonly lookup: ObjectLookup,
  ) {}

  mint(
    subject: TokenSubject,
    audiences: string[] | undefined,
    expirationSeconds: number,
    now = Date.now(),
  ): { token: string; expirationTimestamp: string } {
    const nowSeconds = Math.floor(now / 1000);
    const claims = tokenClaims(subject, {
      issuer: this.issuer,
      audiences: audiences?.length ? audiences : this.audiences,
      nowSeconds,
      expirationSeconds,
      jti: randomUUID(),
    });
    return {
      token: signJwt(claims, this.key.privateKey),
      expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
  }

  async authenticate(token: string, now = Date.now()): Promise<UserInfo | undefined> {
    const r = await this.check(token, now);
    return 'user' in r ? r.user : undefined;
  }

  /** The user, or why the token is refused (TokenReview's status.error). */
  async check(token: string, now = Date.now()): Promise<{ user: UserInfo } | { error: string }> {
    const verified = verifyJwt(token, this.key.publicKey);
    if ('error' in verified) return verified;
    const checked = checkClaims(verified.claims, {
      issuer: this.issuer,
      audiences: this.audiences,
      nowSeconds: Math.floor(now / 1000),
    });
    if ('error' in checked) return checked;
    const s = checked.subject;
    const sa = await this.lookup('serviceaccounts', s.namespace, s.serviceAccount.name);
    if (!sa || sa.uid !== s.serviceAccount.uid || sa.deletionTimestamp)
      return { error: `service account ${s.namespace}/${s.serviceAccount.name} has been deleted` };
    if (s.secret) {
      const secret = await this.lookup('secrets', s.namespace, s.secret.name);
      if (!secret || secret.uid !== s.secret.uid || secret.deletionTimestamp)
        return { error: `secret ${s.namespace}/${s.secret.name} has been deleted` };
    }
    if (s.pod) {
      const pod = await this.lookup('pods', s.namespace, s.pod.name);
      if (!pod || pod.uid !== s.pod.uid) return { error: `pod ${s.namespace}/${s.pod.name} has been deleted` };
      if (pod.deletionTimestamp && Date.parse(pod.deletionTimestamp) + POD_DELETION_GRACE_MS < now)
        return { error: `pod ${s.namespace}/${s.pod.name} is being deleted` };
    }
    const jti = verified.claims['jti'];
    return { user: userOf(s, typeof jti === 'string' ? jti : undefined) };
  }
}

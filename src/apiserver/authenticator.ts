/**
 * Who a bearer token is: the static tokens (admin, nodes, named users in
 * DIR/tokens.json), then bound ServiceAccount tokens (signed JWTs, checked
 * against the objects they are bound to). kube-apiserver's union of token
 * authenticators, in one place for requests, upgrades and TokenReview.
 */
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

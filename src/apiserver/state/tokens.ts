/**
 * Bearer tokens: one admin token for kubectl, one per node agent and one
 * per cluster add-on (its own identity, e.g. system:podnet-router), kept
 * in DIR/tokens.json (mode 0600).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface UserInfo {
  name: string;
  groups: string[];
  /** Set for ServiceAccount tokens: the ServiceAccount's uid. */
  uid?: string;
  /** Set for bound ServiceAccount tokens: the pod (or node) and token id, under kube's keys. */
  extra?: Record<string, string[]>;
}

interface TokenFile {
  admin: string;
  nodes: Record<string, string>;
  /** user name -> token, for add-ons and named users */
  users?: Record<string, string>;
  /** user name -> the groups it is in besides system:authenticated (a static token file's groups column) */
  groups?: Record<string, string[]>;
}

const newToken = () => randomBytes(24).toString('base64url');

export class TokenAuthenticator {
  private constructor(
    private readonly path: string,
    private data: TokenFile,
  ) {}

  static load(dir: string): TokenAuthenticator {
    const path = join(dir, 'tokens.json');
    let data: TokenFile;
    if (existsSync(path)) data = JSON.parse(readFileSync(path, 'utf8')) as TokenFile;
    else {
      data = { admin: newToken(), nodes: {} };
      writeFileSync(path, JSON.stringify(data, null, 2), { mode: 0o600 });
    }
    return new TokenAuthenticator(path, data);
  }

  get adminToken(): string {
    return this.data.admin;
  }

  /** The token for a node agent, minted on first request and kept. Re-reads the file so tokens minted by `podnet` while the server runs are honoured. */
  nodeToken(node: string): string {
    this.reload();
    let t = this.data.nodes[node];
    if (!t) {
      t = newToken();
      this.data.nodes[node] = t;
      writeFileSync(this.path, JSON.stringify(this.data, null, 2), { mode: 0o600 });
    }
    return t;
  }

  /**
   * The token of a named user (e.g. a ServiceAccount's "system:serviceaccount:kube-system:kube-dns"),
   * minted on first request and kept; `groups` (when given) replaces the user's groups.
   */
  userToken(user: string, groups?: string[]): string {
    this.reload();
    const users = (this.data.users ??= {});
    let t = users[user];
    let changed = false;
    if (!t) {
      t = newToken();
      users[user] = t;
      changed = true;
    }
    if (groups && JSON.stringify(this.data.groups?.[user] ?? []) !== JSON.stringify(groups)) {
      (this.data.groups ??= {})[user] = groups;
      changed = true;
    }
    if (changed) writeFileSync(this.path, JSON.stringify(this.data, null, 2), { mode: 0o600 });
    return t;
  }

  private reload(): void {
    if (existsSync(this.path)) this.data = JSON.parse(readFileSync(this.path, 'utf8')) as TokenFile;
  }

  /** The user a bearer token names, or undefined. */
  authenticate(token: string): UserInfo | undefined {
    if (same(token, this.data.admin)) return { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
    for (const [node, t] of Object.entries(this.data.nodes)) {
      if (same(token, t)) return { name: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'] };
    }
    for (const [user, t] of Object.entries(this.data.users ?? {})) {
      if (same(token, t)) return { name: user, groups: groupsOf(user, this.data.groups?.[user]) };
    }
    // A token minted by another process since we loaded: look once more.
    const before = this.data;
    this.reload();
    const known = [...Object.values(this.data.nodes), ...Object.values(this.data.users ?? {})];
    if (this.data !== before && known.some((t) => same(token, t))) return this.authenticate(token);
    return undefined;
  }
}

/** A ServiceAccount's user is in its namespace's groups, as kube's ServiceAccount authenticator says. */
function groupsOf(user: string, extra: string[] | undefined): string[] {
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(user);
  const base = sa ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`] : [];
  return [...new Set([...base, ...(extra ?? []), 'system:authenticated'])];
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a),
    y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

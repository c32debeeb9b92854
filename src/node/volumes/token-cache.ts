/**
 * The kubelet's token manager: the pods' ServiceAccount tokens, asked for
 * with TokenRequest (bound to the pod, so deleting the pod revokes them),
 * kept per pod, audience and lifetime, and asked for again once a token is
 * older than 80% of its lifetime or a day, so the file in the pod is
 * renewed well before it expires.
 */
import { findResource } from '../../api/resources.js';
import type { KubeClient } from '../../client/client.js';

const serviceAccounts = findResource('', 'v1', 'serviceaccounts')!;
const MAX_AGE_MS = 24 * 3600_000;

interface CachedToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/** Whether a cached token must be asked for again (pure). */
export function needsRefresh(t: CachedToken, now: number): boolean {
  const age = now - t.issuedAt;
  return now >= t.expiresAt || age > 0.8 * (t.expiresAt - t.issuedAt) || age > MAX_AGE_MS;
}

export interface TokenPod {
  metadata: { name?: string; namespace?: string; uid?: string };
  spec: { serviceAccountName?: string };
}

export class ServiceAccountTokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(
    private readonly client: KubeClient,
    private readonly log: (m: string) => void,
  ) {}

  /** The pod's token for this audience and lifetime; undefined when the API server refuses one (logged). */
  async token(
    pod: TokenPod,
    audience: string | undefined,
    expirationSeconds: number,
    now = Date.now(),
  ): Promise<string | undefined> {
    const sa = pod.spec.serviceAccountName || 'default';
    const key = `${pod.metadata.uid}\0${sa}\0${audience ?? ''}\0${expirationSeconds}`;
    const cached = this.tokens.get(key);
    if (cached && !needsRefresh(cached, now)) return cached.token;
    try {
      const r = await this.client.createSubresource<{ status?: { token?: string; expirationTimestamp?: string } }>(
        serviceAccounts,
        pod.metadata.namespace,
        sa,
        'token',
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            audiences: audience ? [audience] : [],
            expirationSeconds,
            boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name, uid: pod.metadata.uid },
          },
        },
      );
      const token = r.status?.token;
      if (!token) throw new Error('the TokenRequest answer has no token');
      const expiresAt = Date.parse(r.status?.expirationTimestamp ?? '') || now + expirationSeconds * 1000;
      this.tokens.set(key, { token, issuedAt: now, expiresAt });
      return token;
    } catch (e) {
      this.log(
        `pod ${pod.metadata.namespace}/${pod.metadata.name}: token for ServiceAccount ${sa}: ${(e as Error).message}`,
      );
      // An unexpired token still works: keep serving it until it is renewed.
      return cached && cached.expiresAt > now ? cached.token : undefined;
    }
  }

  /** Drops the tokens of a pod that is gone. */
  forget(uid: string): void {
    for (const k of this.tokens.keys()) if (k.startsWith(`${uid}\0`)) this.tokens.delete(k);
  }
}

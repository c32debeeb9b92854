/**
 * What a bound ServiceAccount token says (pure): kube's claims (iss, sub,
 * aud, exp, iat, nbf, jti and the private `kubernetes.io` claim naming the
 * namespace, the ServiceAccount and the pod or Secret it is bound to), the
 * checks on the way in (issuer, audience, validity window), and the user it
 * authenticates as.
 */
import { serviceAccountGroups, serviceAccountUser } from '../authz/types.js';
import type { UserInfo } from '../state/tokens.js';

/** The issuer and default audience, as kubeadm sets --service-account-issuer: the kubernetes Service's URL. */
export const serviceAccountIssuer = (clusterDomain: string) => `https://kubernetes.default.svc.${clusterDomain}`;
/** The kubelet's request; kube-apiserver's default for `kubectl create token`. */
export const DEFAULT_EXPIRATION_SECONDS = 3600;
export const MIN_EXPIRATION_SECONDS = 600;
export const MAX_EXPIRATION_SECONDS = 2 ** 32;

interface ObjectRef {
  name: string;
  uid: string;
}

export interface TokenSubject {
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: ObjectRef;
    pod?: ObjectRef;
    secret?: ObjectRef;
    node?: ObjectRef;
  };
}

export function tokenClaims(
  s: TokenSubject,
  o: { issuer: string; audiences: string[]; nowSeconds: number; expirationSeconds: number; jti: string },
): ServiceAccountClaims {
  return {
    aud: o.audiences,
    exp: o.nowSeconds + o.expirationSeconds,
    iat: o.nowSeconds,
    iss: o.issuer,
    jti: o.jti,
    'kubernetes.io': {
      namespace: s.namespace,
      ...(s.node ? { node: s.node } : {}),
      ...(s.pod ? { pod: s.pod } : {}),
      ...(s.secret ? { secret: s.secret } : {}),
      serviceaccount: s.serviceAccount,
    },
    nbf: o.nowSeconds,
    sub: serviceAccountUser(s.namespace, s.serviceAccount.name),
  };
}

/** Clock skew tolerated on exp and nbf, as kube's validator allows. */
const LEEWAY_SECONDS = 60;

/** The subject of verified claims if they are for us and valid now, or why not. */
export function checkClaims(
  c: Record<string, unknown>,
  o: { issuer: string; audiences: string[]; nowSeconds: number },
): { subject: TokenSubject; expiresAt: number } | { error: string } {
  if (c['iss'] !== o.issuer) return { error: 'token issued by another issuer' };
  const aud = typeof c['aud'] === 'string' ? [c['aud']] : c['aud'];
  if (!Array.isArray(aud) || !aud.some((a) => o.audiences.includes(a as string)))
    return { error: 'token audiences do not include this server' };
  const exp = c['exp'],
    nbf = c['nbf'];
  if (typeof exp !== 'number' || exp + LEEWAY_SECONDS < o.nowSeconds) return { error: 'token has expired' };
  if (typeof nbf === 'number' && nbf - LEEWAY_SECONDS > o.nowSeconds) return { error: 'token is not valid yet' };
  const k = c['kubernetes.io'] as ServiceAccountClaims['kubernetes.io'] | undefined;
  const ref = (r: unknown): ObjectRef | undefined => {
    const x = r as Partial<ObjectRef> | undefined;
    return typeof x?.name === 'string' && typeof x.uid === 'string' ? { name: x.name, uid: x.uid } : undefined;
  };
  const serviceAccount = ref(k?.serviceaccount);
  if (!k || typeof k.namespace !== 'string' || !serviceAccount) return { error: 'token names no ServiceAccount' };
  if (c['sub'] !== serviceAccountUser(k.namespace, serviceAccount.name))
    return { error: 'token subject does not match its ServiceAccount' };
  return {
    subject: {
      namespace: k.namespace,
      serviceAccount,
      pod: ref(k.pod),
      secret: ref(k.secret),
      node: ref(k.node),
    },
    expiresAt: exp,
  };
}

/** The user a ServiceAccount token authenticates as, with kube's extra keys. */
export function userOf(s: TokenSubject, jti?: string): UserInfo {
  const extra: Record<string, string[]> = {};
  if (s.pod) {
    extra['authentication.kubernetes.io/pod-name'] = [s.pod.name];
    extra['authentication.kubernetes.io/pod-uid'] = [s.pod.uid];
  }
  if (s.node) {
    extra['authentication.kubernetes.io/node-name'] = [s.node.name];
    extra['authentication.kubernetes.io/node-uid'] = [s.node.uid];
  }
  if (jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${jti}`];
  return {
    name: serviceAccountUser(s.namespace, s.serviceAccount.name),
    uid: s.serviceAccount.uid,
    groups: serviceAccountGroups(s.namespace),
    extra,
  };
}

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { checkClaims, tokenClaims, userOf } from './claims.js';
import { signJwt, verifyJwt } from './jwt.js';
import {
  admitPodServiceAccount,
  automounts,
  mountApiAccess,
  SERVICE_ACCOUNT_MOUNT_PATH,
  type AdmittedPod,
} from './pod-admission.js';
import { ServiceAccountTokens, type ObjectLookup } from './tokens.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

test('jwt: what one key signs, it verifies; anything else is refused', () => {
  const token = signJwt({ sub: 'x', n: 1 }, privateKey);
  assert.deepEqual(verifyJwt(token, publicKey), { claims: { sub: 'x', n: 1 } });
  const [h, , s] = token.split('.');
  const cases: [string, string][] = [
    [`${h}.${b64({ sub: 'admin', n: 1 })}.${s}`, 'invalid signature'],
    [signJwt({ sub: 'x' }, other.privateKey), 'invalid signature'],
    [`${b64({ alg: 'none' })}.${b64({ sub: 'x' })}.`, 'unsupported signing algorithm none'],
    [`${b64({ alg: 'HS256' })}.${b64({ sub: 'x' })}.abc`, 'unsupported signing algorithm HS256'],
    ['abc', 'not a JWT'],
    ['a.b.c', 'malformed JWT'],
  ];
  for (const [t, error] of cases) assert.deepEqual(verifyJwt(t, publicKey), { error }, t);
});

test('claims: issuer, audience and validity window are checked', () => {
  const subject = { namespace: 'ns', serviceAccount: { name: 'sa', uid: 'u1' }, pod: { name: 'p', uid: 'u2' } };
  const claims = tokenClaims(subject, {
    issuer: ISSUER,
    audiences: [ISSUER],
    nowSeconds: 1000,
    expirationSeconds: 600,
    jti: 'j',
  }) as unknown as Record<string, unknown>;
  const at = (nowSeconds: number, o: Partial<{ issuer: string; audiences: string[] }> = {}) =>
    checkClaims(claims, { issuer: ISSUER, audiences: [ISSUER], nowSeconds, ...o });
  assert.deepEqual(at(1200), { subject: { ...subject, secret: undefined, node: undefined }, expiresAt: 1600 });
  assert.deepEqual(at(1700), { error: 'token has expired' });
  assert.deepEqual(at(950), { subject: { ...subject, secret: undefined, node: undefined }, expiresAt: 1600 }, 'skew');
  assert.deepEqual(at(800), { error: 'token is not valid yet' });
  assert.deepEqual(at(1200, { issuer: 'https://other' }), { error: 'token issued by another issuer' });
  assert.deepEqual(at(1200, { audiences: ['vault'] }), { error: 'token audiences do not include this server' });
  assert.deepEqual(
    checkClaims(
      { ...claims, sub: 'system:serviceaccount:ns:admin' },
      { issuer: ISSUER, audiences: [ISSUER], nowSeconds: 1200 },
    ),
    {
      error: 'token subject does not match its ServiceAccount',
    },
  );
  const user = userOf(subject, 'j');
  assert.equal(user.name, 'system:serviceaccount:ns:sa');
  assert.deepEqual(user.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated']);
  assert.deepEqual(user.extra?.['authentication.kubernetes.io/pod-name'], ['p']);
});

test('a bound token lives as long as its ServiceAccount and pod, with the same uids', async () => {
  const objects = new Map<string, { uid: string; deletionTimestamp?: string }>([
    ['serviceaccounts/ns/sa', { uid: 'sa-1' }],
    ['pods/ns/p', { uid: 'pod-1' }],
  ]);
  const lookup: ObjectLookup = (resource, ns, name) => Promise.resolve(objects.get(`${resource}/${ns}/${name}`));
  const tokens = new ServiceAccountTokens({ privateKey, publicKey }, ISSUER, [ISSUER], lookup);
  const now = Date.parse('2026-01-01T00:00:00Z');
  const { token, expirationTimestamp } = tokens.mint(
    { namespace: 'ns', serviceAccount: { name: 'sa', uid: 'sa-1' }, pod: { name: 'p', uid: 'pod-1' } },
    undefined,
    3600,
    now,
  );
  assert.equal(expirationTimestamp, '2026-01-01T01:00:00Z');
  assert.equal((await tokens.authenticate(token, now))?.name, 'system:serviceaccount:ns:sa');
  assert.deepEqual(await tokens.check(token, now + 2 * 3600_000), { error: 'token has expired' });
  objects.set('pods/ns/p', { uid: 'pod-1', deletionTimestamp: new Date(now).toISOString() });
  assert.ok('user' in (await tokens.check(token, now + 30_000)), 'a terminating pod keeps its token a minute');
  assert.deepEqual(await tokens.check(token, now + 120_000), { error: 'pod ns/p is being deleted' });
  objects.set('pods/ns/p', { uid: 'pod-2' });
  assert.deepEqual(
    await tokens.check(token, now),
    { error: 'pod ns/p has been deleted' },
    'a new pod of the same name',
  );
  objects.set('pods/ns/p', { uid: 'pod-1' });
  objects.delete('serviceaccounts/ns/sa');
  assert.deepEqual(await tokens.check(token, now), { error: 'service account ns/sa has been deleted' });
  const vault = tokens.mint({ namespace: 'ns', serviceAccount: { name: 'sa', uid: 'sa-1' } }, ['vault'], 3600, now);
  objects.set('serviceaccounts/ns/sa', { uid: 'sa-1' });
  assert.deepEqual(await tokens.check(vault.token, now), { error: 'token audiences do not include this server' });
});

const pod = (spec: AdmittedPod['spec'] = {}): AdmittedPod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: [{}], ...spec },
});

test('admission: the kube-api-access volume and mounts, unless a container mounts the path itself', () => {
  const p = pod({
    initContainers: [{}],
    containers: [{}, { volumeMounts: [{ name: 'own', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }] }],
  });
  mountApiAccess(p, 'abcde');
  const vol = p.spec!.volumes![0] as { name: string; projected: { sources: Record<string, unknown>[] } };
  assert.equal(vol.name, 'kube-api-access-abcde');
  assert.deepEqual(
    vol.projected.sources.map((s) => Object.keys(s)[0]),
    ['serviceAccountToken', 'configMap', 'downwardAPI'],
  );
  assert.deepEqual(p.spec!.initContainers![0]!.volumeMounts, [
    { name: 'kube-api-access-abcde', readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH },
  ]);
  assert.deepEqual(p.spec!.containers![0]!.volumeMounts, p.spec!.initContainers![0]!.volumeMounts);
  assert.deepEqual(p.spec!.containers![1]!.volumeMounts, [{ name: 'own', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }]);
});

test('admission: automount follows the pod, then its ServiceAccount, then yes', () => {
  const cases: [boolean | undefined, boolean | undefined, boolean][] = [
    [undefined, undefined, true],
    [undefined, false, false],
    [true, false, true],
    [false, true, false],
  ];
  for (const [podSays, saSays, want] of cases)
    assert.equal(
      automounts(pod({ automountServiceAccountToken: podSays }), { automountServiceAccountToken: saSays }),
      want,
    );
});

test("admission: a pod of a ServiceAccount that does not exist is refused with kube's message", async () => {
  await assert.rejects(
    admitPodServiceAccount(pod({ serviceAccountName: 'ghost' }), () => Promise.resolve(undefined), 0),
    {
      code: 403,
      message: 'pods "p" is forbidden: error looking up service account ns/ghost: serviceaccount "ghost" not found',
    },
  );
  const p = pod({ automountServiceAccountToken: false });
  await admitPodServiceAccount(p, () => Promise.resolve({}), 0);
  assert.equal(p.spec!.volumes, undefined);
});

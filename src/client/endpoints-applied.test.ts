import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../api/errors.js';
import type { KObject } from '../api/meta.js';
import type { KubeClient } from './client.js';
import {
  AppliedRevisionPublisher,
  ENDPOINTS_APPLIED_ANNOTATION,
  ENDPOINTS_CONSUMER_LABEL,
  inClusterAppliedLease,
  SliceRevisionWatermark,
} from './endpoints-applied.js';

const obj = (rv: string | undefined): KObject => ({
  apiVersion: 'v1',
  kind: 'X',
  metadata: { name: 'x', ...(rv !== undefined ? { resourceVersion: rv } : {}) },
});

test('SliceRevisionWatermark keeps the highest numeric resourceVersion', () => {
  const cases: { seen: (string | undefined)[]; want: string }[] = [
    { seen: [], want: '' },
    { seen: ['5'], want: '5' },
    { seen: ['9', '10'], want: '10' },
    { seen: ['10', '9'], want: '10' },
    { seen: ['7', 'opaque', undefined, ''], want: '7' },
  ];
  for (const c of cases) {
    const w = new SliceRevisionWatermark();
    for (const rv of c.seen) w.observe(obj(rv));
    assert.equal(w.current, c.want, JSON.stringify(c.seen));
  }
});

test('inClusterAppliedLease: named after the pod, only when run as one', () => {
  assert.deepEqual(inClusterAppliedLease({ POD_NAME: 'podnet-dns-1', POD_NAMESPACE: 'kube-system' }), {
    namespace: 'kube-system',
    name: 'podnet-endpoints-podnet-dns-1',
    holderIdentity: 'podnet-dns-1',
  });
  assert.deepEqual(inClusterAppliedLease({ POD_NAME: 'd', POD_NAMESPACE: 'kube-system', POD_UID: 'u1' }), {
    namespace: 'kube-system',
    name: 'podnet-endpoints-d',
    holderIdentity: 'd',
    ownerPodUid: 'u1',
  });
  assert.equal(inClusterAppliedLease({ POD_NAME: 'x' }), undefined);
  assert.equal(inClusterAppliedLease({}), undefined);
});

/** A client that records writes; the Lease exists once created (or from the start). */
function fakeClient(exists: boolean) {
  const writes: { verb: string; body: unknown }[] = [];
  let release: (() => void) | undefined;
  const client = {
    patch: async (_r: unknown, _ns: string, _name: string, _type: string, body: unknown) => {
      writes.push({ verb: 'patch', body });
      // The first write is held until released, so later publishes pile up behind it.
      if (writes.length === 1) await new Promise<void>((r) => (release = r));
      if (!exists) throw new ApiError(404, 'NotFound', 'leases "x" not found');
      return {};
    },
    create: async (_r: unknown, _ns: string, body: KObject) => {
      writes.push({ verb: 'create', body });
      exists = true;
      return body;
    },
    delete: async () => {
      writes.push({ verb: 'delete', body: undefined });
      return {};
    },
  };
  return { client: client as unknown as KubeClient, writes, release: () => release?.() };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

test('AppliedRevisionPublisher writes one at a time and only the newest waiting value', async () => {
  const f = fakeClient(true);
  const p = new AppliedRevisionPublisher({
    client: f.client,
    namespace: 'kube-node-lease',
    name: 'n1',
    consumer: 'proxy',
    log: () => undefined,
  });
  p.publish('5');
  p.publish('6');
  p.publish('7');
  p.publish('');
  f.release();
  await settle();
  assert.deepEqual(
    f.writes.map((w) => (w.body as { metadata: { annotations: Record<string, string> } }).metadata.annotations),
    [{ [ENDPOINTS_APPLIED_ANNOTATION]: '5' }, { [ENDPOINTS_APPLIED_ANNOTATION]: '7' }],
  );
  assert.deepEqual((f.writes[0]!.body as { metadata: { labels: unknown } }).metadata.labels, {
    [ENDPOINTS_CONSUMER_LABEL]: 'proxy',
  });
  await p.stop();
  assert.equal(f.writes.length, 2, 'a Lease it does not own is never deleted');
});

test('AppliedRevisionPublisher creates a Lease it owns when missing and deletes it on stop', async () => {
  const f = fakeClient(false);
  const p = new AppliedRevisionPublisher({
    client: f.client,
    namespace: 'kube-system',
    name: 'podnet-endpoints-dns-1',
    consumer: 'dns',
    holderIdentity: 'dns-1',
    log: () => undefined,
  });
  p.publish('3');
  f.release();
  await settle();
  assert.deepEqual(
    f.writes.map((w) => w.verb),
    ['patch', 'create'],
  );
  const lease = f.writes[1]!.body as KObject & { spec: { holderIdentity: string; leaseDurationSeconds: number } };
  assert.equal(lease.spec.holderIdentity, 'dns-1');
  assert.equal(lease.metadata.annotations?.[ENDPOINTS_APPLIED_ANNOTATION], '3');
  await p.stop();
  assert.equal(f.writes.at(-1)!.verb, 'delete');
});

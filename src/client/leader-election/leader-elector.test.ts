import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KObject } from '../../api/meta.js';
import { KubeClient } from '../client.js';
import { FakeApiServer } from '../testing/fake-apiserver.js';
import { LeaderElector } from './leader-elector.js';

type Lease = KObject & { spec?: { holderIdentity?: string; renewTime?: string } };

/** Resolves when check() holds, looking every 20 ms (the test's own timeout bounds it). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

describe('LeaderElector against a fake API server', () => {
  let server: FakeApiServer;
  let client: KubeClient;
  before(async () => {
    server = await FakeApiServer.start();
    client = new KubeClient({ server: server.url });
  });
  after(async () => {
    client.close();
    await server.close();
  });
  /** Identity "a" on a 2 s Lease, retried every 50 ms. */
  const fastElector = (name: string, onStartedLeading: () => Promise<{ stop(): Promise<void> }>) =>
    new LeaderElector(client, {
      namespace: 'kube-system',
      name,
      identity: 'a',
      leaseDurationSeconds: 2,
      renewDeadlineMs: 1_500,
      retryPeriodMs: 50,
      onStartedLeading,
    });
  const lease = (name: string) => server.getObject('coordination.k8s.io/v1', 'leases', 'kube-system', name) as Lease;

  test('renewals go on while the leader is still starting its work', { timeout: 30_000 }, async () => {
    const events: string[] = [];
    let finishStart!: () => void;
    const elector = fastElector('slow-start', async () => {
      events.push('start');
      await new Promise<void>((r) => (finishStart = r));
      return { stop: () => Promise.resolve(void events.push('stop')) };
    });
    elector.start();
    await until(() => events.length === 1);
    // Work still starting must not hold up renewals: the record keeps changing meanwhile.
    const renewals = new Set<string>();
    await until(() => (renewals.add(lease('slow-start').spec!.renewTime!), renewals.size >= 4));
    assert.ok(elector.isLeader);
    finishStart();
    await elector.stop();
    assert.deepEqual(events, ['start', 'stop']);
    assert.equal(lease('slow-start').spec!.holderIdentity, '', 'a leader that stops releases the Lease');
  });

  test('work that fails to start is started again at the next period', { timeout: 30_000 }, async () => {
    let attempts = 0;
    let stops = 0;
    const elector = fastElector('failing-start', () => {
      attempts++;
      if (attempts === 1) return Promise.reject(new Error('informers could not list'));
      return Promise.resolve({ stop: () => Promise.resolve(void stops++) });
    });
    elector.start();
    await until(() => attempts === 2);
    await elector.stop();
    assert.equal(stops, 1, 'the work that started is stopped once');
  });

  test('a leader stops work that is still starting when it steps down', { timeout: 30_000 }, async () => {
    const events: string[] = [];
    let finishStart!: () => void;
    const elector = fastElector('stop-while-starting', async () => {
      events.push('start');
      await new Promise<void>((r) => (finishStart = r));
      return { stop: () => Promise.resolve(void events.push('stop')) };
    });
    elector.start();
    await until(() => events.length === 1);
    const stopping = elector.stop();
    finishStart();
    await stopping;
    assert.deepEqual(events, ['start', 'stop']);
  });
});

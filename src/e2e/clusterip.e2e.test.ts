/**
 * ClusterIP allocation under load and across a restart: 2,000 Services
 * created concurrently over HTTPS get 2,000 distinct addresses; after the
 * server restarts on the same state dir the addresses are unchanged and new
 * Services never reuse one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from './harness.js';
import { inServiceCidr } from './manifests.js';

const NS = 'ip-load';
const TOTAL = 2000;
const AFTER_RESTART = 100;
const IN_FLIGHT = 50;

let cluster: Cluster;
before(async () => {
  cluster = await Cluster.start();
  const r = await cluster.request('POST', '/api/v1/namespaces', {
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }),
  });
  assert.equal(r.status, 201, r.text);
});
after(async () => {
  await cluster?.close();
});

/** Run `work(i)` for i in [from, to) with at most `limit` in flight. */
async function bounded<T>(from: number, to: number, limit: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(to - from);
  let next = from;
  const lanes = Array.from({ length: limit }, async () => {
    while (next < to) {
      const i = next++;
      out[i - from] = await work(i);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** Create Service `lb-<i>` and return its name and ClusterIP. */
async function createService(i: number): Promise<{ name: string; ip: string }> {
  const name = `lb-${i}`;
  const body = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80 }] },
  });
  const r = await cluster.request('POST', `/api/v1/namespaces/${NS}/services`, { body });
  assert.equal(r.status, 201, `create ${name}: ${r.status} ${r.text}`);
  return { name, ip: r.json.spec.clusterIP };
}

/** Every Service in the cluster, name -> ClusterIP, read back with a plain list. */
async function allServiceIps(): Promise<Map<string, string>> {
  const r = await cluster.request('GET', '/api/v1/services');
  assert.equal(r.status, 200, r.text);
  return new Map(r.json.items.map((s: any) => [`${s.metadata.namespace}/${s.metadata.name}`, s.spec.clusterIP]));
}

describe('integration: ClusterIP allocation under load', () => {
  let first: { name: string; ip: string }[] = [];

  test(`integration: ${TOTAL} concurrent creates get ${TOTAL} distinct ClusterIPs`, async () => {
    first = await bounded(0, TOTAL, IN_FLIGHT, createService);
    const ips = first.map((s) => s.ip);
    for (const ip of ips) assert.ok(inServiceCidr(ip), `${ip} is in 10.96.0.0/12`);
    assert.ok(!ips.includes('10.96.0.1'), 'no Service takes the kubernetes Service address');
    assert.equal(new Set(ips).size, TOTAL, `${TOTAL - new Set(ips).size} duplicate ClusterIPs`);

    // What the creates returned is what was stored.
    const stored = await allServiceIps();
    for (const s of first) assert.equal(stored.get(`${NS}/${s.name}`), s.ip, `${s.name} as stored`);
    const everyIp = [...stored.values()].filter((ip) => ip !== 'None');
    assert.equal(new Set(everyIp).size, everyIp.length, 'ClusterIPs are unique across the whole cluster');
  });

  test(`integration: after a restart on the same state dir, ${AFTER_RESTART} more Services reuse no address`, async () => {
    assert.equal(first.length, TOTAL, 'the previous test created the first batch');
    const beforeRestart = await allServiceIps();
    await cluster.restart();
    const afterRestart = await allServiceIps();
    assert.deepEqual(afterRestart, beforeRestart, 'every Service kept its ClusterIP across the restart');

    const taken = new Set(afterRestart.values());
    const more = await bounded(TOTAL, TOTAL + AFTER_RESTART, IN_FLIGHT, createService);
    for (const s of more) {
      assert.ok(inServiceCidr(s.ip), `${s.ip} is in 10.96.0.0/12`);
      assert.ok(!taken.has(s.ip), `${s.name} got ${s.ip}, which an existing Service already has`);
    }
    assert.equal(new Set(more.map((s) => s.ip)).size, AFTER_RESTART, 'the new Services have distinct ClusterIPs');
  });
});

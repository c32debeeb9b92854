/**
 * The cluster's shape through a real in-process API server: the first start
 * stores its flags in kube-system/podnet-config, ranges follow it (the
 * kubernetes Service, NodePorts), a restart without flags keeps it, one with
 * a contradicting flag is refused, and a component reading it checks its
 * own flags.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KObject } from '../api/meta.js';
import { findResource } from '../api/resources.js';
import { KubeClient } from '../client/client.js';
import { readClusterConfig } from '../client/cluster-config.js';
import { startApiServer } from './server.js';

const services = findResource('', 'v1', 'services')!;

test('the API server keeps its shape in kube-system/podnet-config and refuses a restart that contradicts it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-shape-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const start = (cluster = {}) =>
    startApiServer({ stateDir: dir, host: '127.0.0.1', port: 0, controllers: false, allocationRepairMs: 0, cluster });

  let server = await start({ serviceCidr: '10.100.0.0/16', nodePortRange: { first: 20000, last: 20010 } });
  let client = KubeClient.fromKubeconfig(server.kubeconfigPath);
  try {
    const shape = await readClusterConfig(client, { component: 'test' });
    assert.equal(shape.serviceCidr, '10.100.0.0/16');
    assert.equal(shape.clusterDnsIp, '10.100.0.10');
    assert.equal(shape.clusterCidr, '10.244.0.0/16');
    const kubernetes = await client.get<KObject & { spec: { clusterIP: string } }>(services, 'default', 'kubernetes');
    assert.equal(kubernetes.spec.clusterIP, '10.100.0.1');
    const np = await client.create<KObject & { spec: { ports: { nodePort: number }[] } }>(services, 'default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'np' },
      spec: { type: 'NodePort', ports: [{ port: 80 }] },
    });
    const port = np.spec.ports[0]!.nodePort;
    assert.ok(port >= 20000 && port <= 20010, `NodePort ${port} from the configured range`);
    await assert.rejects(
      readClusterConfig(client, { component: 'node n1', flags: { clusterDomain: 'corp.example' } }),
      /node n1: --cluster-domain corp\.example \(the cluster has cluster\.local\)\. The cluster's shape is kept in ConfigMap kube-system\/podnet-config/,
    );
  } finally {
    client.close();
    await server.close();
  }

  await assert.rejects(
    start({ serviceCidr: '10.96.0.0/12' }),
    /the cluster in .* was created with another shape: --service-cidr 10\.96\.0\.0\/12 \(the cluster has 10\.100\.0\.0\/16\)/,
  );

  server = await start({ serviceCidr: '10.100.0.0/16' });
  client = KubeClient.fromKubeconfig(server.kubeconfigPath);
  try {
    const shape = await readClusterConfig(client, { component: 'test' });
    assert.deepEqual(shape.nodePortRange, { first: 20000, last: 20010 }, 'kept from the first start');
  } finally {
    client.close();
    await server.close();
  }
});

test('a missing ConfigMap is an error that says where the shape lives; a restart writes back the stored shape', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-shape-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const start = (cluster = {}) =>
    startApiServer({ stateDir: dir, host: '127.0.0.1', port: 0, controllers: false, allocationRepairMs: 0, cluster });
  const configmaps = findResource('', 'v1', 'configmaps')!;
  let server = await start({ clusterDomain: 'corp.example' });
  let client = KubeClient.fromKubeconfig(server.kubeconfigPath);
  try {
    await client.delete(configmaps, 'kube-system', 'podnet-config');
    await assert.rejects(
      readClusterConfig(client, { component: 'dns', missingTimeoutMs: 0 }),
      /dns: the API server at .* has no ConfigMap kube-system\/podnet-config, where a podnet cluster keeps its shape/,
    );
  } finally {
    client.close();
    await server.close();
  }
  server = await start();
  client = KubeClient.fromKubeconfig(server.kubeconfigPath);
  try {
    assert.equal(
      (await readClusterConfig(client, {})).clusterDomain,
      'corp.example',
      'the stored shape, not the defaults',
    );
  } finally {
    client.close();
    await server.close();
  }
});

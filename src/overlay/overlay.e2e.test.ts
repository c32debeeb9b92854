/**
 * The overlay against the real kernel: three "nodes" (network namespaces on
 * one L2 switch), a real API server in this process, and one overlay per
 * node running in this process with its host commands aimed at the node's
 * netns. Needs root; cleans up (netns, API server state) even on failure.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type RunningApiServer } from '../apiserver/server.js';
import { KubeClient } from '../client/client.js';
import { findResource } from '../api/resources.js';
import { ipJson, run, runOk } from '../host/exec.js';
import { vtepMacFor } from './addr.js';
import { readDataplane } from './dataplane-host.js';
import { startOverlay, type Overlay } from './overlay.js';
import { createLab, waitFor, type Lab, type LabNode } from './testbed.js';
import type { Backend, Dataplane } from './types.js';
import type { IpLinkJson } from './vxlan-device.js';
import { needs, root } from '../testing/requirements.js';

const nodesRes = findResource('', 'v1', 'nodes')!;

interface Env {
  lab: Lab;
  client: KubeClient;
  overlays: Map<string, Overlay>;
  logs: string[];
  start(n: LabNode, backend: Backend): Promise<Overlay>;
  stop(n: LabNode): Promise<void>;
}

/** Lab + API server + Node objects with their podCIDRs; everything is torn down in t.after. */
async function setup(t: TestContext): Promise<Env> {
  const stateDir = mkdtempSync(join(tmpdir(), 'podnet-overlay-'));
  /* eslint-disable prefer-const -- the after hook reads these even when setup failed; as consts it would hit the TDZ */
  let server: RunningApiServer | undefined;
  let client: KubeClient | undefined;
  let lab: Lab | undefined;
  /* eslint-enable prefer-const */
  const overlays = new Map<string, Overlay>();
  t.after(async () => {
    // Cleanup: the test's own assertion, if any, is the failure to report.
    for (const o of overlays.values()) await o.stop().catch(() => undefined);
    client?.close();
    await server?.close().catch(() => undefined); // same
    rmSync(stateDir, { recursive: true, force: true });
    await lab?.destroy();
  });
  lab = await createLab(3);
  server = await startApiServer({
    stateDir,
    host: '127.0.0.1',
    port: 0,
    controllers: false,
    cluster: { clusterCidr: lab.clusterCidr },
  });
  client = KubeClient.fromKubeconfig(server.kubeconfigPath);
  for (const n of lab.nodes) {
    await client.create(nodesRes, undefined, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n.name },
      spec: { podCIDR: n.podCidr, podCIDRs: [n.podCidr] },
    });
  }
  const logs: string[] = [];
  const c = client;
  const l = lab;
  return {
    lab,
    client,
    overlays,
    logs,
    async start(n, backend) {
      const o = await startOverlay({
        client: c,
        nodeName: n.name,
        backend,
        publicIp: n.ip,
        clusterCidr: l.clusterCidr,
        netns: n.netns,
        resyncMs: 60_000,
        log: (m) => logs.push(`[${n.name}] ${m}`),
      });
      overlays.set(n.name, o);
      return o;
    },
    async stop(n) {
      await overlays.get(n.name)?.stop();
      overlays.delete(n.name);
    },
  };
}

/** What node `self` must have to reach `peers`, per backend. */
function expected(backend: Backend, peers: LabNode[]): Dataplane {
  if (backend === 'host-gw')
    return {
      routes: peers.map((p) => ({ dst: p.podCidr, via: p.ip, dev: 'eth0', onlink: false })),
      neighs: [],
      fdb: [],
    };
  return {
    routes: peers.map((p) => ({ dst: p.podCidr, via: p.podCidr.split('/')[0]!, dev: 'podnet.1', onlink: true })),
    neighs: peers.map((p) => ({ ip: p.podCidr.split('/')[0]!, mac: vtepMacFor(p.ip), dev: 'podnet.1' })),
    fdb: peers.map((p) => ({ mac: vtepMacFor(p.ip), dst: p.ip, dev: 'podnet.1' })),
  };
}

const sorted = (d: Dataplane): Dataplane => {
  const s = <T>(xs: T[]) => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return { routes: s(d.routes), neighs: s(d.neighs), fdb: s(d.fdb) };
};

/** Waits until node n's kernel holds exactly the entries for `peers`. */
async function converged(env: Env, n: LabNode, backend: Backend, peers: LabNode[]): Promise<void> {
  const want = sorted(expected(backend, peers));
  let got: Dataplane | undefined;
  try {
    await waitFor(`${n.name} to hold entries for [${peers.map((p) => p.name).join(', ')}]`, async () => {
      got = sorted(await readDataplane({ netns: n.netns }, env.lab.clusterCidr));
      return JSON.stringify(got) === JSON.stringify(want);
    });
  } catch (e) {
    assert.deepEqual(got, want, `${(e as Error).message}\n${env.logs.join('\n')}`);
  }
}

const others = (lab: Lab, n: LabNode, gone: LabNode[] = []) => lab.nodes.filter((x) => x !== n && !gone.includes(x));

async function ping(from: LabNode, to: LabNode, extra: string[] = []) {
  const r = await run(['ping', '-n', '-c1', '-W1', ...extra, '-I', from.podIp, to.podIp], { netns: from.netns });
  return { ...r, text: `${r.stdout}${r.stderr}` };
}

test(
  'vxlan: device, entries, ping, MTU, node deletion, restart after a missed deletion',
  { skip: needs(root) },
  async (t) => {
    const env = await setup(t);
    const [n1, n2, n3] = env.lab.nodes as [LabNode, LabNode, LabNode];
    for (const n of env.lab.nodes) {
      const o = await env.start(n, 'vxlan');
      assert.equal(o.mtu, 1450);
    }

    // The device, flannel's shape.
    const [link] = await ipJson<IpLinkJson & { addr_info?: { local: string; prefixlen: number }[] }>(
      ['-d', 'addr', 'show', 'dev', 'podnet.1'],
      { netns: n1.netns },
    );
    assert.equal(link?.linkinfo?.info_kind, 'vxlan');
    const d = link?.linkinfo?.info_data;
    assert.deepEqual(
      { id: d?.id, port: d?.port, local: d?.local, learning: d?.learning, link: d?.link },
      { id: 1, port: 8472, local: n1.ip, learning: false, link: 'eth0' },
    );
    assert.equal(link?.mtu, 1450);
    assert.equal(link?.address, vtepMacFor(n1.ip));
    assert.ok(link?.flags?.includes('UP'));
    assert.deepEqual(
      link?.addr_info?.filter((a) => !a.local.includes(':')).map((a) => `${a.local}/${a.prefixlen}`),
      ['10.252.1.0/32'],
    );
    assert.equal((await runOk(['sysctl', '-n', 'net.ipv4.ip_forward'], { netns: n1.netns })).trim(), '1');

    // Annotations published.
    const node1 = await env.client.get(nodesRes, undefined, n1.name);
    assert.deepEqual(
      Object.fromEntries(Object.entries(node1.metadata.annotations ?? {}).filter(([k]) => k.startsWith('podnet.io/'))),
      { 'podnet.io/backend-type': 'vxlan', 'podnet.io/public-ip': n1.ip, 'podnet.io/vtep-mac': vtepMacFor(n1.ip) },
    );

    for (const n of env.lab.nodes) await converged(env, n, 'vxlan', others(env.lab, n));

    // Routes we did not make are left alone: one without our proto, one with it but outside the cluster CIDR.
    await runOk(['ip', 'route', 'add', '10.252.200.0/24', 'via', n2.ip, 'dev', 'eth0'], { netns: n1.netns });
    await runOk(['ip', 'route', 'add', '10.253.0.0/24', 'via', n2.ip, 'dev', 'eth0', 'proto', '80'], {
      netns: n1.netns,
    });
    await env.overlays.get(n1.name)!.resync();
    const foreign = await ipJson<{ dst: string }>(['route', 'show', 'table', 'main'], { netns: n1.netns });
    assert.ok(
      foreign.some((r) => r.dst === '10.252.200.0/24') && foreign.some((r) => r.dst === '10.253.0.0/24'),
      JSON.stringify(foreign),
    );

    // Pod-to-pod across the overlay.
    const p = await ping(n1, n3);
    assert.equal(p.code, 0, p.text);

    // Path MTU: 1450 - 20 (IP) - 8 (ICMP) = 1422 bytes of payload fit with DF set...
    const fits = await ping(n1, n3, ['-M', 'do', '-s', '1422']);
    assert.equal(fits.code, 0, fits.text);
    // ...1423 do not, and the sender is told so by its own kernel (sendmsg fails with EMSGSIZE against
    // podnet.1's MTU: a "local error", counted in "+1 errors"), not left waiting for a reply that never comes.
    // (ping still sits out its -W1 deadline before exiting, so the elapsed time proves nothing.)
    const tooBig = await ping(n1, n3, ['-M', 'do', '-s', '1423']);
    assert.notEqual(tooBig.code, 0, tooBig.text);
    assert.match(tooBig.text, /local error: message too long, mtu=1450/);
    assert.match(tooBig.text, /\+1 errors/);

    // A deleted Node's entries disappear everywhere.
    await env.client.delete(nodesRes, undefined, n2.name);
    await converged(env, n1, 'vxlan', [n3]);
    await converged(env, n3, 'vxlan', [n1]);

    // A deletion the agent missed while it was down is cleaned up on start.
    await env.stop(n3);
    await env.client.delete(nodesRes, undefined, n1.name);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(
      (await readDataplane({ netns: n3.netns }, env.lab.clusterCidr)).routes.length,
      1,
      'the stopped overlay left its entries in place',
    );
    await env.start(n3, 'vxlan');
    assert.deepEqual(await readDataplane({ netns: n3.netns }, env.lab.clusterCidr), {
      routes: [],
      neighs: [],
      fdb: [],
    });
  },
);

test(
  'host-gw (switched from vxlan): routes via the peers, podnet.1 gone, ping, full MTU',
  { skip: needs(root) },
  async (t) => {
    const env = await setup(t);
    const [n1, , n3] = env.lab.nodes as [LabNode, LabNode, LabNode];
    for (const n of env.lab.nodes) await env.start(n, 'vxlan');
    for (const n of env.lab.nodes) await converged(env, n, 'vxlan', others(env.lab, n));

    // Switch every node: stop all, then start them with host-gw (a rolling switch would mix backends, which are skipped).
    for (const n of env.lab.nodes) await env.stop(n);
    for (const n of env.lab.nodes) {
      const o = await env.start(n, 'host-gw');
      assert.equal(o.mtu, 1500);
    }
    for (const n of env.lab.nodes) await converged(env, n, 'host-gw', others(env.lab, n));
    const links = await ipJson<{ ifname: string }>(['link', 'show'], { netns: n1.netns });
    assert.ok(!links.some((l) => l.ifname === 'podnet.1'), 'podnet.1 is removed with the vxlan backend');
    const node1 = await env.client.get(nodesRes, undefined, n1.name);
    assert.equal(node1.metadata.annotations?.['podnet.io/vtep-mac'], undefined);
    assert.equal(node1.metadata.annotations?.['podnet.io/backend-type'], 'host-gw');

    const p = await ping(n1, n3);
    assert.equal(p.code, 0, p.text);
    const fits = await ping(n1, n3, ['-M', 'do', '-s', '1472']);
    assert.equal(fits.code, 0, fits.text);

    await env.client.delete(nodesRes, undefined, n3.name);
    await converged(env, n1, 'host-gw', [env.lab.nodes[1]!]);
  },
);

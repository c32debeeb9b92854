/**
 * The netlink full sync against the real kernel: the same table loaded by
 * `nft -f` in one network namespace and by NftBackend (structure by nft,
 * elements over netlink) in another must list the same, in a fresh table
 * and over an existing one with stale parts. Needs root and the native
 * module; cleans up its namespaces even on failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { run, runOk } from '../../host/exec.js';
import { loadNative } from '../../native/native.js';
import { scenarioState } from '../scenario.js';
import type { ProxyState } from '../types.js';
import { fullSyncOps } from './diff.js';
import { opsToScript } from './ops.js';
import { renderNft } from './render.js';
import { needs, root } from '../../testing/requirements.js';

const skip =
  needs(root) ||
  (!loadNative()?.netfilterBatch && 'the native module is not built (npm install builds it with node-gyp)');
const BACKEND = new URL('./backend.js', import.meta.url).href;

/**
 * The table as nft lists it, in an order that does not depend on history:
 * objects by kind and name (a table rebuilt over an old one lists new sets
 * last), rules in their chain's order, elements sorted (the kernel lists a
 * hash set in its own order); handles dropped.
 */
async function listTable(netns: string): Promise<unknown> {
  const out = JSON.parse(await runOk(['nft', '-j', 'list', 'table', 'ip', 'podnet'], { netns })) as {
    nftables: Record<string, Record<string, unknown>>[];
  };
  const objects = out.nftables
    .filter((o) => !('metainfo' in o))
    .map((o) => {
      const [kind, body] = Object.entries(o)[0]!;
      const { handle: _h, ...rest } = body;
      if (Array.isArray(rest['elem'])) rest['elem'] = (rest['elem'] as unknown[]).map((e) => JSON.stringify(e)).sort();
      const name = rest['chain'] ?? rest['name'];
      return { kind, sortKey: `${kind} ${typeof name === 'string' ? name : ''}`, body: rest };
    });
  // Array sort is stable: rules of one chain keep their order.
  return objects
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
    .map((o) => ({ [o.kind]: o.body }));
}

/** NftBackend.fullSync run in that namespace by a child process (the netlink socket is the process's own). */
async function backendFullSync(netns: string, state: ProxyState): Promise<string> {
  const script = `
    const { NftBackend } = await import(${JSON.stringify(BACKEND)});
    const logs = [];
    const b = new NftBackend((m) => logs.push(m));
    const chunks = [];
    for await (const c of process.stdin) chunks.push(c);
    await b.fullSync(JSON.parse(Buffer.concat(chunks).toString()));
    b.close();
    if (logs.length) { console.error(logs.join('\\n')); process.exit(3); }`;
  const r = await run([process.execPath, '--input-type=module', '-e', script], {
    netns,
    input: JSON.stringify(state),
    env: { PODNET_TRACE_EXEC: '1' },
  });
  assert.equal(r.code, 0, `fullSync in ${netns} failed: ${r.stderr}`);
  return r.stderr;
}

test('a full sync over netlink lists the same as the same table through nft -f', { skip }, async (t) => {
  const id = randomBytes(3).toString('hex');
  const viaNft = `podnet-nlA${id}`,
    viaNetlink = `podnet-nlB${id}`,
    viaNft2 = `podnet-nlC${id}`;
  t.after(async () => {
    for (const ns of [viaNft, viaNetlink, viaNft2]) await run(['ip', 'netns', 'del', ns]);
  });
  for (const ns of [viaNft, viaNetlink, viaNft2]) await runOk(['ip', 'netns', 'add', ns]);

  // Many Services, so the element batch spans several netlink messages.
  const base = scenarioState();
  const many: ProxyState = { ...base, ports: [...base.ports] };
  for (let i = 0; i < 3000; i++) {
    many.ports.push({
      id: `bulk/s${String(i).padStart(5, '0')}/tcp/http`,
      namespace: 'bulk',
      service: `s${i}`,
      protocol: 'tcp',
      clusterIP: `10.97.${i >> 8}.${i & 255}`,
      port: 80,
      externalIPs: [],
      externalLocal: false,
      hasEndpoints: true,
      clusterEndpoints: [0, 1, 2].map((j) => ({ ip: `10.244.${9 + j}.${i & 255}`, port: 8080, local: false })),
      externalEndpoints: [0, 1, 2].map((j) => ({ ip: `10.244.${9 + j}.${i & 255}`, port: 8080, local: false })),
    });
  }
  many.ports.sort((a, b) => (a.id < b.id ? -1 : 1));

  await runOk(['nft', '-f', '-'], {
    netns: viaNft,
    input: opsToScript(fullSyncOps(renderNft(many), { chains: [], sets: [] })),
  });
  const trace = await backendFullSync(viaNetlink, many);
  assert.match(trace, /netlink .* 0 refused/, 'the elements went over netlink');
  assert.deepEqual(await listTable(viaNetlink), await listTable(viaNft));

  // Over the existing table: the three-endpoint pool goes stale, a Service moves to another pool.
  const fewer: ProxyState = {
    ...many,
    ports: many.ports
      .filter((p) => p.namespace !== 'bulk')
      .concat(
        many.ports
          .filter((p) => p.namespace === 'bulk')
          .slice(0, 10)
          .map((p) => ({
            ...p,
            clusterEndpoints: p.clusterEndpoints.slice(0, 2),
            externalEndpoints: p.externalEndpoints.slice(0, 2),
          })),
      ),
  };
  fewer.ports.sort((a, b) => (a.id < b.id ? -1 : 1));
  await runOk(['nft', '-f', '-'], {
    netns: viaNft2,
    input: opsToScript(fullSyncOps(renderNft(fewer), { chains: [], sets: [] })),
  });
  await backendFullSync(viaNetlink, fewer);
  assert.deepEqual(await listTable(viaNetlink), await listTable(viaNft2));
});

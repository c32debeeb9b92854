/**
 * End to end (root): `podnet up` brings up a 3-node cluster on this machine,
 * kubectl sees 3 Ready nodes, a rerun keeps everything, and `podnet down`
 * (with a pod running) leaves no namespace, link, route, nft table or process.
 * --merge-kubeconfig puts the context podnet-<name> into the user's
 * kubeconfig and down takes it out.
 * Skips only while the node agent (dist/cli/node.js) is not built yet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLayout } from '../cluster/layout-file.js';
import { listNetns } from '../cluster/host-scan.js';
import { tearDown } from '../cluster/teardown.js';
import { leftoversOf } from './cluster.js';
import { built, cniPlugins, kubectl, needs, root } from '../testing/requirements.js';

const podnet = fileURLToPath(new URL('../../bin/podnet', import.meta.url));
const skip = needs(root, built, cniPlugins, kubectl);

function sh(argv: string[], env: Record<string, string> = {}, timeout = 300_000) {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout, env: { ...process.env, ...env } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('podnet up --nodes 3: all Ready; podnet down: nothing left', { skip, timeout: 400_000 }, async (t) => {
  const name = `t${Math.random().toString(36).slice(2, 7).replace(/^\d/, 'x')}`;
  const dir = mkdtempSync(join(tmpdir(), 'podnet-up-'));
  t.after(async () => {
    const layout = readLayout(dir);
    if (layout) await tearDown(layout).catch(() => undefined); // safety net when an assertion failed half-way
    rmSync(dir, { recursive: true, force: true });
  });

  // The user's own kubeconfig, which --merge-kubeconfig adds the cluster's context to and down takes it from.
  const userKc = join(dir, 'user-kubeconfig');
  const up = sh(
    [
      process.execPath,
      podnet,
      'up',
      '--nodes',
      '3',
      '--name',
      name,
      '--state',
      dir,
      '--timeout',
      '240',
      '--merge-kubeconfig',
    ],
    { KUBECONFIG: userKc },
  );
  assert.equal(up.code, 0, up.out);
  assert.match(up.out, new RegExp(`context podnet-${name} in ${userKc} is now the current context`));
  const merged = sh(['kubectl', 'config', 'current-context'], { KUBECONFIG: userKc }, 30_000);
  assert.equal(merged.out.trim(), `podnet-${name}`);
  assert.equal(sh(['kubectl', 'get', 'nodes'], { KUBECONFIG: userKc }, 30_000).code, 0, 'the merged context works');

  const kc = join(dir, 'kubeconfig');
  const nodes = sh(['kubectl', 'get', 'nodes', '--no-headers'], { KUBECONFIG: kc }, 30_000);
  assert.equal(nodes.code, 0, nodes.out);
  const ready = nodes.out
    .trim()
    .split('\n')
    .filter((l) => /\sReady\s/.test(l))
    .map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(ready.sort(), [`${name}-node1`, `${name}-node2`, `${name}-node3`]);

  // A rerun keeps everything running and says so.
  const again = sh([process.execPath, podnet, 'up', '--state', dir, '--timeout', '120']);
  assert.equal(again.code, 0, again.out);
  assert.doesNotMatch(again.out, /started \(pid/);

  const exec = sh([
    process.execPath,
    podnet,
    'node-exec',
    'node1',
    '--state',
    dir,
    '--',
    'ping',
    '-c',
    '1',
    '-W',
    '2',
    readLayout(dir)!.nodes[2]!.ip,
  ]);
  assert.equal(exec.code, 0, exec.out);

  // A running pod too: down must take its netns, veth and processes along.
  const pod = sh(
    ['kubectl', 'run', 'leftover-check', '--image=podnet/agnhost', '--', 'netexec', '--http-port', '8080'],
    { KUBECONFIG: kc },
    30_000,
  );
  assert.equal(pod.code, 0, pod.out);
  const podReady = sh(
    ['kubectl', 'wait', '--for=condition=Ready', 'pod/leftover-check', '--timeout=60s'],
    { KUBECONFIG: kc },
    90_000,
  );
  assert.equal(podReady.code, 0, podReady.out);

  const down = sh([process.execPath, podnet, 'down', '--state', dir], {}, 120_000);
  assert.equal(down.code, 0, down.out);
  const contexts = sh(['kubectl', 'config', 'get-contexts', '-o', 'name'], { KUBECONFIG: userKc }, 30_000);
  assert.equal(contexts.out.trim(), '', `down takes the merged context out: ${contexts.out}`);
  assert.deepEqual(await leftoversOf(readLayout(dir)!), []);
  assert.deepEqual(
    listNetns().filter((n) => n.startsWith(`podnet-${name}-`)),
    [],
  );
});

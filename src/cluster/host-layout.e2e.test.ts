/**
 * Integration (root): the host layout `up` builds, without agents: a
 * 3-node cluster on a bridge, nodes pinging each other and the host, then
 * `podnet down` leaving no netns, link, route, mount or process behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, runOk } from '../host/exec.js';
import { ensureHostLayout } from './host-layout.js';
import { hostIpv4Prefixes, listLinks, listNetns, routesOf } from './host-scan.js';
import { planLayout } from './layout.js';
import { writeLayout } from './layout-file.js';
import { readMountPoints, mountsUnder } from './mounts.js';
import { clusterHash, isClusterLink } from './names.js';
import { isRunning } from './procfs.js';
import { pickNodeSubnet } from './subnet.js';
import { startDetached } from './supervisor.js';
import { findLeftovers, tearDown } from './teardown.js';
import { needs, root } from '../testing/requirements.js';

const podnet = fileURLToPath(new URL('../../bin/podnet', import.meta.url));

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [podnet, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test(
  'host layout: 3 nodes reach each other and the host; down leaves nothing',
  { skip: needs(root), timeout: 120_000 },
  async (t) => {
    const name = `t${Math.random().toString(36).slice(2, 7).replace(/^\d/, 'x')}`;
    const dir = mkdtempSync(join(tmpdir(), 'podnet-layout-'));
    const subnet = pickNodeSubnet(await hostIpv4Prefixes(), parseInt(clusterHash(name), 16));
    const layout = planLayout({ name, stateDir: dir, subnet, backend: 'vxlan', nodes: 3 });
    const pids: number[] = [];
    t.after(async () => {
      await tearDown(layout).catch(() => undefined); // safety net when an assertion failed half-way
      rmSync(dir, { recursive: true, force: true });
    });
    writeLayout(layout);
    await ensureHostLayout(layout);
    await ensureHostLayout(layout); // a rerun keeps what exists

    const [n1, n2, n3] = layout.nodes as [(typeof layout.nodes)[0], (typeof layout.nodes)[0], (typeof layout.nodes)[0]];
    for (const [from, to] of [
      [n1.netns, n2.ip],
      [n1.netns, n3.ip],
      [n3.netns, n1.ip],
      [n2.netns, layout.hostIp],
    ] as const) {
      const r = await run(['ping', '-c', '1', '-W', '2', to], { netns: from });
      assert.equal(r.code, 0, `ping ${to} from ${from}: ${r.stdout}${r.stderr}`);
    }
    assert.equal((await run(['ping', '-c', '1', '-W', '2', n2.ip])).code, 0, 'host reaches node2');
    const fwd = await runOk(['cat', '/proc/sys/net/ipv4/ip_forward'], { netns: n1.netns });
    assert.equal(fwd.trim(), '1', 'nodes forward');
    assert.deepEqual(
      (await runOk(['ip', '-4', 'route', 'show', 'default'], { netns: n1.netns })).trim(),
      '',
      'no way out of the node subnet',
    );

    // node-exec: exit status passes through; unknown nodes are named.
    assert.equal(cli(['node-exec', 'node2', '--state', dir, '--', 'sh', '-c', 'exit 7']).code, 7);
    const ping = cli(['node-exec', n1.name, '--state', dir, '--', 'ping', '-c', '1', '-W', '2', n3.ip]);
    assert.equal(ping.code, 0, ping.stderr);
    const unknown = cli(['node-exec', 'node9', '--state', dir, '--', 'true']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, new RegExp(`its nodes are: ${n1.name}, ${n2.name}, ${n3.name}`));

    // What down must clean: a recorded process, a "pod" netns with a detached process, a process in a node netns, a mount under DIR.
    const recorded = startDetached(dir, {
      name: n1.name,
      argv: [process.execPath, '-e', 'setInterval(() => {}, 1000)', dir],
      marker: dir,
      log: join(dir, 'logs', 'fake.log'),
    });
    pids.push(recorded.pid);
    const podNs = `${n1.netns}-pod1`;
    await runOk(['ip', 'netns', 'add', podNs]);
    for (const ns of [podNs, n2.netns]) {
      const child = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', 'sleep', '300'], {
        detached: true,
        stdio: 'ignore',
      });
      child.unref();
      pids.push(child.pid!);
    }
    const mnt = join(dir, 'nodes', n1.name, 'mnt');
    mkdirSync(mnt, { recursive: true });
    await runOk(['mount', '-t', 'tmpfs', 'podnet-test', mnt]);

    const down = cli(['down', '--state', dir]);
    assert.equal(down.code, 0, `${down.stdout}${down.stderr}`);

    assert.deepEqual(await findLeftovers(layout), []);
    assert.deepEqual(
      listNetns().filter((n) => n.startsWith(`podnet-${name}-`)),
      [],
    );
    assert.deepEqual(
      (await listLinks()).map((l) => l.ifname).filter((l) => isClusterLink(layout.hash, l)),
      [],
    );
    assert.deepEqual(await routesOf(layout.subnet, layout.bridge), []);
    assert.deepEqual(mountsUnder(readMountPoints(), dir), []);
    for (const pid of pids) assert.equal(isRunning(pid), false, `pid ${pid} still runs`);

    // down again: idempotent.
    const again = cli(['down', '--state', dir]);
    assert.equal(again.code, 0, `${again.stdout}${again.stderr}`);
  },
);

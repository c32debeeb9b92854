/**
 * Plays a node on the real kernel: a network namespace podnet-t<rand> stands
 * in for the node, the runtime wires pods into it with the real CNI plugins,
 * runs containers, is restarted (adoption), and tears everything down.
 * Needs root and containernetworking-plugins; skipped otherwise.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { run, runOk } from '../../host/exec.js';
import { CniPodRuntime } from './pod-runtime.js';
import { isAlive, waitFor, type ProcessIdentity } from './proc.js';
import type { ContainerRuntimeState, SandboxConfig } from './types.js';
import { cniPlugins, needs, root } from '../../testing/requirements.js';
import { parseRecords } from '../streaming/cri-log.js';

/** The text of a CRI log file, records joined as kubectl logs prints them. */
const logText = async (file: string) =>
  parseRecords(await readFile(file))
    .records.map((r) => r.text.toString() + (r.partial ? '' : '\n'))
    .join('');

const rand = randomBytes(3).toString('hex');
const nodeNetns = `podnet-t${rand}`;
const nodeName = `t${rand}`;
const third = randomBytes(1)[0]!;
const podCIDR = `10.250.${third}.0/24`;
const nodeIP = '192.0.2.10';

const sandboxCfg = (uid: string, name: string, extra: Partial<SandboxConfig> = {}): SandboxConfig => ({
  uid,
  namespace: 'default',
  name,
  hostname: name,
  hostNetwork: false,
  resolvConf: `# podnet test ${name}\nnameserver 10.96.0.10\nsearch default.svc.cluster.local\n`,
  renderHosts: (ip) => `# podnet test hosts\n127.0.0.1\tlocalhost\n${ip}\t${name}\n`,
  portMappings: [],
  ...extra,
});

const podNetnsList = async (): Promise<string[]> =>
  (await runOk(['ip', 'netns', 'list']))
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(`podnet-${nodeName}-`));

async function waitExited(rt: CniPodRuntime, uid: string, name: string): Promise<ContainerRuntimeState> {
  let st: ContainerRuntimeState | undefined;
  await waitFor(async () => {
    st = (await rt.listSandboxes()).find((s) => s.uid === uid)?.containers[name];
    return st?.state === 'exited';
  }, 10_000);
  assert.ok(st, `container ${name} not found`);
  return st;
}

describe('CniPodRuntime on a real kernel (node played by a netns)', { skip: needs(root, cniPlugins) }, () => {
  let stateDir = '';
  let rt: CniPodRuntime;
  const uidA = randomUUID();
  const uidB = randomUUID();
  const uidHost = randomUUID();
  const uidCrash = randomUUID();
  /** Every process the test saw started, to prove none survives. */
  const seen: ProcessIdentity[] = [];
  let ipA = '';
  let ipB = '';

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'podnet-rt-'));
    await runOk(['ip', 'netns', 'add', nodeNetns]);
    await runOk(['ip', '-n', nodeNetns, 'link', 'set', 'lo', 'up']);
    await runOk(['ip', 'netns', 'exec', nodeNetns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    rt = new CniPodRuntime({ stateDir, nodeName, nodeIp: nodeIP, podCidr: podCIDR, mtu: 1450, nodeNetns });
  });

  after(async () => {
    // Best effort, in order: pods (processes, CNI, netns), stray netns, the node, files.
    for (const uid of [uidA, uidB, uidHost, uidCrash])
      await rt?.removeSandbox(uid).catch((e) => console.error(`cleanup ${uid}:`, e));
    for (const p of seen)
      if (await isAlive(p))
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
    for (const ns of await podNetnsList().catch(() => [])) await run(['ip', 'netns', 'del', ns]);
    await run(['ip', 'netns', 'del', nodeNetns]);
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  test('two sandboxes get IPs from the podCIDR, their hostname, resolv.conf and hosts', async () => {
    const a = await rt.createSandbox(
      sandboxCfg(uidA, 'pod-a', { portMappings: [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }] }),
    );
    const b = await rt.createSandbox(sandboxCfg(uidB, 'pod-b'));
    ipA = a.ip;
    ipB = b.ip;
    for (const s of [a, b]) {
      assert.ok(s.ip.startsWith(`10.250.${third}.`), `pod IP ${s.ip} not in ${podCIDR}`);
      assert.ok(s.netns?.startsWith(`podnet-${nodeName}-`));
      assert.equal(s.alive, true);
    }
    assert.notEqual(ipA, ipB);
    // Idempotent per uid.
    assert.equal((await rt.createSandbox(sandboxCfg(uidA, 'pod-a'))).ip, ipA);

    const h = await rt.execInSandbox(uidA, undefined, ['/usr/bin/hostname'], 5000);
    assert.equal(h.stdout.trim(), 'pod-a');
    const resolv = await rt.execInSandbox(uidA, undefined, ['/bin/cat', '/etc/resolv.conf'], 5000);
    assert.equal(resolv.stdout, sandboxCfg(uidA, 'pod-a').resolvConf);
    const hosts = await rt.execInSandbox(uidB, undefined, ['/bin/cat', '/etc/hosts'], 5000);
    assert.equal(hosts.stdout, sandboxCfg(uidB, 'pod-b').renderHosts(ipB));
    // The host's own files are untouched.
    assert.doesNotMatch(readFileSync('/etc/resolv.conf', 'utf8'), /podnet test/);
    // The pod's /sys is its own (sysfs shows the mounting netns's devices).
    const mtu = await rt.execInSandbox(uidA, undefined, ['/bin/cat', '/sys/class/net/eth0/mtu'], 5000);
    assert.equal(mtu.stdout.trim(), '1450');
    const link = await rt.execInSandbox(uidA, undefined, ['/sbin/ip', '-o', 'link', 'show', 'eth0'], 5000);
    assert.match(link.stdout, /mtu 1450/);
    await rt.checkSandboxNetwork(uidA);
    // hostPort rules live in the node's netns.
    const nat = await runOk(['iptables-save', '-t', 'nat'], { netns: nodeNetns });
    assert.match(nat, /--dport 18080/);
  });

  test('pod↔pod and node→pod ping', async () => {
    const p = await rt.execInSandbox(uidA, undefined, ['/bin/ping', '-c1', '-W2', ipB], 10_000);
    assert.equal(p.code, 0, p.stdout + p.stderr);
    const n = await run(['ping', '-c1', '-W2', ipA], { netns: nodeNetns });
    assert.equal(n.code, 0, n.stdout + n.stderr);
  });

  test('containers: running, exit code + reason + log, env, stop with grace', async () => {
    const sleeper = await rt.startContainer(uidA, {
      name: 'sleeper',
      argv: ['/bin/sleep', '1000'],
      env: {},
      attempt: 0,
    });
    assert.equal(sleeper.state, 'running');
    if (sleeper.state !== 'running') return;
    assert.equal(readFileSync(`/proc/${sleeper.pid}/cmdline`, 'utf8'), '/bin/sleep\x001000\x00');
    const podNetNs = (
      await runOk(['stat', '-L', '-c', '%i', `/run/netns/podnet-${nodeName}-${uidA.replace(/-/g, '').slice(0, 12)}`])
    ).trim();
    const procNetNs = (await runOk(['stat', '-L', '-c', '%i', `/proc/${sleeper.pid}/ns/net`])).trim();
    assert.equal(procNetNs, podNetNs, 'container is not in the pod network namespace');

    const failing = await rt.startContainer(uidB, {
      name: 'fail',
      argv: ['/bin/sh', '-c', 'echo hi; exit 3'],
      env: {},
      attempt: 0,
    });
    assert.equal(failing.name, 'fail');
    const failed = await waitExited(rt, uidB, 'fail');
    assert.equal(failed.state === 'exited' && failed.exitCode, 3);
    assert.equal(failed.state === 'exited' && failed.reason, 'Error');
    assert.match(await logText(rt.logPath(uidB, 'fail', 0)), /^hi$/m);

    await rt.startContainer(uidB, {
      name: 'env',
      argv: ['/usr/bin/env'],
      env: { FOO: 'bar baz' },
      workingDir: '/tmp',
      attempt: 2,
    });
    const envDone = await waitExited(rt, uidB, 'env');
    assert.equal(envDone.state === 'exited' && envDone.reason, 'Completed');
    assert.deepEqual((await logText(rt.logPath(uidB, 'env', 2))).trim().split('\n').sort(), [
      'FOO=bar baz',
      'HOSTNAME=pod-b',
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ]);

    const stubborn = await rt.startContainer(uidA, {
      name: 'stubborn',
      argv: ['/bin/sh', '-c', "trap '' TERM; sleep 1000"],
      env: {},
      attempt: 0,
    });
    assert.equal(stubborn.state, 'running');
    if (stubborn.state === 'running')
      seen.push({
        pid: stubborn.pid,
        startTime: readFileSync(`/proc/${stubborn.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!,
      });
    const t0 = Date.now();
    await rt.stopContainer(uidA, 'stubborn', 1);
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 8000, `stop took ${took} ms`);
    const killed = (await rt.listSandboxes()).find((s) => s.uid === uidA)!.containers.stubborn!;
    assert.equal(killed.state === 'exited' && killed.exitCode, 137);
    // The sleep child (same process group) is gone as well.
    const leftover = await run(['pgrep', '-f', '^sleep 1000$']);
    for (const pid of leftover.stdout.split('\n').filter(Boolean).map(Number)) {
      assert.notEqual(
        (await runOk(['stat', '-L', '-c', '%i', `/proc/${pid}/ns/net`]).catch(() => '')).trim(),
        podNetNs,
        `sleep ${pid} survived in the pod`,
      );
    }
  });

  test('a new runtime instance adopts the running pods', async () => {
    await rt.startContainer(uidA, { name: 'sleeper2', argv: ['/bin/sleep', '1000'], env: {}, attempt: 0 });
    const before = (await rt.listSandboxes()).find((s) => s.uid === uidA)!;
    const rt2 = new CniPodRuntime({ stateDir, nodeName, nodeIp: nodeIP, podCidr: podCIDR, mtu: 1450, nodeNetns });
    const list = await rt2.listSandboxes();
    assert.deepEqual(list.map((s) => s.uid).sort(), [uidA, uidB].sort());
    const a = list.find((s) => s.uid === uidA)!;
    assert.deepEqual(a, before);
    assert.equal(a.containers.sleeper?.state, 'running');
    // The new instance can stop what the old one started; the shim still records the exit (SIGTERM → 143).
    await rt2.stopContainer(uidA, 'sleeper', 5);
    const stopped = (await rt2.listSandboxes()).find((s) => s.uid === uidA)!.containers.sleeper!;
    assert.equal(stopped.state === 'exited' && stopped.exitCode, 143);
    rt = rt2;
  });

  test('hostNetwork sandbox: node IP, node netns and hostname, own resolv.conf', async () => {
    const s = await rt.createSandbox(sandboxCfg(uidHost, 'pod-h', { hostNetwork: true }));
    assert.equal(s.ip, nodeIP);
    assert.equal(s.netns, undefined);
    const links = await rt.execInSandbox(uidHost, undefined, ['/sbin/ip', '-o', 'link', 'show', 'cni0'], 5000);
    assert.equal(links.code, 0, `cni0 of the node netns not visible: ${links.stderr}`);
    assert.equal((await rt.execInSandbox(uidHost, undefined, ['/usr/bin/hostname'], 5000)).stdout.trim(), hostname());
    assert.match(
      (await rt.execInSandbox(uidHost, undefined, ['/bin/cat', '/etc/resolv.conf'], 5000)).stdout,
      /podnet test pod-h/,
    );
    const c = await rt.startContainer(uidHost, { name: 'c', argv: ['/bin/sleep', '1000'], env: {}, attempt: 0 });
    assert.equal(c.state, 'running');
  });

  test('removeSandbox leaves nothing behind and is idempotent', async () => {
    const records: ProcessIdentity[] = [];
    for (const uid of [uidA, uidB, uidHost]) {
      const rec = JSON.parse(readFileSync(join(stateDir, 'sandboxes', uid, 'sandbox.json'), 'utf8')) as {
        holder: ProcessIdentity;
      };
      records.push(rec.holder);
      const cdir = join(stateDir, 'sandboxes', uid, 'containers');
      for (const name of readdirSync(cdir, { withFileTypes: false }).map(String)) {
        for (const attempt of readdirSync(join(cdir, name)).map(String)) {
          const pidFile = join(cdir, name, attempt, 'pid');
          if (existsSync(pidFile)) {
            const [pid, startTime] = readFileSync(pidFile, 'utf8').trim().split(' ');
            records.push({ pid: Number(pid), startTime: startTime! });
          }
          records.push(JSON.parse(readFileSync(join(cdir, name, attempt, 'shim.json'), 'utf8')) as ProcessIdentity);
        }
      }
    }
    seen.push(...records);
    assert.ok(await isAlive(records[0]), 'holder of pod A should be alive before removal');

    for (const uid of [uidA, uidB, uidHost]) await rt.removeSandbox(uid);
    for (const uid of [uidA, uidB, uidHost]) await rt.removeSandbox(uid); // idempotent

    assert.deepEqual(await podNetnsList(), []);
    const veths = await runOk(['ip', '-o', 'link', 'show', 'type', 'veth'], { netns: nodeNetns });
    assert.equal(veths.trim(), '', `veths left in the node netns: ${veths}`);
    const ipamDir = join(stateDir, 'cni', 'networks', 'podnet');
    const reservations = existsSync(ipamDir) ? readdirSync(ipamDir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)) : [];
    assert.deepEqual(reservations, []);
    for (const p of records) assert.equal(await isAlive(p), false, `process ${p.pid} survived`);
    assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(stateDir));
    assert.doesNotMatch(await runOk(['iptables-save', '-t', 'nat'], { netns: nodeNetns }), /--dport 18080/);
    assert.deepEqual(readdirSync(join(stateDir, 'cni', 'results')), []);
    assert.deepEqual(await rt.listSandboxes(), []);
  });

  test('removal after a crash half-way: no sandbox.json, or only a netns', async () => {
    await rt.createSandbox(sandboxCfg(uidCrash, 'pod-c'));
    const holder = JSON.parse(
      readFileSync(join(stateDir, 'sandboxes', uidCrash, 'holder.pid'), 'utf8'),
    ) as ProcessIdentity;
    seen.push(holder);
    await rm(join(stateDir, 'sandboxes', uidCrash, 'sandbox.json'));
    const listed = (await rt.listSandboxes()).find((s) => s.uid === uidCrash);
    assert.equal(listed?.alive, false, 'debris is listed as dead so the agent removes it');
    await rt.removeSandbox(uidCrash);
    assert.equal(await isAlive(holder), false);
    assert.deepEqual(await podNetnsList(), []);
    const ipamDir = join(stateDir, 'cni', 'networks', 'podnet');
    assert.deepEqual(
      readdirSync(ipamDir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)),
      [],
    );

    // Only a netns (crash right after `ip netns add`).
    const uid = randomUUID();
    const ns = `podnet-${nodeName}-${uid.replace(/-/g, '').slice(0, 12)}`;
    await runOk(['ip', 'netns', 'add', ns]);
    await rt.removeSandbox(uid);
    assert.deepEqual(await podNetnsList(), []);
  });
});

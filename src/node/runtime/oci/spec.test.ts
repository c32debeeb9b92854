import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runtimeDefaultSeccomp } from './seccomp.js';
import { capabilitiesOfMask, DEFAULT_CAPABILITIES, effectiveCapabilities } from './security.js';
import { ociSpec, type OciSpecInput } from './spec.js';
import { privilegedView, rootView } from './view.js';

const input = (over: Partial<OciSpecInput> = {}): OciSpecInput => ({
  rootfs: '/state/pods/sandboxes/u/rootfs',
  argv: ['/usr/bin/node', 'main.js'],
  env: { PATH: '/usr/bin', A: 'b' },
  cwd: '/',
  tty: false,
  hostname: 'web-0',
  join: { network: '/run/netns/podnet-n-u', ipc: '/proc/42/ns/ipc' },
  view: [{ source: '/usr', destination: '/usr' }],
  podFiles: { hosts: '/s/hosts', resolvConf: '/s/resolv.conf', hostname: '/s/hostname' },
  binds: [],
  security: {},
  resources: {},
  cgroupsPath: '/podnet/podu/c-0',
  ...over,
});

type Spec = {
  process: {
    user: { uid: number; gid: number; additionalGids?: number[] };
    noNewPrivileges: boolean;
    capabilities: { bounding: string[]; effective: string[] };
    env: string[];
  };
  root: { readonly: boolean };
  mounts: { destination: string; options: string[]; source: string }[];
  linux: {
    namespaces: { type: string; path?: string }[];
    seccomp?: unknown;
    maskedPaths?: string[];
    resources: Record<string, unknown>;
  };
};
const spec = (over: Partial<OciSpecInput> = {}) => ociSpec(input(over)) as unknown as Spec;
const mount = (s: Spec, dest: string) => s.mounts.find((m) => m.destination === dest);

describe('OCI config of a container', () => {
  test('own mount, PID and UTS namespaces; the pod network and IPC joined by path', () => {
    assert.deepEqual(spec().linux.namespaces, [
      { type: 'mount' },
      { type: 'pid' },
      { type: 'ipc', path: '/proc/42/ns/ipc' },
      { type: 'uts' },
      { type: 'network', path: '/run/netns/podnet-n-u' },
    ]);
    // hostNetwork: no UTS or network namespace of its own.
    const host = spec({ hostname: undefined, join: {} }).linux.namespaces.map((n) => n.type);
    assert.deepEqual(host, ['mount', 'pid', 'ipc']);
  });

  test('a read-only root: the view bound read-only, writable /tmp, the pod files', () => {
    const s = spec();
    assert.equal(s.root.readonly, true);
    assert.ok(mount(s, '/usr')!.options.includes('ro'));
    assert.ok(mount(s, '/tmp')!.options.includes('rw'));
    assert.equal(mount(s, '/etc/hosts')!.source, '/s/hosts');
    assert.equal(mount(s, '/etc/resolv.conf')!.source, '/s/resolv.conf');
    assert.equal(mount(s, '/etc/hostname')!.source, '/s/hostname');
    assert.ok(mount(spec({ security: { readOnlyRootFilesystem: true } }), '/tmp')!.options.includes('ro'));
  });

  test("containerd's hardening by default, none when privileged", () => {
    const s = spec();
    assert.deepEqual(s.process.capabilities.bounding, DEFAULT_CAPABILITIES);
    assert.equal(s.process.noNewPrivileges, true);
    assert.ok(s.linux.seccomp);
    assert.ok(s.linux.maskedPaths!.includes('/proc/kcore'));
    assert.equal(mount(s, '/sys')!.options.includes('ro'), true);
    const p = spec({ security: { privileged: true } });
    assert.equal(p.process.noNewPrivileges, false);
    assert.equal(p.linux.seccomp, undefined);
    assert.equal(p.linux.maskedPaths, undefined);
    assert.ok(p.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
    assert.ok(mount(p, '/usr')!.options.includes('rw'), 'a privileged view is writable');
  });

  test('securityContext: user, groups, capabilities, escalation, seccomp', () => {
    const s = spec({
      security: {
        runAsUser: 1000,
        runAsGroup: 3000,
        supplementalGroups: [2000],
        capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
        allowPrivilegeEscalation: true,
        seccomp: 'Unconfined',
      },
    });
    assert.deepEqual(s.process.user, { uid: 1000, gid: 3000, additionalGids: [2000] });
    assert.deepEqual(s.process.capabilities.bounding, ['CAP_NET_ADMIN']);
    assert.deepEqual(s.process.capabilities.effective, [], 'a non-root user keeps no capabilities');
    assert.equal(s.process.noNewPrivileges, false);
    assert.equal(s.linux.seccomp, undefined);
  });

  test('resources: memory without swap, CFS quota, shares, pids', () => {
    const r = spec({
      resources: {
        memoryBytes: 33554432,
        cpuQuotaMicros: 50000,
        cpuPeriodMicros: 100000,
        cpuShares: 512,
        pidsLimit: 100,
      },
    }).linux.resources;
    assert.deepEqual(r['memory'], { limit: 33554432, swap: 33554432 });
    assert.deepEqual(r['cpu'], { shares: 512, quota: 50000, period: 100000 });
    assert.deepEqual(r['pids'], { limit: 100 });
  });
});

describe('capabilities and seccomp', () => {
  const cases: [string, Parameters<typeof effectiveCapabilities>[0], (caps: string[]) => boolean][] = [
    ['default', {}, (c) => c.length === DEFAULT_CAPABILITIES.length],
    ['drop one', { capabilities: { drop: ['net_raw'] } }, (c) => !c.includes('CAP_NET_RAW') && c.length === 13],
    ['add one', { capabilities: { add: ['SYS_TIME'] } }, (c) => c.includes('CAP_SYS_TIME') && c.length === 15],
    ['drop ALL', { capabilities: { drop: ['ALL'] } }, (c) => c.length === 0],
  ];
  for (const [name, sec, ok] of cases) test(`capabilities: ${name}`, () => assert.ok(ok(effectiveCapabilities(sec))));

  test('unknown capabilities are an error naming the fix', () =>
    assert.throws(() => effectiveCapabilities({ capabilities: { add: ['FLY'] } }), /unknown capability "FLY"/));

  test('privileged gets only what the node holds (its bounding set)', () => {
    const node = capabilitiesOfMask('000001fffeffffff');
    assert.ok(!node.includes('CAP_SYS_RESOURCE'));
    assert.ok(!effectiveCapabilities({ privileged: true }, node).includes('CAP_SYS_RESOURCE'));
  });

  test('RuntimeDefault refuses mount, unshare, setns, kexec, bpf, modules; CAP_SYS_ADMIN gives mount back', () => {
    const refused = (caps: string[]) =>
      runtimeDefaultSeccomp(caps)
        .syscalls.filter((r) => !r.args && r.errnoRet === 1)
        .flatMap((r) => r.names);
    for (const s of ['mount', 'unshare', 'setns', 'kexec_load', 'bpf', 'init_module', 'finit_module', 'keyctl'])
      assert.ok(refused(DEFAULT_CAPABILITIES).includes(s), s);
    assert.ok(!refused([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']).includes('mount'));
    const clone = runtimeDefaultSeccomp(DEFAULT_CAPABILITIES).syscalls.filter((r) => r.names.includes('clone'));
    assert.equal(clone.length, 7, 'one rule per namespace flag');
  });
});

describe('root view', () => {
  test('merged /usr links, allowed /etc entries only, image paths', () => {
    const v = rootView(
      [
        { name: 'bin', kind: 'link', target: 'usr/bin' },
        { name: 'lib64', kind: 'dir' },
        { name: 'var', kind: 'dir' },
      ],
      [
        { name: 'passwd', kind: 'file' },
        { name: 'shadow', kind: 'file' },
        { name: 'java-17-openjdk', kind: 'dir' },
        { name: 'podnet', kind: 'dir' },
      ],
      ['/opt/podnet/dist', '/usr/share/x'],
    );
    assert.deepEqual(v.links, [{ path: 'bin', target: 'usr/bin' }]);
    assert.deepEqual(
      v.binds.map((b) => b.destination),
      ['/usr', '/lib64', '/etc/passwd', '/etc/java-17-openjdk', '/opt/podnet/dist'],
    );
  });

  test('a privileged container sees the node tree but its kernel file systems', () => {
    const v = privilegedView([
      { name: 'proc', kind: 'dir' },
      { name: 'var', kind: 'dir' },
      { name: 'bin', kind: 'link', target: 'usr/bin' },
    ]);
    assert.deepEqual(v.binds, [{ source: '/var', destination: '/var' }]);
    assert.deepEqual(v.links, [{ path: 'bin', target: 'usr/bin' }]);
  });
});

/**
 * The checks behind `podnet doctor`: binaries on disk, and kernel features
 * tried for real inside a throwaway netns (so the host is never touched),
 * which is deleted again whatever happens.
 */
import { accessSync, constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { run, type RunOptions } from '../host/exec.js';
import { loadNative } from '../native/native.js';
import { BINARIES, nativeChecks, type BinaryRequirement, type CheckResult } from './doctor-checks.js';

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findBinary(candidates: readonly string[]): string | undefined {
  for (const c of candidates) {
    if (c.startsWith('/')) {
      if (executable(c)) return c;
      continue;
    }
    const dirs = [...(process.env['PATH'] ?? '').split(':').filter(Boolean), ...SBIN];
    const hit = dirs.map((d) => join(d, c)).find(executable);
    if (hit) return hit;
  }
  return undefined;
}

function checkBinary(b: BinaryRequirement): CheckResult {
  const override = b.name === 'kubectl' ? process.env['KUBECTL'] : undefined;
  const path = findBinary(override ? [override] : b.candidates);
  return path
    ? { name: b.name, ok: true, required: b.required, detail: path }
    : { name: b.name, ok: false, required: b.required, detail: `not found (${b.why})`, fix: b.install };
}

async function attempt(name: string, fix: string, argv: string[], opts: RunOptions = {}): Promise<CheckResult> {
  try {
    const r = await run(argv, { timeoutMs: 15_000, ...opts });
    return r.code === 0
      ? { name, ok: true, required: true, detail: 'works' }
      : {
          name,
          ok: false,
          required: true,
          detail: (r.stderr || r.stdout).trim().split('\n')[0] ?? `exit ${r.code}`,
          fix,
        };
  } catch (e) {
    return { name, ok: false, required: true, detail: (e as Error).message, fix };
  }
}

const KERNEL_FIX =
  'use a kernel with netns, veth, bridge, vxlan and nf_tables (any stock Debian kernel), and run as root';

/** Kernel features, each tried once inside a throwaway netns podnetdoc<rand>. */
async function checkKernel(): Promise<CheckResult[]> {
  const tag = randomBytes(2).toString('hex');
  const ns = `podnetdoc${tag}`;
  const dev = (suffix: string) => `podnetdoc${tag}${suffix}`;
  const created = await attempt('kernel: netns', KERNEL_FIX, ['ip', 'netns', 'add', ns]);
  if (!created.ok) return [created];
  try {
    const inNs: RunOptions = { netns: ns };
    return [
      created,
      await attempt('kernel: veth', KERNEL_FIX, [
        'ip',
        '-n',
        ns,
        'link',
        'add',
        dev('a'),
        'type',
        'veth',
        'peer',
        'name',
        dev('b'),
      ]),
      await attempt('kernel: bridge', KERNEL_FIX, ['ip', '-n', ns, 'link', 'add', dev('br'), 'type', 'bridge']),
      await attempt('kernel: vxlan', 'load the vxlan module (modprobe vxlan) or use --backend host-gw', [
        'ip',
        '-n',
        ns,
        'link',
        'add',
        dev('vx'),
        'type',
        'vxlan',
        'id',
        '4242',
        'dstport',
        '4789',
        'local',
        '127.0.0.1',
      ]),
      await attempt(
        'kernel: ip_forward in netns',
        KERNEL_FIX,
        ['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward'],
        inNs,
      ),
      await attempt(
        'nftables usable',
        'apt-get install -y nftables (and a kernel with nf_tables)',
        ['nft', '-f', '-'],
        {
          ...inNs,
          input: `table inet ${dev('t')} {\n chain c { type filter hook forward priority 0; policy accept; }\n}\ndelete table inet ${dev('t')}\n`,
        },
      ),
      await attempt('iptables usable', 'apt-get install -y iptables', ['iptables', '-w', '-t', 'nat', '-S'], inNs),
    ];
  } finally {
    await run(['ip', 'netns', 'del', ns]);
  }
}

export async function runChecks(): Promise<CheckResult[]> {
  const binaries = BINARIES.map(checkBinary);
  const root = process.getuid?.() === 0;
  const rootCheck: CheckResult = root
    ? { name: 'root', ok: true, required: true, detail: 'running as root' }
    : {
        name: 'root',
        ok: false,
        required: true,
        detail: 'podnet up/down need root',
        fix: 'run as root (sudo podnet ...)',
      };
  const ipThere = binaries.find((b) => b.name === 'ip')?.ok;
  const kernel = root && ipThere ? await checkKernel() : [];
  const native = loadNative();
  const nativeFacts = { loaded: native !== undefined, netfilterBatch: !!native?.netfilterBatch, env: process.env };
  return [rootCheck, ...binaries, ...kernel, ...nativeChecks(nativeFacts)];
}

/**
 * The VXLAN device podnet.1: created with the settings every node agrees on
 * (VNI 1, UDP 8472, no learning: the FDB is written by us from the Node
 * annotations, never learned from traffic), re-created when an existing one
 * has other settings, and given the node's VTEP address as a /32.
 */
import { ipJson, run, runOk } from '../host/exec.js';
import { VXLAN_DEVICE, VXLAN_PORT, VXLAN_VNI } from './constants.js';
import type { HostTarget, Logger } from './types.js';

/** One element of `ip -j -d link show` (the fields we use). */
export interface IpLinkJson {
  ifname?: string;
  address?: string;
  mtu?: number;
  flags?: string[];
  linkinfo?: {
    info_kind?: string;
    info_data?: { id?: number; local?: string; port?: number; learning?: boolean; link?: string };
  };
}

export interface VxlanSpec {
  /** Outer source address: this node's public IP. */
  local: string;
  /** Underlay device the outer packets leave through. */
  underlayDev: string;
  mac: string;
  mtu: number;
}

/** Why an existing device cannot be kept (empty: it can). Pure. */
export function vxlanMismatches(link: IpLinkJson, spec: VxlanSpec): string[] {
  const info = link.linkinfo;
  if (info?.info_kind !== 'vxlan') return [`it is a ${info?.info_kind ?? 'plain'} device, not vxlan`];
  const d = info.info_data ?? {};
  const out: string[] = [];
  if (d.id !== VXLAN_VNI) out.push(`VNI ${d.id}, want ${VXLAN_VNI}`);
  if (d.port !== VXLAN_PORT) out.push(`port ${d.port}, want ${VXLAN_PORT}`);
  if (d.local !== spec.local) out.push(`local ${d.local ?? 'unset'}, want ${spec.local}`);
  if (d.learning !== false) out.push('learning on, want off');
  if (d.link !== undefined && d.link !== spec.underlayDev) out.push(`underlay ${d.link}, want ${spec.underlayDev}`);
  return out;
}

/** The device's link as `ip -j -d link show` prints it, or undefined when it does not exist. */
export async function readLink(target: HostTarget, dev: string): Promise<IpLinkJson | undefined> {
  const r = await run(['ip', '-j', '-d', 'link', 'show', 'dev', dev], { netns: target.netns });
  if (r.code !== 0) {
    if (/does not exist|Cannot find device/i.test(r.stderr)) return undefined;
    throw new Error(`cannot read link ${dev}: ${r.stderr.trim()}`);
  }
  return (JSON.parse(r.stdout) as IpLinkJson[])[0];
}

/** Makes podnet.1 exist with `spec`, up. Idempotent: changes only what differs. */
export async function ensureVxlanDevice(target: HostTarget, spec: VxlanSpec, log: Logger): Promise<void> {
  const ns = { netns: target.netns };
  let link = await readLink(target, VXLAN_DEVICE);
  const wrong = link ? vxlanMismatches(link, spec) : [];
  if (link && wrong.length) {
    log(`overlay: re-creating ${VXLAN_DEVICE}: ${wrong.join('; ')}`);
    await runOk(['ip', 'link', 'del', VXLAN_DEVICE], ns);
    link = undefined;
  }
  if (!link) {
    await runOk(
      [
        'ip',
        'link',
        'add',
        VXLAN_DEVICE,
        'type',
        'vxlan',
        'id',
        String(VXLAN_VNI),
        'dstport',
        String(VXLAN_PORT),
        'local',
        spec.local,
        'dev',
        spec.underlayDev,
        'nolearning',
      ],
      ns,
    );
    log(
      `overlay: created ${VXLAN_DEVICE} (vxlan id ${VXLAN_VNI} dstport ${VXLAN_PORT} local ${spec.local} dev ${spec.underlayDev})`,
    );
    link = {};
  }
  const set: string[] = [];
  if (link.address?.toLowerCase() !== spec.mac) set.push('address', spec.mac);
  if (link.mtu !== spec.mtu) set.push('mtu', String(spec.mtu));
  if (!link.flags?.includes('UP')) set.push('up');
  if (set.length) await runOk(['ip', 'link', 'set', VXLAN_DEVICE, ...set], ns);
}

/** Gives podnet.1 exactly the address `cidr` (e.g. 10.244.1.0/32), removing any other IPv4 address. */
export async function ensureDeviceAddress(target: HostTarget, cidr: string, log: Logger): Promise<void> {
  const ns = { netns: target.netns };
  const links = await ipJson<{ addr_info?: { family?: string; local?: string; prefixlen?: number }[] }>(
    ['addr', 'show', 'dev', VXLAN_DEVICE],
    ns,
  );
  const have = (links[0]?.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
  for (const a of have) {
    if (a === cidr) continue;
    log(`overlay: removing stale address ${a} from ${VXLAN_DEVICE}`);
    await runOk(['ip', 'addr', 'del', a, 'dev', VXLAN_DEVICE], ns);
  }
  if (!have.includes(cidr)) await runOk(['ip', 'addr', 'add', cidr, 'dev', VXLAN_DEVICE], ns);
}

/** Deletes podnet.1 if it exists (its routes, neighbours and FDB go with it). */
export async function removeVxlanDevice(target: HostTarget): Promise<boolean> {
  if (!(await readLink(target, VXLAN_DEVICE))) return false;
  await runOk(['ip', 'link', 'del', VXLAN_DEVICE], { netns: target.netns });
  return true;
}

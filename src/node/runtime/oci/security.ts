/**
 * A container's security settings as the runtime applies them, and the
 * defaults containerd gives every unprivileged container (pure).
 */

/** What the pod spec's securityContext says, resolved for one container (pod-level values already merged in). */
export interface ContainerSecurity {
  privileged?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  /** Extra groups: the pod's supplementalGroups and fsGroup. */
  supplementalGroups?: number[];
  capabilities?: { add?: string[]; drop?: string[] };
  readOnlyRootFilesystem?: boolean;
  /** false sets no_new_privs; true (or unset) too, as containerd does, unless privileged. */
  allowPrivilegeEscalation?: boolean;
  /** seccompProfile.type: RuntimeDefault unless Unconfined is asked for (Localhost is not supported). */
  seccomp?: 'RuntimeDefault' | 'Unconfined';
}

/** containerd's default capability set (oci.WithDefaultCapabilities / the CRI plugin's defaults). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability a 5.x/6.x kernel knows, in the kernel's bit order (CAP_CHOWN is bit 0). */
const ALL_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** "net_admin", "NET_ADMIN" or "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; unknown names are an error a user can fix. */
function capabilityName(name: string): string {
  const upper = name.toUpperCase();
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!ALL_CAPABILITIES.includes(full))
    throw new Error(`unknown capability "${name}": use a name like NET_ADMIN (see capabilities(7)) or ALL`);
  return full;
}

/** The capabilities of a CapBnd mask from /proc/PID/status ("000001fffeffffff") (pure). */
export function capabilitiesOfMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim()}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/**
 * The capability set after the spec's add and drop, in containerd's order: drop, then add (pure).
 * Privileged and add: [ALL] get every capability the node itself holds (available), as with Docker.
 */
export function effectiveCapabilities(sec: ContainerSecurity, available: string[] = ALL_CAPABILITIES): string[] {
  return capabilitySet(sec).filter((c) => available.includes(c));
}

function capabilitySet(sec: ContainerSecurity): string[] {
  if (sec.privileged) return [...ALL_CAPABILITIES];
  const add = sec.capabilities?.add ?? [];
  const drop = sec.capabilities?.drop ?? [];
  let caps = drop.some((d) => d.toUpperCase() === 'ALL')
    ? []
    : DEFAULT_CAPABILITIES.filter((c) => !drop.map(capabilityName).includes(c));
  if (add.some((a) => a.toUpperCase() === 'ALL')) caps = [...ALL_CAPABILITIES];
  else for (const a of add.map(capabilityName)) if (!caps.includes(a)) caps.push(a);
  return caps;
}

/** containerd's masked paths (empty files/dirs over them) for unprivileged containers. */
export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
  '/proc/scsi',
];

/** containerd's read-only paths for unprivileged containers. */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

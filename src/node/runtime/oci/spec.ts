/**
 * The OCI runtime config (config.json) of one container (pure): its own
 * mount, PID, IPC and UTS namespaces joined to the pod's network namespace,
 * a read-only root made of bind mounts from the node, a writable /tmp, the
 * pod's hosts, resolv.conf and hostname, and containerd's default hardening
 * unless the container is privileged.
 */
import { runtimeDefaultSeccomp } from './seccomp.js';
import { effectiveCapabilities, MASKED_PATHS, READONLY_PATHS, type ContainerSecurity } from './security.js';

interface OciMount {
  destination: string;
  source: string;
  type: string;
  options: string[];
}

/** Limits for the container's cgroup; undefined fields are unlimited. */
export interface ContainerResources {
  memoryBytes?: number;
  /** CFS quota per period (µs), from limits.cpu. */
  cpuQuotaMicros?: number;
  cpuPeriodMicros?: number;
  /** cpu.shares from requests.cpu (the kubelet's 2..262144). */
  cpuShares?: number;
  pidsLimit?: number;
}

export interface OciSpecInput {
  /** Absolute path of the (empty, skeleton) root directory. */
  rootfs: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  tty: boolean;
  /** UTS hostname; undefined shares the node's UTS namespace (hostNetwork). */
  hostname?: string;
  /** Namespaces to join by path; undefined network shares the runtime's own (hostNetwork), undefined pid makes a new one. */
  join: { network?: string; ipc?: string; pid?: string };
  /** Read-only binds of what the image needs from the node (/usr, parts of /etc, the image's files). */
  view: { source: string; destination: string }[];
  /** The pod's /etc/hosts, /etc/resolv.conf and /etc/hostname on the node. */
  podFiles: { hosts: string; resolvConf: string; hostname: string };
  /** Writable binds: the image's data dir, volumes. */
  binds: { source: string; destination: string; readOnly: boolean }[];
  security: ContainerSecurity;
  resources: ContainerResources;
  /** cgroup path under each controller's root (cgroupfs driver). */
  cgroupsPath: string;
  /** Capabilities the node's runtime holds (its bounding set): more cannot be granted. */
  availableCapabilities?: string[];
}

const bind = (source: string, destination: string, readOnly: boolean): OciMount => ({
  destination,
  source,
  type: 'bind',
  options: ['rbind', 'rprivate', 'nosuid', 'nodev', ...(readOnly ? ['ro'] : ['rw'])],
});

/** The kernel file systems every container gets, as containerd mounts them. */
function systemMounts(privileged: boolean, readOnlyRoot: boolean): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/sys',
      type: 'sysfs',
      source: 'sysfs',
      options: ['nosuid', 'noexec', 'nodev', privileged ? 'rw' : 'ro'],
    },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', privileged ? 'rw' : 'ro'],
    },
    // The image's writable scratch space; with readOnlyRootFilesystem it is read-only like the rest.
    // A privileged container has the node's /tmp instead.
    ...(privileged
      ? []
      : [
          {
            destination: '/tmp',
            type: 'tmpfs',
            source: 'tmpfs',
            options: ['nosuid', 'nodev', 'mode=1777', readOnlyRoot ? 'ro' : 'rw'],
          },
        ]),
  ];
}

/** config.json for one container (pure). */
export function ociSpec(i: OciSpecInput): Record<string, unknown> {
  const sec = i.security;
  const privileged = !!sec.privileged;
  const caps = effectiveCapabilities(sec, i.availableCapabilities);
  const uid = sec.runAsUser ?? 0;
  const gid = sec.runAsGroup ?? 0;
  // A non-root process keeps no capabilities across exec (no ambient set), as with containerd.
  const processCaps = uid === 0 ? caps : [];
  const namespaces: { type: string; path?: string }[] = [
    { type: 'mount' },
    i.join.pid ? { type: 'pid', path: i.join.pid } : { type: 'pid' },
    i.join.ipc ? { type: 'ipc', path: i.join.ipc } : { type: 'ipc' },
    ...(i.hostname !== undefined ? [{ type: 'uts' }] : []),
    ...(i.join.network ? [{ type: 'network', path: i.join.network }] : []),
  ];
  const mounts = [
    ...systemMounts(privileged, !!sec.readOnlyRootFilesystem),
    // A privileged container's view is the node's own tree, writable, as the node's root sees it.
    ...i.view.map((v) => bind(v.source, v.destination, !privileged)),
    bind(i.podFiles.hosts, '/etc/hosts', true),
    bind(i.podFiles.resolvConf, '/etc/resolv.conf', true),
    bind(i.podFiles.hostname, '/etc/hostname', true),
    ...i.binds.map((b) => bind(b.source, b.destination, b.readOnly)),
  ];
  const r = i.resources;
  const resources: Record<string, unknown> = {
    devices: privileged ? [{ allow: true, access: 'rwm' }] : [{ allow: false, access: 'rwm' }],
  };
  if (r.memoryBytes !== undefined) resources['memory'] = { limit: r.memoryBytes, swap: r.memoryBytes };
  if (r.cpuQuotaMicros !== undefined || r.cpuShares !== undefined) {
    resources['cpu'] = {
      ...(r.cpuShares !== undefined ? { shares: r.cpuShares } : {}),
      ...(r.cpuQuotaMicros !== undefined ? { quota: r.cpuQuotaMicros, period: r.cpuPeriodMicros ?? 100_000 } : {}),
    };
  }
  if (r.pidsLimit !== undefined) resources['pids'] = { limit: r.pidsLimit };
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false, // the shim owns the pty (tty: true); runc passes the shim's stdio through
      user: { uid, gid, ...(sec.supplementalGroups?.length ? { additionalGids: sec.supplementalGroups } : {}) },
      args: i.argv,
      env: Object.entries(i.env).map(([k, v]) => `${k}=${v}`),
      cwd: i.cwd,
      capabilities: {
        bounding: caps,
        effective: processCaps,
        permitted: processCaps,
      },
      noNewPrivileges: !privileged && sec.allowPrivilegeEscalation !== true,
      oomScoreAdj: 1000,
    },
    root: { path: i.rootfs, readonly: true },
    ...(i.hostname !== undefined ? { hostname: i.hostname } : {}),
    mounts,
    linux: {
      namespaces,
      cgroupsPath: i.cgroupsPath,
      resources,
      ...(privileged
        ? {}
        : {
            maskedPaths: MASKED_PATHS,
            readonlyPaths: READONLY_PATHS,
            ...(sec.seccomp === 'Unconfined' ? {} : { seccomp: runtimeDefaultSeccomp(caps) }),
          }),
    },
  };
}

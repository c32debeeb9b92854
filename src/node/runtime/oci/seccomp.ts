/**
 * The RuntimeDefault seccomp profile (pure). containerd's default profile is
 * an allow list of ~350 syscalls; the syscalls it leaves out for a container
 * without extra capabilities are the dangerous ones (namespaces, mounts,
 * modules, kexec, bpf, keyrings, clock setting, reboot ...). This profile
 * states that difference directly: those syscalls fail with EPERM, and a
 * syscall comes back only when the container holds the capability that
 * containerd's profile ties it to. clone3 gets ENOSYS, as in containerd, so
 * libc falls back to clone, whose namespace flags are checked.
 */

/** Syscalls refused unless the container holds the capability (undefined: refused always). */
const GATED: Record<string, string | undefined> = {
  // namespaces and mounts (CAP_SYS_ADMIN)
  mount: 'CAP_SYS_ADMIN',
  umount: 'CAP_SYS_ADMIN',
  umount2: 'CAP_SYS_ADMIN',
  unshare: 'CAP_SYS_ADMIN',
  setns: 'CAP_SYS_ADMIN',
  pivot_root: 'CAP_SYS_ADMIN',
  fsopen: 'CAP_SYS_ADMIN',
  fsconfig: 'CAP_SYS_ADMIN',
  fsmount: 'CAP_SYS_ADMIN',
  fspick: 'CAP_SYS_ADMIN',
  move_mount: 'CAP_SYS_ADMIN',
  open_tree: 'CAP_SYS_ADMIN',
  mount_setattr: 'CAP_SYS_ADMIN',
  quotactl: 'CAP_SYS_ADMIN',
  quotactl_fd: 'CAP_SYS_ADMIN',
  lookup_dcookie: 'CAP_SYS_ADMIN',
  perf_event_open: 'CAP_PERFMON',
  bpf: 'CAP_BPF',
  fanotify_init: 'CAP_SYS_ADMIN',
  name_to_handle_at: 'CAP_SYS_ADMIN',
  open_by_handle_at: 'CAP_DAC_READ_SEARCH',
  // kernel modules and kexec
  init_module: 'CAP_SYS_MODULE',
  finit_module: 'CAP_SYS_MODULE',
  delete_module: 'CAP_SYS_MODULE',
  create_module: undefined,
  get_kernel_syms: undefined,
  query_module: undefined,
  kexec_load: 'CAP_SYS_BOOT',
  kexec_file_load: 'CAP_SYS_BOOT',
  reboot: 'CAP_SYS_BOOT',
  // time
  settimeofday: 'CAP_SYS_TIME',
  stime: 'CAP_SYS_TIME',
  clock_settime: 'CAP_SYS_TIME',
  clock_settime64: 'CAP_SYS_TIME',
  clock_adjtime: 'CAP_SYS_TIME',
  clock_adjtime64: 'CAP_SYS_TIME',
  adjtimex: 'CAP_SYS_TIME',
  // other processes' memory, accounting, swap, raw I/O
  process_vm_readv: 'CAP_SYS_PTRACE',
  process_vm_writev: 'CAP_SYS_PTRACE',
  kcmp: 'CAP_SYS_PTRACE',
  acct: 'CAP_SYS_PACCT',
  swapon: 'CAP_SYS_ADMIN',
  swapoff: 'CAP_SYS_ADMIN',
  iopl: 'CAP_SYS_RAWIO',
  ioperm: 'CAP_SYS_RAWIO',
  vhangup: 'CAP_SYS_TTY_CONFIG',
  syslog: 'CAP_SYSLOG',
  // NUMA policy (CAP_SYS_NICE in containerd's profile)
  mbind: 'CAP_SYS_NICE',
  set_mempolicy: 'CAP_SYS_NICE',
  get_mempolicy: 'CAP_SYS_NICE',
  move_pages: 'CAP_SYS_NICE',
  // keyrings are not namespaced
  add_key: undefined,
  keyctl: undefined,
  request_key: undefined,
  // obsolete or kernel-introspecting
  nfsservctl: undefined,
  uselib: undefined,
  ustat: undefined,
  sysfs: undefined,
  _sysctl: undefined,
  userfaultfd: undefined,
  vm86: undefined,
  vm86old: undefined,
};

/** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET: clone with any of these needs CAP_SYS_ADMIN. */
const CLONE_NAMESPACE_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

const EPERM = 1;
const ENOSYS = 38;

export interface SeccompProfile {
  defaultAction: string;
  architectures: string[];
  syscalls: {
    names: string[];
    action: string;
    errnoRet?: number;
    args?: { index: number; value: number; valueTwo?: number; op: string }[];
  }[];
}

/** The RuntimeDefault profile for a container holding these capabilities (pure). */
export function runtimeDefaultSeccomp(capabilities: string[]): SeccompProfile {
  const refused = Object.entries(GATED)
    .filter(([, cap]) => cap === undefined || !capabilities.includes(cap))
    .map(([name]) => name)
    .sort();
  const syscalls: SeccompProfile['syscalls'] = [
    { names: refused, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
  ];
  if (!capabilities.includes('CAP_SYS_ADMIN')) {
    // clone(flags, ...): flags is argument 0 on x86_64 and arm64. One rule per flag: rules are ORed, and
    // "(flags & bit) == bit" is the only test libseccomp has for a bit being set.
    for (const bit of CLONE_NAMESPACE_FLAGS) {
      syscalls.push({
        names: ['clone'],
        action: 'SCMP_ACT_ERRNO',
        errnoRet: EPERM,
        args: [{ index: 0, value: bit, valueTwo: bit, op: 'SCMP_CMP_MASKED_EQ' }],
      });
    }
  }
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
    syscalls,
  };
}

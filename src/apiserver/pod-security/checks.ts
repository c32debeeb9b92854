/**
 * The Pod Security Standards as checks (pure), with kube's reasons and
 * details word for word, in the order kube's pod-security-admission runs
 * them: baseline checks, then (restricted) the restricted ones; two baseline
 * checks (capabilities, seccompProfile) give way to their restricted
 * versions. Each check has the first policy version it belongs to.
 */

export type Level = 'privileged' | 'baseline' | 'restricted';

/** A level at a policy version; minor undefined is "latest". */
export interface LevelVersion {
  level: Level;
  minor?: number;
}

export interface CheckResult {
  reason: string;
  detail: string;
}

interface SecurityContextFields {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
}

interface PodContainer {
  name: string;
  ports?: { hostPort?: number }[];
  securityContext?: SecurityContextFields;
}

/** The fields of a pod spec the checks read. */
export interface CheckedPodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContextFields & { sysctls?: { name: string }[] };
  volumes?: ({ name: string } & Record<string, unknown>)[];
  containers?: PodContainer[];
  initContainers?: PodContainer[];
  ephemeralContainers?: PodContainer[];
}

type Check = (annotations: Record<string, string>, spec: CheckedPodSpec) => CheckResult | undefined;

interface RegisteredCheck {
  level: 'baseline' | 'restricted';
  /** Baseline checks that a restricted check replaces. */
  overlap?: boolean;
  minMinor: number;
  check: Check;
}

const pluralize = (one: string, many: string, n: number) => (n === 1 ? one : many);
const joinQuote = (items: string[]) => items.map((s) => JSON.stringify(s)).join(', ');
const sorted = (s: Set<string>) => [...s].sort();
const containersOf = (spec: CheckedPodSpec): PodContainer[] => [
  ...(spec.initContainers ?? []),
  ...(spec.containers ?? []),
  ...(spec.ephemeralContainers ?? []),
];
const named = (names: string[]) => `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** Safe sysctls and the policy version that allowed each. */
const SAFE_SYSCTLS: [string, number][] = [
  ['kernel.shm_rmid_forced', 0],
  ['net.ipv4.ip_local_port_range', 0],
  ['net.ipv4.tcp_syncookies', 0],
  ['net.ipv4.ping_group_range', 0],
  ['net.ipv4.ip_unprivileged_port_start', 0],
  ['net.ipv4.ip_local_reserved_ports', 27],
  ['net.ipv4.tcp_keepalive_time', 29],
  ['net.ipv4.tcp_fin_timeout', 29],
  ['net.ipv4.tcp_keepalive_intvl', 29],
  ['net.ipv4.tcp_keepalive_probes', 29],
  ['net.ipv4.tcp_rmem', 32],
  ['net.ipv4.tcp_wmem', 32],
];

const ALLOWED_VOLUME_SOURCES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

const validSeccomp = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';

const hostNamespaces: Check = (_, spec) => {
  const used = ['hostIPC', 'hostNetwork', 'hostPID'].filter((k) => spec[k as 'hostIPC']);
  return used.length ? { reason: 'host namespaces', detail: used.map((k) => `${k}=true`).join(', ') } : undefined;
};

const hostPathVolumes: Check = (_, spec) => {
  const names = (spec.volumes ?? []).filter((v) => v['hostPath'] !== undefined).map((v) => v.name);
  return names.length
    ? { reason: 'hostPath volumes', detail: `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}` }
    : undefined;
};

const hostPorts: Check = (_, spec) => {
  const bad: string[] = [];
  const ports = new Set<string>();
  for (const c of containersOf(spec)) {
    const used = (c.ports ?? []).filter((p) => p.hostPort);
    used.forEach((p) => ports.add(String(p.hostPort)));
    if (used.length) bad.push(c.name);
  }
  if (!bad.length) return undefined;
  const list = sorted(ports);
  return {
    reason: 'hostPort',
    detail: `${named(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
  };
};

const privileged: Check = (_, spec) => {
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.privileged === true)
    .map((c) => c.name);
  return bad.length
    ? { reason: 'privileged', detail: `${named(bad)} must not set securityContext.privileged=true` }
    : undefined;
};

const procMount: Check = (_, spec) => {
  const bad = containersOf(spec).filter((c) => (c.securityContext?.procMount ?? 'Default') !== 'Default');
  if (!bad.length) return undefined;
  const types = sorted(new Set(bad.map((c) => c.securityContext!.procMount!)));
  return {
    reason: 'procMount',
    detail: `${named(bad.map((c) => c.name))} must not set securityContext.procMount to ${joinQuote(types)}`,
  };
};

const sysctls = (minor: number): Check => {
  const safe = new Set(SAFE_SYSCTLS.filter(([, since]) => since <= minor).map(([name]) => name));
  return (_, spec) => {
    const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !safe.has(n));
    return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
  };
};

const capabilitiesBaseline: Check = (_, spec) => {
  const bad: string[] = [];
  const caps = new Set<string>();
  for (const c of containersOf(spec)) {
    const extra = (c.securityContext?.capabilities?.add ?? []).filter((a) => !BASELINE_CAPABILITIES.has(a));
    extra.forEach((a) => caps.add(a));
    if (extra.length) bad.push(c.name);
  }
  return bad.length
    ? {
        reason: 'non-default capabilities',
        detail: `${named(bad)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add`,
      }
    : undefined;
};

/** Explicitly bad seccomp types: the pod and the containers that set one. */
function badSeccompSetters(spec: CheckedPodSpec): { setters: string[]; values: Set<string> } {
  const setters: string[] = [];
  const values = new Set<string>();
  const podType = spec.securityContext?.seccompProfile?.type;
  if (spec.securityContext?.seccompProfile && !validSeccomp(podType)) {
    setters.push('pod');
    values.add(podType ?? '');
  }
  const bad = containersOf(spec).filter(
    (c) => c.securityContext?.seccompProfile && !validSeccomp(c.securityContext.seccompProfile.type),
  );
  bad.forEach((c) => values.add(c.securityContext!.seccompProfile!.type ?? ''));
  if (bad.length) setters.push(named(bad.map((c) => c.name)));
  return { setters, values };
}

const seccompBaseline: Check = (annotations, spec) => {
  const forbidden = new Set<string>();
  const pod = annotations[SECCOMP_POD_ANNOTATION];
  const validAnnotation = (v: string) =>
    v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
  if (pod !== undefined && !validAnnotation(pod)) forbidden.add(`${SECCOMP_POD_ANNOTATION}=${JSON.stringify(pod)}`);
  for (const c of containersOf(spec)) {
    const key = SECCOMP_CONTAINER_ANNOTATION + c.name;
    const v = annotations[key];
    if (v !== undefined && !validAnnotation(v)) forbidden.add(`${key}=${JSON.stringify(v)}`);
  }
  if (forbidden.size)
    return {
      reason: 'seccompProfile',
      detail: `forbidden ${pluralize('annotation', 'annotations', forbidden.size)} ${sorted(forbidden).join(', ')}`,
    };
  const { setters, values } = badSeccompSetters(spec);
  return setters.length
    ? {
        reason: 'seccompProfile',
        detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sorted(values))}`,
      }
    : undefined;
};

const allowPrivilegeEscalation: Check = (_, spec) => {
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
    .map((c) => c.name);
  return bad.length
    ? {
        reason: 'allowPrivilegeEscalation != false',
        detail: `${named(bad)} must set securityContext.allowPrivilegeEscalation=false`,
      }
    : undefined;
};

const capabilitiesRestricted: Check = (_, spec) => {
  const missingDrop: string[] = [];
  const adding: string[] = [];
  const caps = new Set<string>();
  for (const c of containersOf(spec)) {
    const k = c.securityContext?.capabilities;
    if (!k?.drop?.includes('ALL')) missingDrop.push(c.name);
    const extra = (k?.add ?? []).filter((a) => a !== 'NET_BIND_SERVICE');
    extra.forEach((a) => caps.add(a));
    if (extra.length) adding.push(c.name);
  }
  const details = [
    ...(missingDrop.length ? [`${named(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`] : []),
    ...(adding.length
      ? [`${named(adding)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add`]
      : []),
  ];
  return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
};

const restrictedVolumes: Check = (_, spec) => {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const v of spec.volumes ?? []) {
    const source = Object.keys(v).find((k) => k !== 'name');
    if (source === undefined || ALLOWED_VOLUME_SOURCES.has(source)) continue;
    bad.push(v.name);
    types.add(source);
  }
  if (!bad.length) return undefined;
  const list = sorted(types);
  return {
    reason: 'restricted volume types',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', list.length)} ${joinQuote(list)}`,
  };
};

/** runAsNonRoot and seccompProfile share a shape: the pod's value, overridden per container. */
function podOrContainers(
  spec: CheckedPodSpec,
  podValue: boolean | undefined,
  containerValue: (c: PodContainer) => boolean | undefined,
): { explicit: string[]; implicit: string[] } {
  const explicit: string[] = [];
  const implicit: string[] = [];
  if (podValue === false) explicit.push('pod');
  const badContainers: string[] = [];
  for (const c of containersOf(spec)) {
    const v = containerValue(c);
    if (v === false) badContainers.push(c.name);
    else if (v === undefined && podValue !== true) implicit.push(c.name);
  }
  if (badContainers.length) explicit.push(named(badContainers));
  return { explicit, implicit };
}

const runAsNonRoot: Check = (_, spec) => {
  const { explicit, implicit } = podOrContainers(
    spec,
    spec.securityContext?.runAsNonRoot,
    (c) => c.securityContext?.runAsNonRoot,
  );
  if (explicit.length)
    return {
      reason: 'runAsNonRoot != true',
      detail: `${explicit.join(' and ')} must not set securityContext.runAsNonRoot=false`,
    };
  return implicit.length
    ? { reason: 'runAsNonRoot != true', detail: `pod or ${named(implicit)} must set securityContext.runAsNonRoot=true` }
    : undefined;
};

const runAsUser: Check = (_, spec) => {
  const setters: string[] = [];
  if (spec.securityContext?.runAsUser === 0) setters.push('pod');
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.runAsUser === 0)
    .map((c) => c.name);
  if (bad.length) setters.push(named(bad));
  return setters.length
    ? { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` }
    : undefined;
};

const seccompRestricted: Check = (_, spec) => {
  const { setters, values } = badSeccompSetters(spec);
  if (setters.length)
    return {
      reason: 'seccompProfile',
      detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sorted(values))}`,
    };
  const podSet = validSeccomp(spec.securityContext?.seccompProfile?.type);
  const implicit = containersOf(spec)
    .filter((c) => !c.securityContext?.seccompProfile && !podSet)
    .map((c) => c.name);
  return implicit.length
    ? {
        reason: 'seccompProfile',
        detail: `pod or ${named(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      }
    : undefined;
};

/** In kube's order (its check files in name order); latest is the newest minor any check knows. */
function registry(minor: number): RegisteredCheck[] {
  return [
    { level: 'restricted', minMinor: 8, check: allowPrivilegeEscalation },
    { level: 'baseline', overlap: true, minMinor: 0, check: capabilitiesBaseline },
    { level: 'restricted', minMinor: 22, check: capabilitiesRestricted },
    { level: 'baseline', minMinor: 0, check: hostNamespaces },
    { level: 'baseline', minMinor: 0, check: hostPathVolumes },
    { level: 'baseline', minMinor: 0, check: hostPorts },
    { level: 'baseline', minMinor: 0, check: privileged },
    { level: 'baseline', minMinor: 0, check: procMount },
    { level: 'restricted', minMinor: 0, check: restrictedVolumes },
    { level: 'restricted', minMinor: 0, check: runAsNonRoot },
    { level: 'restricted', minMinor: 23, check: runAsUser },
    { level: 'baseline', overlap: true, minMinor: 0, check: seccompBaseline },
    { level: 'restricted', minMinor: 19, check: seccompRestricted },
    { level: 'baseline', minMinor: 0, check: sysctls(minor) },
  ];
}

/** The newest policy version whose checks are known here. */
const LATEST_MINOR = 32;

/** What a pod violates at a level and version, in kube's order (empty: allowed). */
export function evaluatePod(
  lv: LevelVersion,
  annotations: Record<string, string> | undefined,
  spec: CheckedPodSpec,
): CheckResult[] {
  if (lv.level === 'privileged') return [];
  const minor = Math.min(lv.minor ?? LATEST_MINOR, LATEST_MINOR);
  const applicable = registry(minor).filter((c) => c.minMinor <= minor);
  const run = (cs: RegisteredCheck[]) =>
    cs.map((c) => c.check(annotations ?? {}, spec)).filter((r): r is CheckResult => !!r);
  const baseline = applicable.filter((c) => c.level === 'baseline' && !c.overlap);
  if (lv.level === 'baseline')
    return run([...baseline, ...applicable.filter((c) => c.level === 'baseline' && c.overlap)]);
  return run([...baseline, ...applicable.filter((c) => c.level === 'restricted')]);
}

/** "reason (detail), reason (detail)", as kube joins them. */
export function describeViolations(results: CheckResult[]): string {
  return results.map((r) => (r.detail ? `${r.reason} (${r.detail})` : r.reason)).join(', ');
}

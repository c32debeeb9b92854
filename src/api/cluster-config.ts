/**
 * The cluster's shape, defined once: pod and Service address ranges, the
 * `kubernetes` and cluster DNS Service addresses, the DNS domain and the
 * NodePort range. The API server resolves it from its flags at its first
 * start and keeps it in the kube-system/podnet-config ConfigMap (as kubeadm
 * keeps kubeadm-config); every other component reads it from there and
 * refuses to start when one of its own flags says otherwise. Pure.
 */
import { ipv4ToNumber, numberToIpv4, parseIpv4Cidr } from './ipv4.js';

export interface PortRange {
  first: number;
  last: number;
}

export interface ClusterConfig {
  /** Pod addresses of the whole cluster (--cluster-cidr). */
  clusterCidr: string;
  /** Prefix length of each node's pod subnet (--node-cidr-mask-size). */
  nodeCidrMaskSize: number;
  /** ClusterIP addresses (--service-cidr). */
  serviceCidr: string;
  /** The `kubernetes` Service's ClusterIP: the service CIDR's first address. */
  kubernetesServiceIp: string;
  /** kube-dns's ClusterIP, the nameserver pods get (--cluster-dns; default: the service CIDR's 10th address). */
  clusterDnsIp: string;
  /** DNS domain of Services and pods (--cluster-domain). */
  clusterDomain: string;
  /** NodePort range (--service-node-port-range). */
  nodePortRange: PortRange;
}

/** What flags may set; the rest is derived. */
export type ClusterConfigInput = Partial<Omit<ClusterConfig, 'kubernetesServiceIp'>>;

export const CLUSTER_CONFIG_NAMESPACE = 'kube-system';
export const CLUSTER_CONFIG_NAME = 'podnet-config';
export const CLUSTER_CONFIG_REF = `${CLUSTER_CONFIG_NAMESPACE}/${CLUSTER_CONFIG_NAME}`;

/** The cluster DNS address's offset in the service CIDR (10.96.0.10 in 10.96.0.0/12), as kubeadm picks it. */
const DNS_OFFSET = 10;

export const DEFAULT_CLUSTER_CONFIG: ClusterConfig = {
  clusterCidr: '10.244.0.0/16',
  nodeCidrMaskSize: 24,
  serviceCidr: '10.96.0.0/12',
  kubernetesServiceIp: '10.96.0.1',
  clusterDnsIp: '10.96.0.10',
  clusterDomain: 'cluster.local',
  nodePortRange: { first: 30000, last: 32767 },
};

/** Each field's flag, for messages that tell the user what to change. */
const CLUSTER_CONFIG_FLAGS: Record<keyof ClusterConfigInput, string> = {
  clusterCidr: '--cluster-cidr',
  nodeCidrMaskSize: '--node-cidr-mask-size',
  serviceCidr: '--service-cidr',
  clusterDnsIp: '--cluster-dns',
  clusterDomain: '--cluster-domain',
  nodePortRange: '--service-node-port-range',
};

const DOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** "30000-32767" -> {first, last}; throws with the flag's name on anything else. */
export function parsePortRange(text: string): PortRange {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const first = Number(m?.[1]),
    last = Number(m?.[2]);
  if (!m || first < 1 || last > 65535 || first > last)
    throw new Error(`--service-node-port-range "${text}" is not FIRST-LAST within 1-65535 (e.g. 30000-32767)`);
  return { first, last };
}

export const formatPortRange = (r: PortRange): string => `${r.first}-${r.last}`;

/** "10.96.0.0/12" in canonical form (the address masked to the network). */
function canonical(cidr: string, flag: string): string {
  let p;
  try {
    p = parseIpv4Cidr(cidr);
  } catch {
    throw new Error(`${flag} "${cidr}" is not an IPv4 CIDR such as ${flagExample(flag)}`);
  }
  return `${numberToIpv4(p.base)}/${p.prefix}`;
}

const flagExample = (flag: string) =>
  flag === '--service-cidr' ? DEFAULT_CLUSTER_CONFIG.serviceCidr : DEFAULT_CLUSTER_CONFIG.clusterCidr;

const overlaps = (a: { base: number; size: number }, b: { base: number; size: number }) =>
  a.base < b.base + b.size && b.base < a.base + a.size;

/**
 * The whole shape from what the flags set over `base` (default: the
 * defaults), derived addresses recomputed. Throws one message per problem,
 * naming the flag.
 */
export function resolveClusterConfig(input: ClusterConfigInput, base = DEFAULT_CLUSTER_CONFIG): ClusterConfig {
  const clusterCidr = canonical(input.clusterCidr ?? base.clusterCidr, '--cluster-cidr');
  const serviceCidr = canonical(input.serviceCidr ?? base.serviceCidr, '--service-cidr');
  const pods = parseIpv4Cidr(clusterCidr),
    svcs = parseIpv4Cidr(serviceCidr);
  const problems: string[] = [];
  if (overlaps(pods, svcs)) problems.push(`--cluster-cidr ${clusterCidr} and --service-cidr ${serviceCidr} overlap`);
  if (svcs.prefix < 8 || svcs.prefix > 28)
    problems.push(`--service-cidr ${serviceCidr}: the prefix length must be 8 to 28 (e.g. /12 or /16)`);
  const nodeCidrMaskSize = input.nodeCidrMaskSize ?? base.nodeCidrMaskSize;
  if (!Number.isInteger(nodeCidrMaskSize) || nodeCidrMaskSize < pods.prefix || nodeCidrMaskSize > 30)
    problems.push(
      `--node-cidr-mask-size ${nodeCidrMaskSize} must be between the cluster CIDR's prefix (/${pods.prefix}) and 30`,
    );
  else if (nodeCidrMaskSize - pods.prefix > 20)
    problems.push(`--cluster-cidr ${clusterCidr} holds more than 2^20 /${nodeCidrMaskSize} node subnets`);
  const kubernetesServiceIp = numberToIpv4(svcs.base + 1);
  // The DNS address follows the service CIDR unless it was given: a new --service-cidr moves it along.
  const dnsInput = input.clusterDnsIp ?? (input.serviceCidr === undefined ? base.clusterDnsIp : undefined);
  const clusterDnsIp = dnsInput ?? numberToIpv4(svcs.base + DNS_OFFSET);
  const dns = ipv4ToNumber(clusterDnsIp);
  if (dns === undefined) problems.push(`--cluster-dns "${clusterDnsIp}" is not an IPv4 address`);
  else if (dns <= svcs.base + 1 || dns >= svcs.base + svcs.size - 1)
    problems.push(
      `--cluster-dns ${clusterDnsIp} must be inside --service-cidr ${serviceCidr}, not its network, broadcast or kubernetes (${kubernetesServiceIp}) address`,
    );
  const clusterDomain = (input.clusterDomain ?? base.clusterDomain).toLowerCase().replace(/\.$/, '');
  if (!DOMAIN.test(clusterDomain))
    problems.push(`--cluster-domain "${clusterDomain}" is not a DNS domain such as cluster.local`);
  const nodePortRange = input.nodePortRange ?? base.nodePortRange;
  if (nodePortRange.first < 1 || nodePortRange.last > 65535 || nodePortRange.first > nodePortRange.last)
    problems.push(`--service-node-port-range ${formatPortRange(nodePortRange)} is not a range within 1-65535`);
  if (problems.length) throw new Error(problems.join('; '));
  return {
    clusterCidr,
    nodeCidrMaskSize,
    serviceCidr,
    kubernetesServiceIp,
    clusterDnsIp,
    clusterDomain,
    nodePortRange: { ...nodePortRange },
  };
}

/** ConfigMap keys, named after the kube flags and config fields they mirror. */
const KEYS = {
  clusterCidr: 'clusterCIDR',
  nodeCidrMaskSize: 'nodeCIDRMaskSize',
  serviceCidr: 'serviceCIDR',
  kubernetesServiceIp: 'kubernetesServiceIP',
  clusterDnsIp: 'clusterDNS',
  clusterDomain: 'clusterDomain',
  nodePortRange: 'serviceNodePortRange',
} as const satisfies Record<keyof ClusterConfig, string>;

/** The ConfigMap's data: one plain key per field, readable with `kubectl get cm -o yaml` and no parser. */
export function clusterConfigData(c: ClusterConfig): Record<string, string> {
  return {
    [KEYS.clusterCidr]: c.clusterCidr,
    [KEYS.nodeCidrMaskSize]: String(c.nodeCidrMaskSize),
    [KEYS.serviceCidr]: c.serviceCidr,
    [KEYS.kubernetesServiceIp]: c.kubernetesServiceIp,
    [KEYS.clusterDnsIp]: c.clusterDnsIp,
    [KEYS.clusterDomain]: c.clusterDomain,
    [KEYS.nodePortRange]: formatPortRange(c.nodePortRange),
  };
}

/** The ConfigMap object the API server keeps. */
export function clusterConfigMap(c: ClusterConfig): {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  data: Record<string, string>;
} {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: CLUSTER_CONFIG_NAME,
      namespace: CLUSTER_CONFIG_NAMESPACE,
      labels: { 'app.kubernetes.io/managed-by': 'podnet-apiserver' },
    },
    data: clusterConfigData(c),
  };
}

/** Reads the ConfigMap's data back; throws naming the key that is missing or wrong. */
export function clusterConfigFromData(data: Record<string, string> | undefined): ClusterConfig {
  const get = (k: string): string => {
    const v = data?.[k];
    if (v === undefined) throw new Error(`ConfigMap ${CLUSTER_CONFIG_REF} has no "${k}"`);
    return v;
  };
  try {
    const c = resolveClusterConfig({
      clusterCidr: get(KEYS.clusterCidr),
      nodeCidrMaskSize: Number(get(KEYS.nodeCidrMaskSize)),
      serviceCidr: get(KEYS.serviceCidr),
      clusterDnsIp: get(KEYS.clusterDnsIp),
      clusterDomain: get(KEYS.clusterDomain),
      nodePortRange: parsePortRange(get(KEYS.nodePortRange)),
    });
    if (get(KEYS.kubernetesServiceIp) !== c.kubernetesServiceIp)
      throw new Error(`${KEYS.kubernetesServiceIp} is not the first address of ${c.serviceCidr}`);
    return c;
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith('ConfigMap') ? msg : `ConfigMap ${CLUSTER_CONFIG_REF}: ${msg}`, { cause: e });
  }
}

/**
 * Where a component's flags say something else than the cluster: one
 * "--flag X (the cluster has Y)" per field; empty when they agree (fields
 * not given always agree).
 */
export function clusterConfigConflicts(cluster: ClusterConfig, flags: ClusterConfigInput): string[] {
  const out: string[] = [];
  const differ = (k: keyof ClusterConfigInput, given: string | undefined, have: string) => {
    if (given !== undefined && given !== have)
      out.push(`${CLUSTER_CONFIG_FLAGS[k]} ${given} (the cluster has ${have})`);
  };
  const cidr = (c: string | undefined, flag: string) => (c === undefined ? undefined : canonical(c, flag));
  differ('clusterCidr', cidr(flags.clusterCidr, '--cluster-cidr'), cluster.clusterCidr);
  differ(
    'nodeCidrMaskSize',
    flags.nodeCidrMaskSize === undefined ? undefined : String(flags.nodeCidrMaskSize),
    String(cluster.nodeCidrMaskSize),
  );
  differ('serviceCidr', cidr(flags.serviceCidr, '--service-cidr'), cluster.serviceCidr);
  differ('clusterDnsIp', flags.clusterDnsIp, cluster.clusterDnsIp);
  differ('clusterDomain', flags.clusterDomain?.toLowerCase().replace(/\.$/, ''), cluster.clusterDomain);
  differ(
    'nodePortRange',
    flags.nodePortRange && formatPortRange(flags.nodePortRange),
    formatPortRange(cluster.nodePortRange),
  );
  return out;
}

/** The one error a component gives when its flags disagree with the cluster. */
export function conflictError(component: string | undefined, conflicts: string[]): Error {
  return new Error(
    `${component ? `${component}: ` : ''}${conflicts.join('; ')}. The cluster's shape is kept in ConfigMap ${CLUSTER_CONFIG_REF} (see "kubectl -n ${CLUSTER_CONFIG_NAMESPACE} get configmap ${CLUSTER_CONFIG_NAME} -o yaml"); drop the flag or make it match`,
  );
}

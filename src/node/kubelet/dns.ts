/**
 * The pod's /etc/resolv.conf, as the kubelet's DNS configurer composes it
 * (pkg/kubelet/network/dns) and a CRI runtime then writes it.
 */
import { podNamespace, type Pod } from './types.js';

/** Limits the API server validates and the kubelet enforces (ExpandedDNSConfig, GA since 1.28). */
export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
/** Longer search domains make some resolvers (glibc 2.28) abort, so they are dropped. */
const MAX_SEARCH_DOMAIN_LENGTH = 253;
const DEFAULT_CLUSTER_OPTIONS = ['ndots:5'];

export interface NodeDNS {
  /** Text of the node's resolv.conf (the kubelet's --resolv-conf). */
  hostResolvConf: string;
  /** Cluster DNS service IPs (the kubelet's --cluster-dns). */
  clusterDns: string[];
  /** e.g. 'cluster.local' (the kubelet's --cluster-domain). */
  clusterDomain: string;
}

export interface PodDNS {
  nameservers: string[];
  searches: string[];
  options: string[];
  /** What the kubelet would report as DNSConfigForming/MissingClusterDNS warning events. */
  warnings: string[];
}

export interface ParsedResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/** Parses resolv.conf the way the kubelet does: nameservers accumulate, the last search/options line wins. */
export function parseResolvConf(text: string): ParsedResolvConf {
  const out: ParsedResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    const fields = line.split(/\s+/).filter(Boolean);
    if (fields.length === 0) continue;
    if (fields[0] === 'nameserver' && fields[1]) out.nameservers.push(fields[1]);
    // Normalized so "a.com" and "a.com." count once against the search limits.
    if (fields[0] === 'search') out.searches = fields.slice(1).map((s) => s.replace(/\.$/, ''));
    if (fields[0] === 'options') out.options = fields.slice(1);
  }
  return out;
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

type DNSType = 'cluster' | 'host' | 'none';

function dnsType(pod: Pod): DNSType {
  switch (pod.spec.dnsPolicy ?? 'ClusterFirst') {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    // A hostNetwork pod shares the node's resolver unless it asks for ClusterFirstWithHostNet.
    case 'ClusterFirst':
      return pod.spec.hostNetwork ? 'host' : 'cluster';
    case 'Default':
      return 'host';
    // The API server rejects other policies; the kubelet falls back to ClusterFirst.
    default:
      return 'cluster';
  }
}

/** Options merge by name; dnsConfig entries override the base ones in place, new ones are appended. */
function mergeOptions(base: string[], extra: { name: string; value?: string }[]): string[] {
  const merged = new Map<string, string>();
  for (const op of base) {
    const i = op.indexOf(':');
    if (i >= 0) merged.set(op.slice(0, i), op.slice(i + 1));
    else merged.set(op, '');
  }
  for (const op of extra) merged.set(op.name, op.value ?? '');
  return [...merged].map(([name, value]) => (value ? `${name}:${value}` : name));
}

function fitSearches(searches: string[], warnings: string[]): string[] {
  let exceeded = false;
  let out = searches;
  if (out.length > MAX_DNS_SEARCH_PATHS) {
    out = out.slice(0, MAX_DNS_SEARCH_PATHS);
    exceeded = true;
  }
  const short = out.filter((s) => s.length <= MAX_SEARCH_DOMAIN_LENGTH);
  if (short.length !== out.length) {
    out = short;
    exceeded = true;
  }
  // Drop whole domains from the end until the joined line fits.
  while (out.length > 0 && out.join(' ').length > MAX_DNS_SEARCH_LIST_CHARS) {
    out = out.slice(0, -1);
    exceeded = true;
  }
  if (exceeded)
    warnings.push(
      `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}`,
    );
  return out;
}

function fitNameservers(servers: string[], warnings: string[]): string[] {
  if (servers.length <= MAX_DNS_NAMESERVERS) return servers;
  const out = servers.slice(0, MAX_DNS_NAMESERVERS);
  warnings.push(
    `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${out.join(' ')}`,
  );
  return out;
}

/** The DNS settings a pod gets per its dnsPolicy and dnsConfig, after the kubelet's limits. */
export function podDNSConfig(pod: Pod, node: NodeDNS): PodDNS {
  const host = parseResolvConf(node.hostResolvConf);
  const warnings: string[] = [];
  let { nameservers, searches, options } = host;
  let type = dnsType(pod);
  if (type === 'cluster' && node.clusterDns.length === 0) {
    warnings.push(
      `kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`,
    );
    type = 'host';
  }
  if (type === 'none') {
    nameservers = [];
    searches = [];
    options = [];
  } else if (type === 'cluster') {
    // The cluster DNS server is the only nameserver; it forwards what it cannot answer.
    nameservers = [...node.clusterDns];
    if (node.clusterDomain) {
      const d = node.clusterDomain;
      searches = unique([`${podNamespace(pod)}.svc.${d}`, `svc.${d}`, d, ...host.searches]);
    }
    options = [...DEFAULT_CLUSTER_OPTIONS];
  }
  const extra = pod.spec.dnsConfig;
  if (extra) {
    nameservers = unique([...nameservers, ...(extra.nameservers ?? [])]);
    searches = unique([...searches, ...(extra.searches ?? [])]);
    options = mergeOptions(options, extra.options ?? []);
  }
  return {
    nameservers: fitNameservers(nameservers, warnings),
    searches: fitSearches(searches, warnings),
    options,
    warnings,
  };
}

/** Formats DNS settings as a CRI runtime (containerd) writes them: search, nameservers, options. */
export function formatResolvConf(dns: Pick<PodDNS, 'nameservers' | 'searches' | 'options'>): string {
  let out = '';
  if (dns.searches.length > 0) out += `search ${dns.searches.join(' ')}\n`;
  for (const ns of dns.nameservers) out += `nameserver ${ns}\n`;
  if (dns.options.length > 0) out += `options ${dns.options.join(' ')}\n`;
  return out;
}

/** Full text of the pod's /etc/resolv.conf. */
export function renderResolvConf(pod: Pod, node: NodeDNS): string {
  return formatResolvConf(podDNSConfig(pod, node));
}

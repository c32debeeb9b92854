/**
 * The pod's hostname and its kubelet-managed /etc/hosts
 * (GeneratePodHostNameAndDomain, managedHostsFileContent, nodeHostsFileContent).
 */
import { podNamespace, type Pod } from './types.js';

/** A hostname is 64 bytes including the terminating NUL. */
const HOSTNAME_MAX = 63;
/** The kernel's nodename limit, which bounds setHostnameAsFQDN. */
const KERNEL_NODENAME_MAX = 64;

export interface PodHostname {
  /** Short hostname: spec.hostname or the pod name, truncated to 63 characters. */
  hostname: string;
  /** <hostname>.<subdomain>.<ns>.svc.<domain> when spec.subdomain is set. */
  fqdn?: string;
  /** What the UTS namespace gets: the FQDN with setHostnameAsFQDN, else the short hostname. */
  kernelHostname: string;
}

/**
 * Throws when setHostnameAsFQDN asks for an FQDN longer than the kernel allows
 * (the API server cannot check this: it does not know the cluster domain).
 */
export function podHostname(pod: Pod, clusterDomain: string): PodHostname {
  const podName = pod.metadata.name ?? '';
  let hostname = pod.spec.hostname || podName;
  if (hostname.length > HOSTNAME_MAX) {
    // Truncated names must not end in '-' or '.', which would make them invalid labels.
    hostname = hostname.slice(0, HOSTNAME_MAX).replace(/[-.]+$/, '');
    if (!hostname)
      throw new Error(
        `hostname for pod "${podName}" is invalid: nothing is left after truncating it to ${HOSTNAME_MAX} characters`,
      );
  }
  const sub = pod.spec.subdomain;
  const fqdn = sub ? `${hostname}.${sub}.${podNamespace(pod)}.svc.${clusterDomain}` : undefined;
  let kernelHostname = hostname;
  if (pod.spec.setHostnameAsFQDN && fqdn) {
    if (fqdn.length > KERNEL_NODENAME_MAX) {
      throw new Error(
        `failed to construct FQDN from pod hostname and cluster domain, FQDN ${fqdn} is too long (${KERNEL_NODENAME_MAX} characters is the max, ${fqdn.length} characters requested); shorten spec.hostname/spec.subdomain or unset setHostnameAsFQDN`,
      );
    }
    kernelHostname = fqdn;
  }
  return fqdn ? { hostname, fqdn, kernelHostname } : { hostname, kernelHostname };
}

const MANAGED_HOSTS_HEADER = '# Kubernetes-managed hosts file.\n';
const MANAGED_HOSTS_HEADER_HOST_NETWORK = '# Kubernetes-managed hosts file (host network).\n';

function hostAliasEntries(pod: Pod): string {
  const aliases = pod.spec.hostAliases ?? [];
  if (aliases.length === 0) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of aliases) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  return out;
}

export interface HostsOptions {
  clusterDomain: string;
  /** Text of the node's /etc/hosts; required for hostNetwork pods, which see the node's file. */
  nodeHosts?: string;
}

/** Full text of the pod's /etc/hosts for its IPs (primary first). */
export function renderHosts(pod: Pod, podIps: string | string[], opts: HostsOptions): string {
  if (pod.spec.hostNetwork) {
    if (opts.nodeHosts === undefined) {
      throw new Error(
        `pod ${podNamespace(pod)}/${pod.metadata.name} uses the host network, so its /etc/hosts is the node's: pass the node's /etc/hosts text as nodeHosts`,
      );
    }
    return MANAGED_HOSTS_HEADER_HOST_NETWORK + opts.nodeHosts + hostAliasEntries(pod);
  }
  const { hostname, fqdn } = podHostname(pod, opts.clusterDomain);
  let out =
    MANAGED_HOSTS_HEADER +
    '127.0.0.1\tlocalhost\n' +
    '::1\tlocalhost ip6-localhost ip6-loopback\n' +
    'fe00::0\tip6-localnet\n' +
    'fe00::0\tip6-mcastprefix\n' +
    'fe00::1\tip6-allnodes\n' +
    'fe00::2\tip6-allrouters\n';
  for (const ip of typeof podIps === 'string' ? [podIps] : podIps) {
    out += fqdn ? `${ip}\t${fqdn}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  }
  return out + hostAliasEntries(pod);
}

/** The flags that set the cluster's shape, shared by `podnet apiserver` and `podnet up`. */
import { parsePortRange, type ClusterConfigInput } from '../api/cluster-config.js';
import { CliError } from './errors.js';

type ClusterFlag =
  | 'cluster-cidr'
  | 'node-cidr-mask-size'
  | 'service-cidr'
  | 'cluster-dns'
  | 'cluster-domain'
  | 'service-node-port-range';

type ClusterFlagValues = Partial<Record<ClusterFlag, string>>;

/** Only the flags given: the rest comes from the cluster (or the defaults at its first start). */
export function clusterFlagsFrom(v: ClusterFlagValues): ClusterConfigInput {
  const out: ClusterConfigInput = {};
  if (v['cluster-cidr'] !== undefined) out.clusterCidr = v['cluster-cidr'];
  if (v['node-cidr-mask-size'] !== undefined) {
    const n = Number(v['node-cidr-mask-size']);
    if (!/^\d+$/.test(v['node-cidr-mask-size']))
      throw new CliError(`--node-cidr-mask-size ${v['node-cidr-mask-size']}: expected a prefix length such as 24`);
    out.nodeCidrMaskSize = n;
  }
  if (v['service-cidr'] !== undefined) out.serviceCidr = v['service-cidr'];
  if (v['cluster-dns'] !== undefined) out.clusterDnsIp = v['cluster-dns'];
  if (v['cluster-domain'] !== undefined) out.clusterDomain = v['cluster-domain'];
  if (v['service-node-port-range'] !== undefined) {
    try {
      out.nodePortRange = parsePortRange(v['service-node-port-range']);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  return out;
}

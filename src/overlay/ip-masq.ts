/**
 * flannel's ip-masq: a pod's traffic to an address outside the cluster
 * network leaves its node with the node's address (masquerade), so the
 * API server behind the kubernetes Service and any other host can answer a
 * pod they have no route to. Pod-to-pod traffic (the destination inside the
 * cluster CIDR, also after a Service's DNAT) keeps its pod source address,
 * and so does traffic to the cluster's nodes, which route to every pod
 * themselves: a host-network pod such as cluster DNS sees which pod asked
 * (its namespace scopes business names). Multicast is left alone. The rules live in their own table, `ip
 * podnet-masq`, replaced whole in one nft transaction.
 */
import { runOk } from '../host/exec.js';
import type { HostTarget } from './types.js';

const IP_MASQ_TABLE = 'podnet-masq';

/**
 * The table's text for `nft -f` (pure): create-if-missing, delete, create,
 * so a re-apply converges in one transaction. nodeIps: the nodes' own
 * addresses, sorted (the caller compares texts to skip unchanged applies).
 */
export function ipMasqRuleset(clusterCidr: string, nodeIps: readonly string[] = []): string {
  return [
    `table ip ${IP_MASQ_TABLE} {}`,
    `delete table ip ${IP_MASQ_TABLE}`,
    `table ip ${IP_MASQ_TABLE} {`,
    '  chain postrouting {',
    // After the service proxy's own masquerade (srcnat): a connection NATed there is not NATed again.
    '    type nat hook postrouting priority srcnat + 10; policy accept;',
    `    ip saddr ${clusterCidr} ip daddr ${clusterCidr} return`,
    ...(nodeIps.length ? [`    ip saddr ${clusterCidr} ip daddr { ${nodeIps.join(', ')} } return`] : []),
    `    ip saddr ${clusterCidr} ip daddr != 224.0.0.0/4 masquerade fully-random`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function applyIpMasq(target: HostTarget, ruleset: string): Promise<void> {
  await runOk(['nft', '-f', '-'], { netns: target.netns, input: ruleset });
}

export async function removeIpMasq(target: HostTarget): Promise<void> {
  await runOk(['nft', '-f', '-'], {
    netns: target.netns,
    input: `table ip ${IP_MASQ_TABLE} {}\ndelete table ip ${IP_MASQ_TABLE}\n`,
  });
}

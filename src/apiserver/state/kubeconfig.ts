/** DIR/kubeconfig for kubectl and for podnet's own components. */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

/**
 * The name of a cluster's cluster, user and context entries in a
 * kubeconfig: podnet-<name>, or podnet for the cluster without a name (as
 * kind names them kind-<name>), so contexts of two clusters merged into one
 * file never collide.
 */
export const kubeconfigName = (clusterName: string | undefined): string =>
  clusterName ? `podnet-${clusterName}` : 'podnet';

/** The kubeconfig cluster extension listing every API server, for podnet's clients to fail over along (kubectl ignores it). */
const APISERVERS_EXTENSION = 'podnet.io/apiservers';

export function kubeconfigYaml(opts: {
  server: string;
  /** Every API server of the cluster (server among them); written when there is more than one. */
  servers?: string[];
  caCertPem?: string;
  token: string;
  name: string;
}): string {
  const clusterEntry: Record<string, unknown> = { server: opts.server };
  if (opts.caCertPem) clusterEntry['certificate-authority-data'] = Buffer.from(opts.caCertPem).toString('base64');
  if (opts.servers && opts.servers.length > 1)
    clusterEntry.extensions = [{ name: APISERVERS_EXTENSION, extension: { servers: opts.servers } }];
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: opts.name, cluster: clusterEntry }],
    users: [{ name: opts.name, user: { token: opts.token } }],
    contexts: [{ name: opts.name, context: { cluster: opts.name, user: opts.name } }],
    'current-context': opts.name,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, opts: Parameters<typeof kubeconfigYaml>[0]): void {
  writeFileSync(path, kubeconfigYaml(opts), { mode: 0o600 });
}

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

/** How a kubeconfig's user authenticates: a bearer token, or a client certificate and its key. */
type Credentials = { token: string } | { clientCert: { certPem: string; keyPem: string } };

export function kubeconfigYaml(
  opts: {
    server: string;
    /** Every API server of the cluster (server among them); written when there is more than one. */
    servers?: string[];
    caCertPem?: string;
    /** The cluster entry's name; also the user's and the context's unless userName is given. */
    name: string;
    /** The user and context entries' name (e.g. alice@podnet-dev), when not the cluster's. */
    userName?: string;
  } & Credentials,
): string {
  const clusterEntry: Record<string, unknown> = { server: opts.server };
  if (opts.caCertPem) clusterEntry['certificate-authority-data'] = Buffer.from(opts.caCertPem).toString('base64');
  if (opts.servers && opts.servers.length > 1)
    clusterEntry.extensions = [{ name: APISERVERS_EXTENSION, extension: { servers: opts.servers } }];
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  const user =
    'token' in opts
      ? { token: opts.token }
      : { 'client-certificate-data': b64(opts.clientCert.certPem), 'client-key-data': b64(opts.clientCert.keyPem) };
  const userName = opts.userName ?? opts.name;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: opts.name, cluster: clusterEntry }],
    users: [{ name: userName, user }],
    contexts: [{ name: userName, context: { cluster: opts.name, user: userName } }],
    'current-context': userName,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, opts: Parameters<typeof kubeconfigYaml>[0]): void {
  writeFileSync(path, kubeconfigYaml(opts), { mode: 0o600 });
}

/** DIR/kubeconfig for kubectl and for podnet's own components. */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export function kubeconfigYaml(opts: {
  server: string;
  caCertPem?: string;
  token: string;
  user?: string;
  cluster?: string;
}): string {
  const cluster = opts.cluster ?? 'podnet';
  const user = opts.user ?? 'admin';
  const clusterEntry: Record<string, unknown> = { server: opts.server };
  if (opts.caCertPem) clusterEntry['certificate-authority-data'] = Buffer.from(opts.caCertPem).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: clusterEntry }],
    users: [{ name: user, user: { token: opts.token } }],
    contexts: [{ name: cluster, context: { cluster, user } }],
    'current-context': cluster,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, opts: Parameters<typeof kubeconfigYaml>[0]): void {
  writeFileSync(path, kubeconfigYaml(opts), { mode: 0o600 });
}

/**
 * `podnet user-kubeconfig USER [--group G,...] [--days N]`: a kubeconfig
 * whose user is a client certificate signed by the cluster CA (CN = USER,
 * O = each group), as `kubeadm kubeconfig user` makes one. Minted where the
 * CA's key is; the certificate lives only in the kubeconfig written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { kubeconfigYaml } from '../apiserver/state/kubeconfig.js';
import { issueUserCert } from '../apiserver/state/pki.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { userKubeconfig } from './commands.js';
import { CliError } from './errors.js';
import { parseCommand } from './spec.js';
import { stateDir } from './state-dir.js';

const MAX_DAYS = 3650;

export function runUserKubeconfig(args: string[]): number {
  const { values, positionals } = parseCommand(userKubeconfig, args);
  const user = checkedName(positionals[0]!, 'USER');
  const groups = (values.group ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean)
    .map((g) => checkedName(g, '--group'));
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS)
    throw new CliError(`--days ${values.days}: a whole number of days from 1 to ${MAX_DAYS}`);
  const dir = stateDir(values.state);
  const pki = join(dir, 'pki');
  const adminKubeconfig = join(dir, 'kubeconfig');
  if (!existsSync(join(pki, 'ca.key')) || !existsSync(adminKubeconfig))
    throw new CliError(
      `no cluster CA or kubeconfig in ${dir}; pass the --state of "podnet apiserver" or "podnet up" (the CA's key must be on this machine)`,
    );
  const cluster = loadKubeconfig(adminKubeconfig);
  const clusterName = currentContext(adminKubeconfig);
  const yaml = kubeconfigYaml({
    server: cluster.server,
    ...(cluster.servers ? { servers: cluster.servers } : {}),
    ...(cluster.caCertPem ? { caCertPem: cluster.caCertPem } : {}),
    name: clusterName,
    userName: `${user}@${clusterName}`,
    clientCert: issueUserCert(pki, { name: user, groups, days }),
  });
  if (values.out === undefined) process.stdout.write(yaml);
  else {
    writeFileSync(values.out, yaml, { mode: 0o600 });
    process.stderr.write(
      `${values.out}: user "${user}"${groups.length ? ` in ${groups.join(', ')}` : ''}, valid ${days} days; it may do nothing until RBAC grants it (kubectl create rolebinding ... --user=${user})\n`,
    );
  }
  return 0;
}

/** User and group names go into a certificate subject and RBAC subjects: printable, no commas or slashes. */
function checkedName(name: string, what: string): string {
  if (!/^[^\s,/\\\p{Cc}]{1,253}$/u.test(name))
    throw new CliError(`${what} "${name}": up to 253 printable characters, without spaces, commas or slashes`);
  return name;
}

function currentContext(path: string): string {
  const doc = parse(readFileSync(path, 'utf8')) as { 'current-context'?: unknown } | null;
  const name = doc?.['current-context'];
  if (typeof name !== 'string' || !name) throw new CliError(`${path} has no current-context`);
  return name;
}

/** `podnet up`: a multi-node cluster on this machine, each node a network namespace. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { kubeconfigName } from '../apiserver/state/kubeconfig.js';
import { bringUp } from '../cluster/bring-up.js';
import { defaultKubeconfigTarget } from '../cluster/kubeconfig-merge.js';
import { apiserverPorts, type Backend, type ProxyMode, type StoreKind } from '../cluster/layout.js';
import { acquireLock } from '../cluster/lock.js';
import { kubeconfigPath } from '../cluster/paths.js';
import { resolveClusterConfig } from '../api/cluster-config.js';
import { clusterFlagsFrom } from './cluster-flags.js';
import { up } from './commands.js';
import { parseCommand } from './spec.js';
import { CliError } from './errors.js';
import { stateDir } from './state-dir.js';

export async function runUp(args: string[]): Promise<number> {
  const { values } = parseCommand(up, args);
  const nodes = values.nodes === undefined ? undefined : Number(values.nodes);
  if (nodes !== undefined && !(Number.isInteger(nodes) && nodes >= 1))
    throw new CliError(`--nodes must be a whole number of at least 1, got "${values.nodes}"`);
  const apiservers = values.apiservers === undefined ? undefined : Number(values.apiservers);
  if (apiservers !== undefined && !(Number.isInteger(apiservers) && apiservers >= 1))
    throw new CliError(`--apiservers must be a whole number of at least 1, got "${values.apiservers}"`);
  const proxyMode = values['proxy-mode'];
  const dnsUpstream = values['dns-upstream']
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const u of dnsUpstream ?? []) {
    if (!/^(host|\d{1,3}(\.\d{1,3}){3})(:\d{1,5})?$/.test(u))
      throw new CliError(
        `--dns-upstream: "${u}" is not IP[:PORT] or host[:PORT] (this machine's address on the cluster bridge)`,
      );
  }
  const cluster = clusterFlagsFrom(values);
  try {
    resolveClusterConfig(cluster);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  // PODNET_RUNTIME stands in for --runtime (whole test suites switch runtime this way).
  const runtime = values.runtime ?? process.env['PODNET_RUNTIME'];
  if (runtime !== undefined && runtime !== 'runc' && runtime !== 'process')
    throw new CliError(`PODNET_RUNTIME must be runc or process, got "${runtime}"`);
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new CliError(`--timeout is in seconds and must be positive, got "${values.timeout}"`);
  if (process.getuid?.() !== 0) throw new CliError('it creates network namespaces, links and mounts: run it as root');
  // The agent is `podnet node`; without it no node can ever become Ready.
  if (!existsSync(fileURLToPath(new URL('./node.js', import.meta.url)))) {
    throw new CliError(
      'this build has no node agent (dist/cli/node.js is missing): build the whole tree with "npm run build" first',
    );
  }

  const dir = stateDir(values.state);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let release: () => void;
  try {
    release = acquireLock(dir);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  try {
    const layout = await bringUp({
      stateDir: dir,
      nodes,
      name: values.name,
      backend: values.backend as Backend | undefined,
      proxyMode: proxyMode as ProxyMode | undefined,
      runtime,
      store: values.store as StoreKind | undefined,
      apiservers,
      dnsUpstream,
      cluster,
      log: {
        ...(values.verbose ? { level: 'debug' } : values['log-level'] ? { level: values['log-level'] } : {}),
        ...(values['log-format'] ? { format: values['log-format'] } : {}),
      },
      mergeKubeconfig: values['merge-kubeconfig'] ? defaultKubeconfigTarget() : undefined,
      timeoutMs: timeout * 1000,
      say,
    });
    const kc = kubeconfigPath(dir);
    const first = layout.nodes[0]!.name;
    const stateFlag = values.state === undefined ? '' : ` --state ${dir}`;
    say(`
cluster is up: ${layout.nodes.length} node(s) Ready, API server ${apiserverPorts(layout)
      .map((p) => `https://${layout.hostIp}:${p}`)
      .join(
        ' ',
      )}${layout.store === 'etcd' ? `, etcd ${(layout.controlPlanes ?? []).map((c) => `${c.ip}:2379`).join(' ')}` : ''}
kubeconfig: ${kc} (context ${kubeconfigName(layout.name)}${layout.mergedKubeconfig ? `, also current in ${layout.mergedKubeconfig}` : ''})
console: http://${layout.hostIp}:${layout.consolePort}/ (log in with a token, e.g. the admin token:
         ${layout.mergedKubeconfig ? 'kubectl' : `podnet kubectl${stateFlag}`} config view --raw --minify -o jsonpath='{.users[0].user.token}')
router: http://${layout.nodes[0]!.ip}/ and https://${layout.nodes[0]!.ip}/ (every node's port 80 and 443; apps by Ingress
        or the podnet.io/routes Service annotation)

Next steps:
  ${layout.mergedKubeconfig ? `kubectl config current-context                    # ${kubeconfigName(layout.name)}` : `export KUBECONFIG=${kc}`}
  kubectl get nodes -o wide
  kubectl get pods -o wide                          # once you run some
  podnet node-exec ${first}${stateFlag} -- ping -c 3 <pod ip>
  podnet node-exec ${first}${stateFlag}               # a shell on the node
  podnet down${stateFlag}                                  # stop everything (add --purge to forget the data)
`);
    return 0;
  } catch (e) {
    if (e instanceof CliError) throw e;
    process.stderr.write(`podnet up: ${(e as Error).message}\n`);
    return 1;
  } finally {
    release();
  }
}

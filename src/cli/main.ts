/** `podnet <command>`: the one entry point. Each command lives in its own file. */
import { runApiserver } from './apiserver.js';
import { runKubectl } from './kubectl.js';
import { NODE_USAGE, runNode } from './node.js';
import { runNodeToken } from './node-token.js';
import { runUp } from './up.js';
import { runDown } from './down.js';
import { runNodeExec } from './node-exec.js';
import { runDoctor } from './doctor.js';
import { DNS_USAGE, runDns } from './dns.js';
import { CliError } from './errors.js';

const USAGE = `podnet: Kubernetes service networking you can run for real

Usage:
  podnet apiserver --state DIR [--listen ADDR:PORT] [--insecure-http]
                   [--service-cidr CIDR] [--cluster-cidr CIDR] [--advertise-address IP]
      Run the Kubernetes-compatible API server (HTTPS, token auth) with its
      controllers. Writes DIR/kubeconfig for kubectl.
  podnet kubectl [--state DIR] ARGS...
      Run this machine's kubectl against the cluster in DIR
      (default: $PODNET_STATE, else ~/.podnet).
${NODE_USAGE}  podnet node-token NODE [--state DIR]
      Print the bearer token node NODE joins with (minted on first use).
  podnet up [--nodes N] [--state DIR] [--backend vxlan|host-gw] [--proxy-mode nftables|iptables]
            [--name CLUSTER] [--timeout SECONDS]
            [--dns-upstream IP[:PORT],...]
      Start a cluster on this machine (root): the API server plus N nodes,
      each a network namespace on a host bridge, and wait until all are Ready.
      Rerun to restart what died or add nodes. Nodes are node1..N, or
      CLUSTER-node1..N with --name. Cluster DNS runs as two podnet dns
      replicas behind kube-dns (10.96.0.10); --dns-upstream sets where they
      forward other names ("host:PORT" = this machine on the cluster bridge).
${DNS_USAGE}  podnet down [--state DIR] [--purge]
      Stop the cluster and remove its processes, netns, links and mounts;
      --purge also deletes DIR.
  podnet node-exec NODE [--state DIR] [-- CMD ARGS...]
      Run a command (default: a shell) in a node's network namespace.
  podnet doctor
      Check kernel features and the programs podnet needs; print how to install them.
  podnet help
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'apiserver': return await runApiserver(rest);
      case 'kubectl': return await runKubectl(rest);
      case 'node': return await runNode(rest);
      case 'node-token': return runNodeToken(rest);
      case 'up': return await runUp(rest);
      case 'down': return await runDown(rest);
      case 'dns': return await runDns(rest);
      case 'node-exec': return await runNodeExec(rest);
      case 'doctor': return await runDoctor(rest);
      case undefined: case 'help': case '--help': case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        throw new CliError(`unknown command "${command}"; run "podnet help" to see the commands`);
    }
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`podnet: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

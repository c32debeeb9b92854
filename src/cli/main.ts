/** `podnet <command>`: the one entry point. Each command lives in its own file. */
import { runApiserver } from './apiserver.js';
import { runKubectl } from './kubectl.js';
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
  podnet help
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'apiserver': return await runApiserver(rest);
      case 'kubectl': return await runKubectl(rest);
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

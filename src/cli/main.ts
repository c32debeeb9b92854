/**
 * `podnet <command>`: the one entry point. Each command lives in its own
 * file and is loaded only when run, so a long-lived process (podnet dns)
 * does not carry every other command's modules (and their dependencies).
 */
import { CliError } from './errors.js';
import { USAGE } from './usage.js';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'apiserver':
        return await (await import('./apiserver.js')).runApiserver(rest);
      case 'kubectl':
        return await (await import('./kubectl.js')).runKubectl(rest);
      case 'node':
        return await (await import('./node.js')).runNode(rest);
      case 'node-token':
        return (await import('./node-token.js')).runNodeToken(rest);
      case 'node-cert':
        return (await import('./node-cert.js')).runNodeCert(rest);
      case 'up':
        return await (await import('./up.js')).runUp(rest);
      case 'down':
        return await (await import('./down.js')).runDown(rest);
      case 'dns':
        return await (await import('./dns.js')).runDns(rest);
      case 'router':
        return await (await import('./router.js')).runRouter(rest);
      case 'node-exec':
        return await (await import('./node-exec.js')).runNodeExec(rest);
      case 'doctor':
        return await (await import('./doctor.js')).runDoctor(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
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

/**
 * `podnet <command>`: the one entry point. Each command lives in its own
 * file and is loaded only when run, so a long-lived process (podnet dns)
 * does not carry every other command's modules (and their dependencies).
 * Help, --version and completion need only the command table.
 */
import { COMMANDS, findCommand } from './commands.js';
import { CliError } from './errors.js';
import { EXIT_STATUS_TEXT, renderHelp, table, wantsHelp } from './spec.js';

type Runner = (args: string[]) => Promise<number> | number;

const RUNNERS: Record<string, () => Promise<Runner>> = {
  apiserver: async () => (await import('./apiserver.js')).runApiserver,
  kubectl: async () => (await import('./kubectl.js')).runKubectl,
  node: async () => (await import('./node.js')).runNode,
  'node-token': async () => (await import('./node-token.js')).runNodeToken,
  'node-cert': async () => (await import('./node-cert.js')).runNodeCert,
  'user-kubeconfig': async () => (await import('./user-kubeconfig.js')).runUserKubeconfig,
  router: async () => (await import('./router.js')).runRouter,
  console: async () => (await import('./console.js')).runConsole,
  up: async () => (await import('./up.js')).runUp,
  down: async () => (await import('./down.js')).runDown,
  dns: async () => (await import('./dns.js')).runDns,
  'node-exec': async () => (await import('./node-exec.js')).runNodeExec,
  doctor: async () => (await import('./doctor.js')).runDoctor,
  completion: async () => (await import('./completion.js')).runCompletion,
  version: async () => (await import('./version.js')).runVersion,
};

function globalHelp(): string {
  return `podnet: Kubernetes service networking you can run for real

Usage:
  podnet COMMAND [flags]
  podnet COMMAND --help      a command's flags and their defaults

Commands:
${table(COMMANDS.map((c) => [c.name, c.summary]))}
Flags:
${table([
  ['-h, --help', 'this help'],
  ['    --version', "podnet's version"],
])}
${EXIT_STATUS_TEXT}`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      const topic = command === 'help' ? rest[0] : undefined;
      const spec = topic === undefined ? undefined : findCommand(topic);
      if (topic !== undefined && !spec)
        throw new CliError(`unknown command "${topic}"; run "podnet help" to see the commands`);
      process.stdout.write(spec ? renderHelp(spec) : globalHelp());
      return 0;
    }
    if (command === '--version') return await (await RUNNERS['version']!())(rest);
    const spec = findCommand(command);
    const load = RUNNERS[command];
    if (!spec || !load) {
      throw new CliError(
        command.startsWith('-')
          ? `unknown flag ${command}; run "podnet help" for usage`
          : `unknown command "${command}"; run "podnet help" to see the commands`,
      );
    }
    // kubectl's own --help is "podnet kubectl help"; only a leading --help is ours.
    const help = command === 'kubectl' ? rest[0] === '--help' || rest[0] === '-h' : wantsHelp(spec, rest);
    if (help) {
      process.stdout.write(renderHelp(spec));
      return 0;
    }
    return await (
      await load()
    )(rest);
  } catch (e) {
    if (e instanceof CliError) {
      const known = command !== undefined && findCommand(command) !== undefined;
      process.stderr.write(`podnet${known ? ` ${command}` : ''}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

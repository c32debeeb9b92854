/**
 * podnet's agnhost: a TypeScript take on Kubernetes' agnhost test image,
 * run as `node dist/images/agnhost/main.js <subcommand> [--flags]`.
 */
import { usage } from './flags.js';
import { netexec, NETEXEC_FLAGS } from './netexec.js';
import { pause } from './pause.js';
import { serveHostname, SERVE_HOSTNAME_FLAGS } from './serve-hostname.js';

const COMMANDS: Record<string, { summary: string; run: (args: string[]) => void | Promise<void>; help: string }> = {
  netexec: {
    summary: 'Creates HTTP(S) and UDP servers with various endpoints',
    run: netexec,
    help: usage('netexec', 'Creates HTTP(S) and UDP servers with various endpoints', NETEXEC_FLAGS),
  },
  'serve-hostname': {
    summary: 'Serves the hostname',
    run: serveHostname,
    help: usage(
      'serve-hostname',
      'Serves the hostname through HTTP / TCP / UDP on the given port.',
      SERVE_HOSTNAME_FLAGS,
    ),
  },
  pause: {
    summary: 'Pauses until SIGINT or SIGTERM, then exits 0',
    run: () => pause(),
    help: usage('pause', 'Pauses until SIGINT or SIGTERM, then exits 0.', {}),
  },
};

const rootHelp = (): string =>
  `agnhost (podnet): a test server in the spirit of Kubernetes' agnhost.\n\nUsage:\n  agnhost <command> [flags]\n\nAvailable Commands:\n${Object.entries(
    COMMANDS,
  )
    .map(([k, c]) => `  ${k.padEnd(16)}${c.summary}`)
    .join('\n')}\n`;

const [command, ...args] = process.argv.slice(2);
if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(rootHelp());
} else if (!Object.hasOwn(COMMANDS, command)) {
  process.stderr.write(
    `Error: unknown command ${JSON.stringify(command)} for "agnhost" (podnet's agnhost implements ${Object.keys(COMMANDS).join(', ')})\n`,
  );
  process.exit(1);
} else if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(COMMANDS[command]!.help);
} else {
  await COMMANDS[command]!.run(args);
}

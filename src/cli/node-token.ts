/** `podnet node-token NODE`: print (minting on first use) the bearer token a node agent joins with. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TokenAuthenticator } from '../apiserver/state/tokens.js';
import { CliError } from './errors.js';
import { stateDir } from './state-dir.js';

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function runNodeToken(args: string[]): number {
  let state: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--state') state = args[++i];
    else if (args[i]!.startsWith('--state=')) state = args[i]!.slice('--state='.length);
    else rest.push(args[i]!);
  }
  if (rest.length !== 1) throw new CliError('usage: podnet node-token NODE [--state DIR]');
  const node = rest[0]!;
  if (!NODE_NAME.test(node))
    throw new CliError(`"${node}" is not a valid node name (lower-case letters, digits, "-" and ".")`);
  const dir = stateDir(state);
  if (!existsSync(join(dir, 'tokens.json')))
    throw new CliError(
      `no API server state in ${dir} (tokens.json missing); pass the --state of "podnet apiserver" or "podnet up"`,
    );
  process.stdout.write(`${TokenAuthenticator.load(dir).nodeToken(node)}\n`);
  return 0;
}

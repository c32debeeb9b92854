/** `podnet node-token NODE`: print (minting on first use) the bearer token a node agent joins with. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TokenAuthenticator } from '../apiserver/state/tokens.js';
import { nodeToken } from './commands.js';
import { CliError } from './errors.js';
import { parseCommand } from './spec.js';
import { stateDir } from './state-dir.js';

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function runNodeToken(args: string[]): number {
  const { values, positionals } = parseCommand(nodeToken, args);
  const state = values.state;
  const node = positionals[0]!;
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

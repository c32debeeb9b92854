/** Where a cluster's state lives: --state, else $PODNET_STATE, else ~/.podnet. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function stateDir(flag: string | undefined): string {
  return resolve(flag ?? process.env['PODNET_STATE'] ?? join(homedir(), '.podnet'));
}

/** podnet's version: package.json's, read once (it ships with the package and sits beside dist/). */
import { version } from './commands.js';
import { parseCommand } from './spec.js';
import { readFileSync } from 'node:fs';

const PODNET_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** `podnet version` and `podnet --version`. */
export function runVersion(args: string[]): number {
  parseCommand(version, args);
  process.stdout.write(`podnet ${PODNET_VERSION}\n`);
  return 0;
}

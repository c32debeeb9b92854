/**
 * `podnet node-cert NODE --ip IP [--state DIR] [--out DIR]`: the serving
 * certificate a node agent's streaming endpoint (exec, attach, logs,
 * port-forward) presents to the API server, signed by the cluster CA, minted
 * where the node's token is; `podnet up` does the same for its own nodes.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureNodeServingCert } from '../apiserver/state/pki.js';
import { nodeCert } from './commands.js';
import { CliError } from './errors.js';
import { parseCommand } from './spec.js';
import { stateDir } from './state-dir.js';

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function runNodeCert(args: string[]): number {
  const { values, positionals } = parseCommand(nodeCert, args);
  const ips = (values.ip ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (!ips.length) throw new CliError('needs --ip IP[,IP...]: the addresses the API server reaches the node on');
  const node = positionals[0]!;
  if (!NODE_NAME.test(node))
    throw new CliError(`"${node}" is not a valid node name (lower-case letters, digits, "-" and ".")`);
  for (const ip of ips) if (!/^[\d.]+$|^[\da-f:]+$/i.test(ip)) throw new CliError(`--ip ${ip}: not an IP address`);
  const pki = join(stateDir(values.state), 'pki');
  if (!existsSync(join(pki, 'ca.key')))
    throw new CliError(`no cluster CA in ${pki}; pass the --state of "podnet apiserver" or "podnet up"`);
  const out = resolve(values.out);
  ensureNodeServingCert(pki, out, node, ips);
  process.stdout.write(
    `${join(out, 'node.crt')} and ${join(out, 'node.key')}: pass them to "podnet node" as --tls-cert-file and --tls-private-key-file\n`,
  );
  return 0;
}

/** `podnet node-exec NODE [--state DIR] [-- CMD...]`: run a command (default: a shell) on a node, i.e. in its network namespace. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { netnsPath } from '../host/exec.js';
import { findNode } from '../cluster/layout.js';
import { readLayout } from '../cluster/layout-file.js';
import { nodeExec } from './commands.js';
import { CliError } from './errors.js';
import { parseCommand } from './spec.js';
import { stateDir } from './state-dir.js';

export async function runNodeExec(args: string[]): Promise<number> {
  const parsed = parseCommand(nodeExec, args);
  const wanted = parsed.positionals[0]!;
  const command = parsed.rest.length ? parsed.rest : [process.env['SHELL'] || '/bin/sh'];

  const dir = stateDir(parsed.values.state);
  let layout;
  try {
    layout = readLayout(dir);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (!layout)
    throw new CliError(`no cluster in ${dir}: start one with "podnet up --state ${dir}" or pass --state DIR`);
  const node = findNode(layout, wanted);
  if (!node)
    throw new CliError(
      `no node "${wanted}" in the cluster in ${dir}; its nodes are: ${layout.nodes.map((n) => n.name).join(', ')}`,
    );
  if (!existsSync(netnsPath(node.netns)))
    throw new CliError(`node ${node.name} is not up (no netns ${node.netns}): run "podnet up --state ${dir}"`);

  // Only the network namespace changes: the command sees the host's files, like a shell on a real node would see its own.
  const child = spawn('nsenter', [`--net=${netnsPath(node.netns)}`, '--', ...command], { stdio: 'inherit' });
  // Ctrl-C reaches the command (same terminal process group); we stay to pass its exit status on.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolve, reject) => {
    child.on('error', (e) =>
      reject(new CliError(`cannot run nsenter: ${e.message}; install util-linux (see "podnet doctor")`)),
    );
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 1));
    });
  });
}

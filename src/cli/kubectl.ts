/** `podnet kubectl ...`: the machine's kubectl with this cluster's kubeconfig. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './errors.js';
import { stateDir } from './state-dir.js';

export async function runKubectl(args: string[]): Promise<number> {
  let flag: string | undefined;
  if (args[0] === '--state') {
    flag = args[1];
    args = args.slice(2);
  } else if (args[0]?.startsWith('--state=')) {
    flag = args[0].slice('--state='.length);
    args = args.slice(1);
  }
  const kubeconfig = join(stateDir(flag), 'kubeconfig');
  if (!existsSync(kubeconfig)) {
    throw new CliError(
      `no kubeconfig at ${kubeconfig}: start a cluster first ("podnet apiserver --state DIR"), or pass --state DIR`,
    );
  }
  const kubectl = process.env['KUBECTL'] ?? 'kubectl';
  return new Promise((resolvePromise, reject) => {
    const child = spawn(kubectl, args, { stdio: 'inherit', env: { ...process.env, KUBECONFIG: kubeconfig } });
    child.on('error', (e) =>
      reject(new CliError(`cannot run ${kubectl}: ${e.message}; install kubectl or set KUBECTL`)),
    );
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
  });
}

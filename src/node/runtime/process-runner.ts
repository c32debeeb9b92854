/**
 * `--runtime process`: containers are processes entered into the sandbox
 * holder's namespaces with nsenter, on the node's own root, as root with
 * every capability. Kept as a fallback while runc is the default; it gives
 * no isolation beyond the network namespace.
 */
import { processEnv } from '../streaming/exec.js';
import type { ContainerRunner, ContainerStart, ExecCommand } from './container-runner.js';
import type { ProcessIdentity } from './proc.js';
import { envArgv, spawnShim } from './shim.js';

export class ProcessRunner implements ContainerRunner {
  readonly kind = 'process' as const;

  start(s: ContainerStart): Promise<ProcessIdentity> {
    return Promise.resolve(
      spawnShim({
        holderPid: s.rec.holder!.pid,
        dir: s.dir,
        workingDir: s.config.workingDir,
        env: s.env,
        argv: s.config.argv,
        stdin: s.config.stdin,
        tty: s.config.tty,
      }),
    );
  }

  async execArgv(
    _rec: unknown,
    container: { name: string; attempt: number; pid: number },
    command: string[],
    tty: boolean,
  ): Promise<ExecCommand> {
    // The container process's environment and working directory, as runc exec takes them from its spec.
    const env = await processEnv(container.pid);
    void tty; // the caller puts a pty around it
    // nsenter execs the command in place: it stays in the caller's process group.
    return { argv: nsenterExecArgv(container.pid, env, command) };
  }

  release(): Promise<{ reason?: string }> {
    return Promise.resolve({});
  }

  removePod(): Promise<void> {
    return Promise.resolve();
  }
}

/** argv entering the container process's namespaces and working directory with its environment (pure). */
export function nsenterExecArgv(pid: number, env: Record<string, string>, command: string[]): string[] {
  return ['nsenter', '-t', String(pid), '-n', '-u', '-i', '-m', '-w', '--', ...envArgv(env, command)];
}

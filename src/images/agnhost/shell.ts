/**
 * netexec's /shell?shellCommand=CMD (or ?cmd=CMD), as agnhost answers it:
 * runs `/bin/sh -c CMD` inside the pod and returns JSON with "output"
 * (stdout and stderr together, left out when empty) and "error" (only when
 * the command failed, worded like Go's exec errors: "exit status 3").
 * It is how tests look inside a pod (its resolv.conf, hosts, hostname): the
 * command runs in the pod's own namespaces, with the node's filesystem.
 */
import { spawn } from 'node:child_process';

const SHELL_PATH = '/bin/sh';

interface ShellReply {
  output?: string;
  error?: string;
}

/** Go's (*exec.ExitError).Error() for an exit code or a signal. */
function goExitError(code: number | null, signal: NodeJS.Signals | null): string {
  return signal
    ? `signal: ${signal === 'SIGKILL' ? 'killed' : signal === 'SIGTERM' ? 'terminated' : signal}`
    : `exit status ${code}`;
}

/** Runs the command to completion; never rejects (a spawn failure is the reply's "error"). */
export function runShell(command: string): Promise<ShellReply> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn(SHELL_PATH, ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    child.on('error', (e) => resolve({ error: `fork/exec ${SHELL_PATH}: ${e.message}` }));
    child.on('close', (code, signal) => {
      const reply: ShellReply = {};
      const output = Buffer.concat(chunks).toString();
      if (output !== '') reply.output = output;
      if (code !== 0) reply.error = goExitError(code, signal);
      resolve(reply);
    });
  });
}

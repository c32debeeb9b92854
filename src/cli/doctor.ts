/** `podnet doctor`: can this machine run a podnet cluster? Prints what is missing and how to install it. */
import { aptFix, doctorExitCode, renderTable } from '../cluster/doctor-checks.js';
import { runChecks } from '../cluster/doctor-probes.js';
import { doctor } from './commands.js';
import { parseCommand } from './spec.js';

export async function runDoctor(args: string[]): Promise<number> {
  parseCommand(doctor, args);
  const results = await runChecks();
  process.stdout.write(renderTable(results));
  const code = doctorExitCode(results);
  const fix = aptFix(results);
  if (fix) process.stdout.write(`\nto install everything missing: ${fix}\n`);
  process.stdout.write(
    code === 0
      ? '\nthis machine can run podnet clusters\n'
      : '\nsomething required is missing: fix the MISSING lines above\n',
  );
  return code;
}

/** agnhost's log lines: Go's log format ("2006/01/02 15:04:05 message"), one per line on stdout. */

const two = (n: number): string => String(n).padStart(2, '0');

export const goLogLine = (msg: string, now: Date): string =>
  `${now.getFullYear()}/${two(now.getMonth() + 1)}/${two(now.getDate())} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())} ${msg}`;

export function log(msg: string): void {
  process.stdout.write(`${goLogLine(msg, new Date())}\n`);
}

/** Logs and exits 1, like Go's log.Fatal. */
export function fatal(msg: string): never {
  process.stderr.write(`${goLogLine(msg, new Date())}\n`);
  process.exit(1);
}

/** agnhost pause (and the pause image): does nothing until SIGTERM/SIGINT, then exits 0. */
import { log } from './log.js';
import { exitOnTermination } from './signals.js';

export function pause(): void {
  exitOnTermination(); // before the log line: whoever reads "Paused" may signal at once
  log('Paused');
  // Something must keep the event loop alive; a day-long timer, renewed forever.
  setInterval(() => {}, 86_400_000);
}

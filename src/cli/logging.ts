/** A component process's logging from its --log-level, -v and --log-format flags. */
import { configureLogging, type LogFormat, type LogLevel } from '../log/log.js';

export function configureLoggingFromFlags(v: { 'log-level'?: string; verbose?: boolean; 'log-format'?: string }): void {
  // parseCommand checked both against their choices.
  configureLogging({
    level: v.verbose ? 'debug' : ((v['log-level'] ?? 'info') as LogLevel),
    format: (v['log-format'] ?? 'text') as LogFormat,
  });
}

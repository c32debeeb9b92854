/**
 * The one logger of every podnet process: levels, timestamps, a component
 * name per line, text or JSON. A process configures it once from its flags
 * (--log-level, -v, --log-format); components ask for `logger(name)`.
 *
 * A Logger is also a plain `(message) => void` that logs at info, the shape
 * every component's `log` option already takes, so a component logs at
 * another level only where it means to.
 *
 *   text: 2024-12-07T08:24:01.123Z INFO  node n1: podCIDR 10.244.1.0/24
 *   json: {"ts":"2024-12-07T08:24:01.123Z","level":"info","logger":"node n1","msg":"podCIDR 10.244.1.0/24"}
 */

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogConfig {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go (default: stderr). */
  write: (line: string) => void;
  /** The clock (tests). */
  now: () => Date;
}

export type Fields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  /** info */
  (message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  /** A logger for a part of this component: "node n1" -> "node n1/overlay". */
  child(name: string): Logger;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

const defaults = (): LogConfig => ({
  level: 'info',
  format: 'text',
  write: (line) => process.stderr.write(line),
  now: () => new Date(),
});
let config: LogConfig = defaults();

/** Sets the process's logging; fields not given keep their value. */
export function configureLogging(c: Partial<LogConfig>): void {
  config = { ...config, ...c };
}

export function resetLogging(): void {
  config = defaults();
}

/** Whether a line at this level would be written (to skip building costly messages). */
export const logEnabled = (level: LogLevel): boolean => RANK[level] <= RANK[config.level];

function emit(level: LogLevel, name: string, message: string, fields?: Fields): void {
  if (RANK[level] > RANK[config.level]) return;
  const ts = config.now().toISOString();
  if (config.format === 'json') {
    config.write(`${JSON.stringify({ ts, level, logger: name, msg: message, ...fields })}\n`);
    return;
  }
  let extra = '';
  for (const [k, v] of Object.entries(fields ?? {})) if (v !== undefined) extra += ` ${k}=${JSON.stringify(v)}`;
  config.write(`${ts} ${level.toUpperCase().padEnd(5)} ${name}: ${message}${extra}\n`);
}

export function logger(name: string): Logger {
  const log = ((message: string, fields?: Fields) => emit('info', name, message, fields)) as Logger;
  log.error = (m, f) => emit('error', name, m, f);
  log.warn = (m, f) => emit('warn', name, m, f);
  log.info = (m, f) => emit('info', name, m, f);
  log.debug = (m, f) => emit('debug', name, m, f);
  log.child = (sub) => logger(`${name}/${sub}`);
  return log;
}

/** The `(message) => void` components take as their `log` option; a Logger is one. */
export type LogFn = (message: string) => void;

/**
 * Logs at warn (or error) when `log` is a Logger, else calls it as it is:
 * components keep taking a plain function (tests pass one that collects
 * lines) and still say how severe a line is.
 */
export const warn = (log: LogFn, message: string): void => ((log as Partial<Logger>).warn ?? log)(message);
export const error = (log: LogFn, message: string): void => ((log as Partial<Logger>).error ?? log)(message);

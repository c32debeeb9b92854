/**
 * What a command accepts, as data: its flags (type, default, help), its
 * arguments and its help text. The parser, `podnet CMD --help` and the
 * shell completions are all made from these, so they cannot disagree.
 */
import { parseArgs } from 'node:util';
import { CliError } from './errors.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Applied when the flag is absent, and shown in help. */
  default?: string | boolean;
  /** Shown in help as the default when it is not one fixed value ("$PODNET_STATE, else ~/.podnet"). */
  defaultText?: string;
  /** The value's placeholder in help: `--nodes N`. */
  value?: string;
  /** The only values accepted; completion offers them. */
  choices?: readonly string[];
  /** What completion offers for the value. */
  complete?: 'dir' | 'file';
  help: string;
}

export interface CommandSpec {
  name: string;
  /** One line for `podnet help`. */
  summary: string;
  /** What follows `podnet NAME` in the usage line; flags are listed below it. */
  usage: string;
  /** Paragraphs after the usage line. */
  description: string;
  flags: Readonly<Record<string, FlagSpec>>;
  /** Positional arguments: how many, and the name help gives them. */
  args?: { min: number; max: number; name: string };
  /** Everything after the first `--` goes to another program (node-exec's command). */
  passThrough?: boolean;
}

type FlagValue<F> = F extends { type: 'boolean' }
  ? F extends { default: boolean }
    ? boolean
    : boolean | undefined
  : F extends { default: string }
    ? string
    : string | undefined;

type FlagValues<S extends CommandSpec> = { -readonly [K in keyof S['flags']]: FlagValue<S['flags'][K]> };

export interface Parsed<S extends CommandSpec> {
  values: FlagValues<S>;
  positionals: string[];
  /** After `--`, for commands that run another program. */
  rest: string[];
}

const seeHelp = (spec: CommandSpec) => `see "podnet ${spec.name} --help"`;

/**
 * Parses a command's arguments against its spec. Unknown flags, missing
 * values, a value outside `choices` and the wrong number of arguments are a
 * CliError (exit status 2) that says what was wrong and where help is;
 * main prefixes it with "podnet NAME: ".
 */
export function parseCommand<S extends CommandSpec>(spec: S, args: readonly string[]): Parsed<S> {
  const dash = spec.passThrough ? args.indexOf('--') : -1;
  const head = dash >= 0 ? args.slice(0, dash) : [...args];
  const rest = dash >= 0 ? args.slice(dash + 1) : [];
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }> = {};
  for (const [name, f] of Object.entries(spec.flags)) {
    options[name] = { type: f.type, ...(f.short ? { short: f.short } : {}) };
    if (f.default !== undefined) options[name].default = f.default;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: head, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(`${parseErrorText(e as Error & { code?: string })}; ${seeHelp(spec)}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  for (const [name, f] of Object.entries(spec.flags)) {
    const v = values[name];
    if (f.choices && typeof v === 'string' && !f.choices.includes(v))
      throw new CliError(`--${name} ${v}: must be one of ${f.choices.join(', ')}`);
  }
  const positionals = parsed.positionals;
  const a = spec.args ?? { min: 0, max: 0, name: '' };
  if (positionals.length < a.min) throw new CliError(`missing ${a.name}; usage: podnet ${spec.name} ${spec.usage}`);
  if (positionals.length > a.max) {
    const extra = positionals.slice(a.max).join(' ');
    throw new CliError(
      a.max === 0
        ? `takes no arguments (got "${extra}"); ${seeHelp(spec)}`
        : spec.passThrough
          ? `put the command after "--": podnet ${spec.name} ${positionals.slice(0, a.max).join(' ')} -- ${extra}`
          : `unexpected "${extra}"; usage: podnet ${spec.name} ${spec.usage}`,
    );
  }
  return { values: values as FlagValues<S>, positionals, rest };
}

/** node:util's parse errors, shortened to what the user typed wrong. */
function parseErrorText(e: Error & { code?: string }): string {
  const flag = /'(-[^' ]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag ?? e.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(e.message)
        ? `${flag ?? 'a flag'} needs a value`
        : `${flag ?? 'a flag'} takes no value`;
    default:
      return e.message;
  }
}

/** True when args ask for help (before any `--` of a pass-through command). */
export function wantsHelp(spec: CommandSpec, args: readonly string[]): boolean {
  const dash = args.indexOf('--');
  const head = spec.passThrough && dash >= 0 ? args.slice(0, dash) : args;
  return head.includes('--help') || head.includes('-h');
}

export const EXIT_STATUS_TEXT = `Exit status:
  0    success
  1    the command ran and failed (its message says why): a cluster that
       did not come up, something left after down, a check doctor found
       missing
  2    the command could not start as asked: an unknown command or flag, a
       bad value, flags that contradict the cluster's shape, a component
       that cannot start (address in use, unreadable certificate)
  kubectl and node-exec exit with the status of the command they ran.
`;

/** `podnet CMD --help`: usage, description, every flag with its default. */
export function renderHelp(spec: CommandSpec): string {
  const rows: [string, string][] = Object.entries(spec.flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`;
    const dflt =
      f.defaultText ??
      (f.default === undefined || f.default === false ? undefined : f.default === true ? 'true' : f.default);
    const choices = f.choices ? ` (${f.choices.join('|')})` : '';
    return [left, `${f.help}${choices}${dflt === undefined || dflt === '' ? '' : ` (default ${dflt})`}`];
  });
  rows.push(['-h, --help', `help for ${spec.name}`]);
  return `${spec.summary}

Usage:
  podnet ${spec.name}${spec.usage ? ` ${spec.usage}` : ''}

${spec.description.trim()}

Flags:
${table(rows)}
${EXIT_STATUS_TEXT}`;
}

/** Two columns, the right one wrapped at 100 characters. */
export function table(rows: readonly [string, string][]): string {
  const width = Math.min(34, Math.max(...rows.map(([l]) => l.length)) + 2);
  const out: string[] = [];
  for (const [left, right] of rows) {
    const lines = wrap(right, 100 - 2 - width);
    const pad = left.length + 2 > width ? `\n${' '.repeat(width + 2)}` : ' '.repeat(width - left.length);
    out.push(`  ${left}${pad}${lines.join(`\n${' '.repeat(width + 2)}`)}`);
  }
  return `${out.join('\n')}\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Command-line flags the way agnhost's cobra/pflag reads them:
 * --name=value, --name value, bare --flag for booleans (--flag=false to
 * turn one off). Pure.
 */

export type FlagValue = number | string | boolean;
interface FlagDef {
  type: 'int' | 'string' | 'bool';
  default: FlagValue;
  help: string;
}
export type FlagSpec = Record<string, FlagDef>;
type ParsedFlags = { ok: true; values: Record<string, FlagValue> } | { ok: false; message: string };

function convert(name: string, def: FlagDef, raw: string): FlagValue | Error {
  if (def.type === 'string') return raw;
  if (def.type === 'bool') {
    if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(raw)) return true;
    if (['false', '0', 'f', 'F', 'FALSE', 'False'].includes(raw)) return false;
    return new Error(`invalid argument ${JSON.stringify(raw)} for "--${name}" flag: want true or false`);
  }
  if (!/^[+-]?\d+$/.test(raw))
    return new Error(`invalid argument ${JSON.stringify(raw)} for "--${name}" flag: not an integer`);
  return Number.parseInt(raw, 10);
}

/** Parses args against spec; the subcommands take no positional arguments, like agnhost's. */
export function parseFlags(args: string[], spec: FlagSpec): ParsedFlags {
  const values: Record<string, FlagValue> = Object.fromEntries(Object.entries(spec).map(([k, d]) => [k, d.default]));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--') || arg === '--')
      return { ok: false, message: `unexpected argument ${JSON.stringify(arg)}: this command takes only --flags` };
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const def = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!def) return { ok: false, message: `unknown flag: --${name}` };
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (def.type === 'bool') raw = 'true';
    else if (i + 1 < args.length) raw = args[++i]!;
    else return { ok: false, message: `flag needs an argument: --${name}` };
    const v = convert(name, def, raw);
    if (v instanceof Error) return { ok: false, message: v.message };
    values[name] = v;
  }
  return { ok: true, values };
}

export function usage(command: string, summary: string, spec: FlagSpec): string {
  const lines = Object.entries(spec).map(
    ([k, d]) =>
      `      --${k}${d.type === 'bool' ? '' : ` ${d.type}`}\t${d.help} (default ${JSON.stringify(d.default)})`,
  );
  return `${summary}\n\nUsage:\n  agnhost ${command} [flags]\n\nFlags:\n${lines.join('\n')}\n`;
}

/**
 * `podnet completion bash|zsh`: completion scripts made from the command
 * table, so every command, flag and fixed choice completes as help lists it.
 */
import { completion, COMMANDS } from './commands.js';
import { CliError } from './errors.js';
import { parseCommand, type CommandSpec, type FlagSpec } from './spec.js';

const GLOBAL = ['help', '--help', '--version'];

export function runCompletion(args: string[]): number {
  const { positionals } = parseCommand(completion, args);
  const shell = positionals[0];
  if (shell === 'bash') process.stdout.write(bashCompletion(COMMANDS));
  else if (shell === 'zsh') process.stdout.write(zshCompletion(COMMANDS));
  else throw new CliError(`no completion for "${shell}"; use bash or zsh`);
  return 0;
}

const flagWords = (c: CommandSpec) => [...Object.keys(c.flags).map((f) => `--${f}`), '--help'];

/** What the value of a flag completes to, as a bash compgen call; undefined: nothing to offer. */
function bashValue(f: FlagSpec): string | undefined {
  if (f.choices) return `compgen -W "${f.choices.join(' ')}" -- "$cur"`;
  if (f.complete === 'dir') return 'compgen -d -- "$cur"';
  if (f.complete === 'file') return 'compgen -f -- "$cur"';
  return undefined;
}

export function bashCompletion(commands: readonly CommandSpec[]): string {
  const cases = commands.map((c) => {
    const values = Object.entries(c.flags)
      .filter(([, f]) => f.type === 'string')
      .map(([name, f]) => {
        const v = bashValue(f);
        return `        --${name}) ${v ? `COMPREPLY=($(${v}))` : 'COMPREPLY=()'}; return ;;`;
      });
    const args = c.name === 'completion' ? 'bash zsh' : '';
    return `    ${c.name})
      case "$prev" in
${values.join('\n')}
      esac
      COMPREPLY=($(compgen -W "${[...flagWords(c), ...(args ? [args] : [])].join(' ')}" -- "$cur"))
      ;;`;
  });
  return `# bash completion for podnet: source <(podnet completion bash)
_podnet() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" i
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${[...commands.map((c) => c.name), ...GLOBAL].join(' ')}" -- "$cur"))
    return
  fi
  # After "--" the words belong to the command node-exec runs.
  for ((i = 2; i < COMP_CWORD; i++)); do
    if [ "\${COMP_WORDS[i]}" = "--" ]; then
      COMPREPLY=($(compgen -c -- "$cur"))
      return
    fi
  done
  case "\${COMP_WORDS[1]}" in
    help)
      COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(' ')}" -- "$cur"))
      ;;
${cases.join('\n')}
  esac
}
complete -F _podnet podnet
`;
}

/** Text inside a zsh _arguments description: brackets, colons and quotes escaped. */
const zshText = (s: string) => s.replace(/[[\]:\\]/g, (c) => `\\${c}`).replace(/'/g, `'\\''`);

function zshFlag(name: string, f: FlagSpec): string {
  const desc = `[${zshText(f.help)}]`;
  if (f.type === 'boolean') return `'--${name}${desc}'`;
  const action = f.choices
    ? `(${f.choices.join(' ')})`
    : f.complete === 'dir'
      ? '_files -/'
      : f.complete === 'file'
        ? '_files'
        : ' ';
  return `'--${name}${desc}:${zshText(f.value ?? 'value')}:${action}'`;
}

export function zshCompletion(commands: readonly CommandSpec[]): string {
  const cases = commands.map((c) => {
    const specs = [...Object.entries(c.flags).map(([n, f]) => zshFlag(n, f)), "'(-h --help)'{-h,--help}'[help]'"];
    if (c.name === 'completion') specs.push("'1:shell:(bash zsh)'");
    if (c.name === 'node-exec') specs.push("'1:node: '", "'*::command:_normal'");
    if (c.name === 'node-token') specs.push("'1:node: '");
    if (c.name === 'kubectl') specs.push("'*::kubectl arguments:_normal'");
    return `    ${c.name})
      _arguments -s \\
        ${specs.join(' \\\n        ')}
      ;;`;
  });
  const described = commands.map((c) => `    '${c.name}:${zshText(c.summary)}'`);
  return `#compdef podnet
# zsh completion for podnet: source <(podnet completion zsh), or save as _podnet on $fpath
_podnet() {
  local -a commands
  commands=(
${described.join('\n')}
    'help:Help about a command'
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'podnet command' commands
    _arguments '--version[print the version]' '(-h --help)'{-h,--help}'[help]'
    return
  fi
  local cmd=$words[2]
  shift words
  (( CURRENT-- ))
  case $cmd in
    help)
      _describe -t commands 'podnet command' commands
      ;;
${cases.join('\n')}
  esac
}
if [ "$funcstack[1]" = "_podnet" ]; then
  _podnet "$@"
else
  compdef _podnet podnet
fi
`;
}

/**
 * $(VAR) expansion as Kubernetes applies it to env values, command and args:
 * $(NAME) becomes NAME's value when NAME is defined, stays as written when not;
 * $$ is an escaped '$'; a '$' before anything else, or an unclosed "$(", is kept.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) continue;
    out += input.slice(checkpoint, i);
    const next = input[i + 1]!;
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
      } else {
        const name = input.slice(i + 2, close);
        const value = lookup(name);
        out += value ?? `$(${name})`;
        advance = close - i;
      }
    } else {
      out += '$' + next;
    }
    i += advance;
    checkpoint = i + 1;
  }
  return out + input.slice(checkpoint);
}

/**
 * The label selector grammar of apimachinery's labels.Parse, token for token,
 * so a bad ?labelSelector= fails with the message kubectl users know.
 */
import { isQualifiedName, isValidLabelValue } from '../validation/formats.js';

export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';
export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

const enum Tok {
  Error,
  End,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const keywords: Record<string, Tok> = {
  ')': Tok.ClosedPar,
  ',': Tok.Comma,
  '!': Tok.DoesNotExist,
  '==': Tok.DoubleEquals,
  '=': Tok.Equals,
  '>': Tok.GreaterThan,
  in: Tok.In,
  '<': Tok.LessThan,
  '!=': Tok.NotEquals,
  notin: Tok.NotIn,
  '(': Tok.OpenPar,
};
const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c) && c !== '';

function lex(s: string): [Tok, string][] {
  const out: [Tok, string][] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      out.push([Tok.End, '']);
      return out;
    }
    if (isSpecial(s[pos]!)) {
      let buf = '';
      let last: [Tok, string] | undefined;
      while (pos < s.length && isSpecial(s[pos]!)) {
        buf += s[pos];
        const t = keywords[buf];
        if (t !== undefined) {
          last = [t, buf];
          pos++;
        } else if (last) break;
        else pos++;
      }
      out.push(last ?? [Tok.Error, `error expected: keyword found '${buf}'`]);
    } else {
      let buf = '';
      while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) buf += s[pos++];
      out.push([keywords[buf] ?? Tok.Identifier, buf]);
    }
  }
}

/** Go's %#v of a []string. */
const goSlice = (xs: string[]) => `[]string{${xs.map((x) => JSON.stringify(x)).join(', ')}}`;

class ParseError extends Error {}

/** Parse a selector string; throws Error with Kubernetes' message on bad input. */
export function parseRequirements(selector: string): Requirement[] {
  const items = lex(selector);
  let pos = 0;
  // In value context the keywords in/notin are plain identifiers.
  const look = (values: boolean): [Tok, string] => {
    const [t, l] = items[pos]!;
    return values && (t === Tok.In || t === Tok.NotIn) ? [Tok.Identifier, l] : [t, l];
  };
  const take = (values: boolean): [Tok, string] => {
    const r = look(values);
    pos++;
    return r;
  };

  const validateKey = (key: string, path: string) => {
    const errs = isQualifiedName(key);
    if (errs.length) throw new ParseError(`${path}: Invalid value: ${JSON.stringify(key)}: ${errs.join('; ')}`);
  };

  const newRequirement = (key: string, operator: Operator, values: string[]): Requirement => {
    const errs: string[] = [];
    if ((operator === 'in' || operator === 'notin') && values.length === 0)
      errs.push(`values: Invalid value: ${goSlice(values)}: for 'in', 'notin' operators, values set can't be empty`);
    if ((operator === '=' || operator === '==' || operator === '!=') && values.length !== 1)
      errs.push(`values: Invalid value: ${goSlice(values)}: exact-match compatibility requires one single value`);
    if (operator === 'gt' || operator === 'lt') {
      if (values.length !== 1)
        errs.push(`values: Invalid value: ${goSlice(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v))
          errs.push(
            `values[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`,
          );
      });
    }
    values.forEach((v, i) => {
      const m = isValidLabelValue(v);
      if (m.length) errs.push(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${m.join('; ')}`);
    });
    const unique = [...new Set(errs)];
    if (unique.length === 1) throw new ParseError(unique[0]);
    if (unique.length > 1) throw new ParseError(`[${unique.join(', ')}]`);
    return { key, operator, values };
  };

  const parseValues = (): string[] => {
    const [t, l] = take(true);
    if (t !== Tok.OpenPar) throw new ParseError(`found '${l}' expected: '('`);
    const [t2, l2] = look(true);
    if (t2 === Tok.ClosedPar) {
      take(true);
      return [''];
    }
    if (t2 !== Tok.Identifier && t2 !== Tok.Comma)
      throw new ParseError(`found '${l2}', expected: ',', ')' or identifier`);
    const set = new Set<string>();
    for (;;) {
      const [tt, ll] = take(true);
      if (tt === Tok.Identifier) {
        set.add(ll);
        const [t3, l3] = look(true);
        if (t3 === Tok.Comma) continue;
        if (t3 === Tok.ClosedPar) break;
        throw new ParseError(`found '${l3}', expected: ',' or ')'`);
      } else if (tt === Tok.Comma) {
        if (set.size === 0) set.add('');
        const [t3] = look(true);
        if (t3 === Tok.ClosedPar) {
          set.add('');
          break;
        }
        if (t3 === Tok.Comma) {
          take(true);
          set.add('');
        }
      } else throw new ParseError(`found '${ll}', expected: ',', or identifier`);
    }
    if (take(true)[0] !== Tok.ClosedPar) throw new ParseError(`found '${l2}', expected: ')'`);
    return [...set].sort();
  };

  const parseRequirement = (): Requirement => {
    let [t, key] = take(true);
    let op: Operator | undefined;
    if (t === Tok.DoesNotExist) {
      op = '!';
      [t, key] = take(true);
    }
    if (t !== Tok.Identifier) throw new ParseError(`found '${key}', expected: identifier`);
    validateKey(key, '<nil>');
    // "!key" is complete as it stands; whatever follows must be ',' or the end.
    if (op === '!') return newRequirement(key, op, []);
    const [next] = look(true);
    if (next === Tok.End || next === Tok.Comma) return newRequirement(key, 'exists', []);
    const [ot, ol] = take(false);
    const ops: Partial<Record<Tok, Operator>> = {
      [Tok.In]: 'in',
      [Tok.Equals]: '=',
      [Tok.DoubleEquals]: '==',
      [Tok.GreaterThan]: 'gt',
      [Tok.LessThan]: 'lt',
      [Tok.NotIn]: 'notin',
      [Tok.NotEquals]: '!=',
    };
    const operator = ops[ot];
    if (!operator) throw new ParseError(`found '${ol}', expected: in, notin, =, ==, !=, gt, lt`);
    let values: string[];
    if (operator === 'in' || operator === 'notin') values = parseValues();
    else {
      const [vt] = look(true);
      if (vt === Tok.End || vt === Tok.Comma) values = [''];
      else {
        const [vt2, vl] = take(true);
        if (vt2 !== Tok.Identifier) throw new ParseError(`found '${vl}', expected: identifier`);
        values = [vl];
      }
    }
    return newRequirement(key, operator, values);
  };

  const reqs: Requirement[] = [];
  for (;;) {
    const [t, l] = look(true);
    if (t === Tok.End) break;
    if (t !== Tok.Identifier && t !== Tok.DoesNotExist)
      throw new ParseError(`found '${l}', expected: !, identifier, or 'end of string'`);
    try {
      reqs.push(parseRequirement());
    } catch (e) {
      throw new ParseError(`unable to parse requirement: ${(e as Error).message}`);
    }
    const [t2, l2] = take(true);
    if (t2 === Tok.End) break;
    if (t2 !== Tok.Comma) throw new ParseError(`found '${l2}', expected: ',' or 'end of string'`);
    const [t3, l3] = look(true);
    if (t3 !== Tok.Identifier && t3 !== Tok.DoesNotExist)
      throw new ParseError(`found '${l3}', expected: identifier after ','`);
  }
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * A packet tracer over iptables-restore text (test-side), the counterpart
 * of nft/trace.ts: parse the nat and filter tables, add the jumps from the
 * built-in chains (JUMPS), and follow a new connection through
 * nat PREROUTING/OUTPUT -> filter INPUT/FORWARD/OUTPUT -> nat POSTROUTING,
 * taking every branch of a `statistic` spread. Every rule is compiled up
 * front; a match, option or target it does not understand throws, so a rule
 * the renderer emits but the tracer does not understand fails the tests. Pure.
 */
import { cidrContains } from '../../api/ipv4.js';
import { type Outcome, type Packet, type TraceEnv } from '../nft/trace.js';
import { JUMPS } from './render.js';

export type { Outcome, Packet, TraceEnv };

type Cond =
  | { k: 'addr'; which: 'src' | 'dst'; neg: boolean; cidr: string }
  | { k: 'proto'; proto: string }
  | { k: 'dport'; proto: string; port: number }
  | { k: 'stat'; p: number }
  | { k: 'rcheck'; name: string }
  | { k: 'rset'; name: string }
  | { k: 'srcLocal' }
  | { k: 'mark'; neg: boolean; value: number; mask: number }
  | { k: 'ctNew' };

type Target =
  | { k: 'jump'; chain: string }
  | { k: 'ACCEPT' | 'DROP' | 'RETURN' | 'REJECT' | 'MASQUERADE' }
  | { k: 'DNAT'; ip: string; port: number }
  | { k: 'MARK'; op: 'or' | 'xor'; v: number };

interface Rule {
  text: string;
  conds: Cond[];
  target: Target;
}
interface IptTables {
  nat: Map<string, Rule[]>;
  filter: Map<string, Rule[]>;
}

const BUILTIN: Record<'nat' | 'filter', string[]> = {
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** Splits a rule line into words, honouring double quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2]!);
  return out;
}

const IPV4 = /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/;

function compile(table: 'nat' | 'filter', text: string, w: string[]): Rule {
  const fail = (why: string): never => {
    throw new Error(`iptables tracer does not understand rule "${text}" (${why})`);
  };
  const conds: Cond[] = [];
  let target: Target | undefined;
  let proto: string | undefined;
  let i = 0;
  const need = (n: number) => {
    if (i + n >= w.length) fail(`${w[i]} needs ${n} argument(s)`);
  };
  while (i < w.length) {
    let neg = false;
    if (w[i] === '!') {
      neg = true;
      i++;
    }
    const o = w[i] ?? fail('dangling !');
    if (target) fail(`"${o}" after the target`);
    if (o === '-s' || o === '-d') {
      need(1);
      const cidr = w[i + 1]!;
      if (!IPV4.test(cidr)) fail(`address ${cidr}`);
      conds.push({ k: 'addr', which: o === '-s' ? 'src' : 'dst', neg, cidr });
      i += 2;
      continue;
    }
    if (o === '-p') {
      need(1);
      if (neg) fail('negated protocol');
      proto = w[i + 1]!;
      if (!['tcp', 'udp', 'sctp'].includes(proto)) fail(`protocol ${proto}`);
      conds.push({ k: 'proto', proto });
      i += 2;
      continue;
    }
    if (neg) fail(`negated ${o}`);
    if (o === '-m') {
      need(1);
      const mod = w[i + 1]!;
      i += 2;
      // Module options up to the next word that starts an option of the rule itself.
      const opts: string[] = [];
      while (
        i < w.length &&
        !['-m', '-j', '-s', '-d', '-p'].includes(w[i]!) &&
        !(w[i] === '!' && ['-s', '-d', '-p'].includes(w[i + 1] ?? ''))
      )
        opts.push(w[i++]!);
      const o2 = opts.join(' ');
      let m: RegExpExecArray | null;
      switch (mod) {
        case 'comment':
          if (opts.length !== 2 || opts[0] !== '--comment') fail(`comment options "${o2}"`);
          break;
        case 'tcp':
        case 'udp':
        case 'sctp':
          if (proto !== mod) fail(`-m ${mod} without -p ${mod}`);
          if (opts.length === 0) break;
          if (!(m = /^--dport (\d+)$/.exec(o2))) fail(`${mod} options "${o2}"`);
          conds.push({ k: 'dport', proto: mod, port: Number(m![1]) });
          break;
        case 'statistic': {
          if (!(m = /^--mode random --probability (0?\.\d+|1(\.0+)?|0)$/.exec(o2))) fail(`statistic options "${o2}"`);
          const p = Number(m![1]);
          if (!(p >= 0 && p <= 1)) fail(`probability ${p}`);
          conds.push({ k: 'stat', p });
          break;
        }
        case 'recent':
          if ((m = /^--name (\S+) --mask 255\.255\.255\.255 --rsource --rcheck --seconds \d+ --reap$/.exec(o2)))
            conds.push({ k: 'rcheck', name: m[1]! });
          else if ((m = /^--name (\S+) --mask 255\.255\.255\.255 --rsource --set$/.exec(o2)))
            conds.push({ k: 'rset', name: m[1]! });
          else fail(`recent options "${o2}"`);
          break;
        case 'addrtype':
          if (o2 !== '--src-type LOCAL') fail(`addrtype options "${o2}"`);
          conds.push({ k: 'srcLocal' });
          break;
        case 'mark':
          if (!(m = /^(! )?--mark (0x[0-9a-f]+)\/(0x[0-9a-f]+)$/i.exec(o2))) fail(`mark options "${o2}"`);
          conds.push({ k: 'mark', neg: !!m![1], value: Number(m![2]), mask: Number(m![3]) });
          break;
        case 'conntrack':
          if (o2 !== '--ctstate NEW') fail(`conntrack options "${o2}"`);
          conds.push({ k: 'ctNew' });
          break;
        default:
          fail(`match module ${mod}`);
      }
      continue;
    }
    if (o === '-j') {
      need(1);
      const t = w[i + 1]!;
      const rest = w.slice(i + 2).join(' ');
      i = w.length;
      let m: RegExpExecArray | null;
      if (t === 'ACCEPT' || t === 'DROP' || t === 'RETURN') {
        if (rest) fail(`${t} options`);
        target = { k: t };
      } else if (t === 'REJECT') {
        if (table !== 'filter') fail('REJECT outside filter');
        if (rest && !/^--reject-with (tcp-reset|icmp-port-unreachable)$/.test(rest)) fail(`REJECT options "${rest}"`);
        target = { k: 'REJECT' };
      } else if (t === 'DNAT') {
        if (table !== 'nat') fail('DNAT outside nat');
        if (!proto) fail('DNAT to a port needs -p');
        if (!(m = /^--to-destination (\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(rest))) fail(`DNAT options "${rest}"`);
        target = { k: 'DNAT', ip: m![1]!, port: Number(m![2]) };
      } else if (t === 'MARK') {
        if (!(m = /^--(or|xor)-mark (0x[0-9a-f]+)$/i.exec(rest))) fail(`MARK options "${rest}"`);
        target = { k: 'MARK', op: m![1] as 'or' | 'xor', v: Number(m![2]) };
      } else if (t === 'MASQUERADE') {
        if (table !== 'nat') fail('MASQUERADE outside nat');
        if (rest !== '--random-fully') fail(`MASQUERADE options "${rest}"`);
        target = { k: 'MASQUERADE' };
      } else if (/^[A-Z][A-Z0-9-]*$/.test(t) && t.startsWith('KUBE-')) {
        if (rest) fail(`options after jump to ${t}`);
        target = { k: 'jump', chain: t };
      } else fail(`target ${t}`);
      continue;
    }
    fail(`option ${o}`);
  }
  return { text, conds, target: target ?? fail('no target') };
}

/** Parses iptables-restore text (nat and filter) and adds the built-in chains' jumps. */
export function parseRestore(text: string, jumps: typeof JUMPS = JUMPS): IptTables {
  const tables: IptTables = { nat: new Map(), filter: new Map() };
  for (const t of ['nat', 'filter'] as const) for (const c of BUILTIN[t]) tables[t].set(c, []);
  let cur: 'nat' | 'filter' | undefined;
  const pending: { table: 'nat' | 'filter'; chain: string; text: string; w: string[] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fail = (why: string): never => {
      throw new Error(`iptables tracer does not understand line "${line}" (${why})`);
    };
    if (line.startsWith('*')) {
      if (cur) fail('table not committed');
      const t = line.slice(1);
      if (t !== 'nat' && t !== 'filter') fail(`table ${t}`);
      cur = t as 'nat' | 'filter';
      continue;
    }
    if (!cur) fail('outside a table');
    const tbl = tables[cur!];
    if (line === 'COMMIT') {
      cur = undefined;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^:(\S+) (\S+) \[\d+:\d+\]$/.exec(line))) {
      const [, name, policy] = m;
      if (BUILTIN[cur!].includes(name!)) fail('built-in chain declared');
      if (policy !== '-') fail(`policy ${policy} on a user chain`);
      tbl.set(name!, []); // declaring flushes
      continue;
    }
    if ((m = /^-X (\S+)$/.exec(line))) {
      if (!tbl.has(m[1]!) || BUILTIN[cur!].includes(m[1]!)) fail('delete of an unknown or built-in chain');
      tbl.delete(m[1]!);
      continue;
    }
    const w = words(line);
    if (w[0] === '-A' && w.length > 2) {
      pending.push({ table: cur!, chain: w[1]!, text: line, w: w.slice(2) });
      continue;
    }
    fail('unknown line');
  }
  if (cur) throw new Error(`table ${cur} not committed`);
  for (const j of jumps)
    pending.push({
      table: j.table,
      chain: j.chain,
      text: `-A ${j.chain} ${j.args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}`,
      w: j.args,
    });
  for (const p of pending) {
    const chain =
      tables[p.table].get(p.chain) ??
      (() => {
        throw new Error(`rule "${p.text}" appends to undeclared chain ${p.chain}`);
      })();
    const rule = compile(p.table, p.text, p.w);
    if (rule.target.k === 'jump' && !tables[p.table].has(rule.target.chain))
      throw new Error(`rule "${p.text}" jumps to missing chain ${rule.target.chain}`);
    chain.push(rule);
  }
  return tables;
}

interface State {
  daddr: string;
  dport: number;
  mark: number;
  dnat?: string;
  masquerade: boolean;
  updates: string[];
}
type Result = 'end' | 'accept' | 'drop' | 'reject';

class Tracer {
  constructor(
    private readonly t: IptTables,
    private readonly pkt: Packet,
    private readonly env: TraceEnv,
  ) {}

  private isLocal(ip: string): boolean {
    return this.env.nodeIps.includes(ip) || cidrContains('127.0.0.0/8', ip);
  }

  /** Every way a condition list can go: states that matched (with side effects). */
  private match(conds: Cond[], st: State): State[] {
    let cur: State[] = [st];
    for (const c of conds) {
      cur = cur.flatMap((s): State[] => {
        switch (c.k) {
          case 'addr': {
            const hit = cidrContains(c.cidr, c.which === 'src' ? this.pkt.src : s.daddr);
            return hit !== c.neg ? [s] : [];
          }
          case 'proto':
            return this.pkt.proto === c.proto ? [s] : [];
          case 'dport':
            return this.pkt.proto === c.proto && s.dport === c.port ? [s] : [];
          case 'stat':
            return c.p >= 1 ? [s] : c.p <= 0 ? [] : [s]; // the non-matching way is the caller's fall-through
          case 'rcheck':
            return (this.env.affinity?.[c.name] ?? []).includes(this.pkt.src) ? [s] : [];
          case 'rset':
            return [{ ...s, updates: [...s.updates, c.name] }];
          case 'srcLocal':
            return this.pkt.fromLocal || this.isLocal(this.pkt.src) ? [s] : [];
          case 'mark':
            return ((s.mark & c.mask) === c.value) !== c.neg ? [s] : [];
          case 'ctNew':
            return [s];
        }
      });
    }
    return cur;
  }

  run(table: 'nat' | 'filter', name: string, st: State, depth = 0): [State, Result][] {
    if (depth > 32) throw new Error(`chain loop through ${name}`);
    const rules =
      this.t[table].get(name) ??
      (() => {
        throw new Error(`no chain ${table} ${name}`);
      })();
    return this.from(table, rules, 0, st, depth);
  }

  private from(table: 'nat' | 'filter', rules: Rule[], i: number, st: State, depth: number): [State, Result][] {
    if (i >= rules.length) return [[st, 'end']];
    const r = rules[i]!;
    const outs: [State, Result][] = [];
    // A random draw can also miss: that way goes on to the next rule.
    const mayMiss = r.conds.some((c) => c.k === 'stat' && c.p > 0 && c.p < 1);
    const matched = this.match(r.conds, st);
    if (!matched.length || mayMiss) outs.push(...this.from(table, rules, i + 1, st, depth));
    for (const s of matched) {
      const tg = r.target;
      switch (tg.k) {
        case 'ACCEPT':
          outs.push([s, 'accept']);
          break;
        case 'DROP':
          outs.push([s, 'drop']);
          break;
        case 'REJECT':
          outs.push([s, 'reject']);
          break;
        case 'RETURN':
          outs.push([s, 'end']);
          break;
        case 'DNAT':
          outs.push([{ ...s, dnat: `${tg.ip}:${tg.port}`, daddr: tg.ip, dport: tg.port }, 'accept']);
          break;
        case 'MASQUERADE':
          outs.push([{ ...s, masquerade: true }, 'accept']);
          break;
        case 'MARK':
          outs.push(
            ...this.from(table, rules, i + 1, { ...s, mark: tg.op === 'or' ? s.mark | tg.v : s.mark ^ tg.v }, depth),
          );
          break;
        case 'jump':
          for (const [s2, res] of this.run(table, tg.chain, s, depth + 1)) {
            if (res === 'end') outs.push(...this.from(table, rules, i + 1, s2, depth));
            else outs.push([s2, res]);
          }
          break;
      }
    }
    return outs;
  }
}

/** Every way a new connection can go (one per spread branch, duplicates merged). */
export function traceIpt(tables: IptTables, pkt: Packet, env: TraceEnv): Outcome[] {
  const tracer = new Tracer(tables, pkt, env);
  type Branch = { st: State; done?: Outcome['verdict'] };
  const hook = (branches: Branch[], table: 'nat' | 'filter', chain: string): Branch[] =>
    branches.flatMap((b) => {
      if (b.done) return [b];
      return tracer
        .run(table, chain, b.st)
        .map(([st, r]): Branch =>
          r === 'drop' ? { st, done: 'DROP' } : r === 'reject' ? { st, done: 'REJECT' } : { st },
        );
    });
  const start: Branch = { st: { daddr: pkt.dst, dport: pkt.port, mark: 0, masquerade: false, updates: [] } };
  let branches: Branch[];
  if (pkt.fromLocal) {
    branches = hook(hook(hook([start], 'nat', 'OUTPUT'), 'filter', 'OUTPUT'), 'nat', 'POSTROUTING');
  } else {
    branches = hook([start], 'nat', 'PREROUTING').flatMap((b) => {
      if (b.done) return [b];
      const local = env.nodeIps.includes(b.st.daddr) || cidrContains('127.0.0.0/8', b.st.daddr);
      return local ? hook([b], 'filter', 'INPUT') : hook(hook([b], 'filter', 'FORWARD'), 'nat', 'POSTROUTING');
    });
  }
  const seen = new Map<string, Outcome>();
  for (const b of branches) {
    const o: Outcome = {
      verdict: b.done ?? 'ACCEPT',
      ...(b.st.dnat ? { dnat: b.st.dnat } : {}),
      masquerade: !b.done && b.st.masquerade,
      updates: b.st.updates,
    };
    seen.set(JSON.stringify(o), o);
  }
  return [...seen.values()];
}

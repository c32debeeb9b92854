/**
 * A packet tracer over a rendered table, the way kube-proxy tests its
 * rules: follow a new connection through the base chains of each hook in
 * priority order, every branch of a numgen spread, and report what the
 * kernel would do. A rule it cannot parse throws, so a rule the renderer
 * emits but the tracer does not understand fails the tests. Pure.
 */
import { cidrContains } from '../../api/ipv4.js';
import type { NftChain, NftTable } from './model.js';

export interface Packet {
  src: string;
  dst: string;
  proto: 'tcp' | 'udp' | 'sctp';
  port: number;
  /** Sent by a process on the node (output hook) rather than arriving from a pod or another host. */
  fromLocal: boolean;
}

export interface TraceEnv {
  /** The node's own addresses (routing to input, `fib ... type local`). */
  nodeIps: string[];
  /** Affinity sets' contents: set name -> client addresses in it. */
  affinity?: Record<string, string[]>;
}

export interface Outcome {
  verdict: 'ACCEPT' | 'DROP' | 'REJECT';
  /** "ip:port" when the connection was DNATed. */
  dnat?: string;
  masquerade: boolean;
  /** Affinity sets the packet's source was added to. */
  updates: string[];
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
    private readonly table: NftTable,
    private readonly pkt: Packet,
    private readonly env: TraceEnv,
  ) {}

  private chain(name: string): NftChain {
    const c = this.table.chains.get(name);
    if (!c) throw new Error(`rule refers to chain ${name}, which does not exist`);
    return c;
  }

  private setHas(name: string, value: string, key?: string): boolean {
    const s = this.table.sets.get(name);
    if (!s) throw new Error(`rule refers to set ${name}, which does not exist`);
    if (s.dynamic) return (this.env.affinity?.[name] ?? []).includes(value);
    return s.elements.has(key ?? value);
  }

  private isLocal(ip: string): boolean {
    return this.env.nodeIps.includes(ip) || cidrContains('127.0.0.0/8', ip);
  }

  /** Runs a chain; one result per branch. */
  run(name: string, st: State, depth = 0): [State, Result][] {
    if (depth > 32) throw new Error(`chain loop through ${name}`);
    return this.runFrom(this.chain(name).rules, 0, st, depth, name);
  }

  private runFrom(rules: string[], i: number, st: State, depth: number, chainName: string): [State, Result][] {
    if (i >= rules.length) return [[st, 'end']];
    const outs: [State, Result][] = [];
    for (const [s2, r] of this.rule(rules[i]!, st, depth, chainName)) {
      if (r === 'next') outs.push(...this.runFrom(rules, i + 1, s2, depth, chainName));
      else outs.push([s2, r]);
    }
    return outs;
  }

  /** Follows a verdict string ("goto X", "jump X", "drop", ...). */
  private verdict(v: string, st: State, depth: number): [State, Result | 'next'][] {
    const [word, target] = v.trim().split(/\s+/);
    switch (word) {
      case 'accept':
        return [[st, 'accept']];
      case 'drop':
        return [[st, 'drop']];
      case 'return':
        return [[st, 'end']];
      case 'jump':
        return this.run(target!, st, depth + 1).map(([s, r]) => [s, r === 'end' ? 'next' : r]);
      case 'goto':
        return this.run(target!, st, depth + 1);
      default:
        throw new Error(`tracer does not understand verdict "${v}"`);
    }
  }

  /** Evaluates one rule: 'next' when it did not end the chain. */
  private rule(text: string, input: State, depth: number, chainName: string): [State, Result | 'next'][] {
    const fail = (why: string): never => {
      throw new Error(`tracer does not understand rule in ${chainName}: "${text}" (${why})`);
    };
    const t = text.split(/\s+/);
    let i = 0;
    const st: State = { ...input, updates: [...input.updates] };
    const { pkt } = this;
    const addrMatch = (actual: string, neg: boolean, v: string): boolean => {
      const hit = v.startsWith('@') ? this.setHas(v.slice(1), actual) : cidrContains(v, actual);
      return neg ? !hit : hit;
    };
    while (i < t.length) {
      const w = t[i]!;
      // ---- verdict maps
      if (w === 'ip' && t[i + 1] === 'daddr' && t[i + 2] === '.') {
        if (t.slice(i, i + 9).join(' ') !== 'ip daddr . meta l4proto . th dport vmap') fail('unknown concatenation');
        const map = t[i + 9]!;
        if (!map.startsWith('@') || i + 10 !== t.length) fail('vmap needs a named map at the end');
        const s = this.table.sets.get(map.slice(1)) ?? fail(`no map ${map}`);
        const v = s.elements.get(`${st.daddr} . ${pkt.proto} . ${st.dport}`);
        return v === undefined ? [[st, 'next']] : this.verdict(v, st, depth);
      }
      if (w === 'numgen' && t[i + 1] === 'random' && t[i + 2] === 'mod' && /^\d+$/.test(t[i + 4] ?? '')) {
        // `numgen random mod K 0 ...`: a fresh draw; both ways are possible (unless K is 1).
        const k = Number(t[i + 3]);
        if (!(k >= 1) || t[i + 4] !== '0') fail('numgen match must be "mod K 0"');
        const rest = t.slice(i + 5).join(' ');
        if (!rest) fail('numgen match needs a statement after it');
        const matched = this.rule(rest, st, depth, chainName);
        return k === 1 ? matched : [[st, 'next'], ...matched];
      }
      if (w === 'numgen') {
        const m = /^numgen random mod (\d+) vmap \{ (.*) \}$/.exec(t.slice(i).join(' ')) ?? fail('numgen form');
        const entries = m[2]!.split(', ').map((e) => /^(\d+) : (.+)$/.exec(e) ?? fail(`numgen entry ${e}`));
        if (entries.length !== Number(m[1])) fail('numgen mod does not match its entries');
        if (entries.some((e, idx) => Number(e[1]) !== idx)) fail('numgen entries must be 0..N-1');
        return entries.flatMap((e) => this.verdict(e[2]!, st, depth));
      }
      // ---- matches
      if (w === 'ip' && t[i + 1] === 'saddr' && t[i + 2] === '.') {
        if (t.slice(i, i + 5).join(' ') !== 'ip saddr . ip daddr') fail('unknown concatenation');
        const set = t[i + 5] ?? '';
        if (!set.startsWith('@')) fail('address pair needs a named set');
        if (!this.setHas(set.slice(1), `${pkt.src} . ${st.daddr}`)) return [[st, 'next']];
        i += 6;
        continue;
      }
      if (w === 'ct' && t[i + 1] === 'state' && t[i + 2] === 'new') {
        i += 3;
        continue;
      }
      if (w === 'ip' && (t[i + 1] === 'saddr' || t[i + 1] === 'daddr')) {
        const neg = t[i + 2] === '!=';
        const v = t[i + (neg ? 3 : 2)] ?? fail('address missing');
        const actual = t[i + 1] === 'saddr' ? pkt.src : st.daddr;
        if (!addrMatch(actual, neg, v)) return [[st, 'next']];
        i += neg ? 4 : 3;
        continue;
      }
      if (w === 'meta' && t[i + 1] === 'l4proto') {
        if (t[i + 2] !== pkt.proto) return [[st, 'next']];
        i += 3;
        continue;
      }
      if ((w === 'tcp' || w === 'udp' || w === 'sctp') && t[i + 1] === 'dport') {
        if (w !== pkt.proto || Number(t[i + 2]) !== st.dport) return [[st, 'next']];
        i += 3;
        continue;
      }
      if (w === 'fib' && t[i + 2] === 'type' && t[i + 3] === 'local') {
        const which = t[i + 1];
        const local =
          which === 'saddr'
            ? pkt.fromLocal || this.isLocal(pkt.src)
            : which === 'daddr'
              ? this.isLocal(st.daddr)
              : fail('fib saddr|daddr');
        if (!local) return [[st, 'next']];
        i += 4;
        continue;
      }
      if (w === 'meta' && t[i + 1] === 'mark' && t[i + 2] === '&') {
        if (t[i + 4] !== '==') fail('mark test form');
        if ((st.mark & Number(t[i + 3])) !== Number(t[i + 5])) return [[st, 'next']];
        i += 6;
        continue;
      }
      // ---- statements
      if (w === 'meta' && t[i + 1] === 'mark' && t[i + 2] === 'set') {
        if (t[i + 3] !== 'meta' || t[i + 4] !== 'mark') fail('mark set form');
        const v = Number(t[i + 6]);
        if (t[i + 5] === '|') st.mark |= v;
        else if (t[i + 5] === '^') st.mark ^= v;
        else fail(`mark operator ${t[i + 5]}`);
        i += 7;
        continue;
      }
      if (w === 'update') {
        if (t.slice(i + 2, i + 6).join(' ') !== '{ ip saddr }') fail('update form');
        st.updates.push(t[i + 1]!.replace(/^@/, ''));
        i += 6;
        continue;
      }
      if (w === 'dnat' && t[i + 1] === 'ip' && t[i + 2] === 'to' && t[i + 3] === 'ip') {
        // A spread pool: one branch per slot of `ip daddr . P dport . numgen random mod K map @M`; a slot with no element matches nothing.
        const m =
          /^ip daddr \. (tcp|udp|sctp) dport \. numgen random mod (\d+) map @(\S+)$/.exec(t.slice(i + 3).join(' ')) ??
          fail('dnat map form');
        if (m[1] !== pkt.proto) fail("the map's protocol differs from the l4proto match before it");
        const map = this.table.sets.get(m[3]!) ?? fail(`no map ${m[3]}`);
        const outs: [State, Result | 'next'][] = [];
        for (let slot = 0; slot < Number(m[2]); slot++) {
          const v = map.elements.get(`${st.daddr} . ${st.dport} . ${slot}`);
          if (v === undefined) {
            outs.push([st, 'next']);
            continue;
          }
          const e = /^(\d+\.\d+\.\d+\.\d+) \. (\d+)$/.exec(v) ?? fail(`map value ${v}`);
          outs.push([{ ...st, dnat: `${e[1]}:${e[2]}`, daddr: e[1]!, dport: Number(e[2]) }, 'accept']);
        }
        return outs;
      }
      if (w === 'dnat' && t[i + 1] === 'ip' && t[i + 2] === 'to' && t[i + 3] === 'numgen') {
        // One branch per entry of `numgen random mod N map { 0 : IP . PORT, ... }`.
        const m =
          /^numgen random mod (\d+) map \{ (.*) \}$/.exec(t.slice(i + 3).join(' ')) ?? fail('dnat numgen map form');
        const entries = m[2]!
          .split(', ')
          .map((e) => /^(\d+) : (\d+\.\d+\.\d+\.\d+) \. (\d+)$/.exec(e) ?? fail(`dnat map entry ${e}`));
        if (entries.length !== Number(m[1])) fail('numgen mod does not match its entries');
        if (entries.some((e, idx) => Number(e[1]) !== idx)) fail('numgen entries must be 0..N-1');
        return entries.map((e) => [{ ...st, dnat: `${e[2]}:${e[3]}`, daddr: e[2]!, dport: Number(e[3]) }, 'accept']);
      }
      if (w === 'dnat' && t[i + 1] === 'to') {
        const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(t[i + 2] ?? '') ?? fail('dnat to IP:port');
        if (i + 3 !== t.length) fail('dnat must end the rule');
        return [[{ ...st, dnat: m[0], daddr: m[1]!, dport: Number(m[2]) }, 'accept']];
      }
      if (w === 'masquerade') {
        if (t.slice(i).join(' ') !== 'masquerade fully-random') fail('masquerade form');
        return [[{ ...st, masquerade: true }, 'accept']];
      }
      if (w === 'reject') {
        const rest = t.slice(i + 1).join(' ');
        if (rest !== '' && rest !== 'with tcp reset') fail('reject form');
        return [[st, 'reject']];
      }
      if (w === 'accept' || w === 'drop' || w === 'return' || w === 'jump' || w === 'goto') {
        const n = w === 'jump' || w === 'goto' ? 2 : 1;
        if (i + n !== t.length) fail(`${w} must end the rule`);
        return this.verdict(t.slice(i).join(' '), st, depth);
      }
      fail(`unknown token "${w}"`);
    }
    return [[st, 'next']];
  }
}

/** Every way a new connection can go through the table (one per spread branch, duplicates merged). */
export function traceNft(table: NftTable, pkt: Packet, env: TraceEnv): Outcome[] {
  const tracer = new Tracer(table, pkt, env);
  const hooks = (name: string) =>
    [...table.chains.values()].filter((c) => c.base?.hook === name).sort((a, b) => a.base!.priority - b.base!.priority);
  type Branch = { st: State; done?: Outcome['verdict'] };
  const runHook = (branches: Branch[], hook: string): Branch[] => {
    let cur = branches;
    for (const base of hooks(hook)) {
      cur = cur.flatMap((b) => {
        if (b.done) return [b];
        // NAT chains see only the first packet, and only until one NAT statement fired.
        if (
          base.base!.type === 'nat' &&
          ((hook !== 'postrouting' && b.st.dnat) || (hook === 'postrouting' && b.st.masquerade))
        )
          return [b];
        return tracer
          .run(base.name, b.st)
          .map(([st, r]): Branch =>
            r === 'drop' ? { st, done: 'DROP' } : r === 'reject' ? { st, done: 'REJECT' } : { st },
          );
      });
    }
    return cur;
  };
  const start: Branch = { st: { daddr: pkt.dst, dport: pkt.port, mark: 0, masquerade: false, updates: [] } };
  let branches: Branch[];
  if (pkt.fromLocal) {
    branches = runHook(runHook([start], 'output'), 'postrouting');
  } else {
    branches = runHook([start], 'prerouting').flatMap((b) => {
      if (b.done) return [b];
      const isLocal = env.nodeIps.includes(b.st.daddr) || cidrContains('127.0.0.0/8', b.st.daddr);
      return isLocal ? runHook([b], 'input') : runHook(runHook([b], 'forward'), 'postrouting');
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

/** The short form tests compare: DNAT targets (sorted) and whether masqueraded, or the verdict. */
export function summarize(outcomes: Outcome[]): string {
  const verdicts = new Set(outcomes.map((o) => (o.dnat ? 'DNAT' : o.verdict)));
  if (verdicts.size !== 1) return `MIXED ${outcomes.map((o) => o.dnat ?? o.verdict).join(',')}`;
  const [v] = verdicts;
  if (v !== 'DNAT') return outcomes[0]!.verdict + (outcomes[0]!.masquerade ? ' masq' : '');
  const eps = [...new Set(outcomes.map((o) => o.dnat!))].sort().join(',');
  const masq = new Set(outcomes.map((o) => o.masquerade));
  return `DNAT ${eps}${masq.size > 1 ? ' masq-mixed' : masq.has(true) ? ' masq' : ''}`;
}

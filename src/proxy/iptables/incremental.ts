/**
 * kube-proxy's MinimizeIPTablesRestore for podnet: what the KUBE-* chains
 * hold, per service port, so an incremental sync writes only the changed
 * ports' KUBE-SVC/EXT/SEP chains and edits their lines in the shared
 * chains in place (`-D` the old line, `-I ... 1` the new one) instead of
 * rewriting KUBE-SERVICES, whose size grows with the cluster. Inserting at
 * the top keeps every port's own line before the catch-alls that end the
 * chains (node-ports jumps in nat, ClusterIP rejects and the unallocated
 * drop in filter); lines of different ports never overlap, so their order
 * among themselves does not matter. Pure; the backend drops it after a
 * failed restore.
 */
import type { PortChange } from '../changes.js';
import type { ProxyNode, ProxyState } from '../types.js';
import { clusterIpRejectRule, iptRuleCount, renderIptables, renderIptPort, type IptPortFragment } from './render.js';

const asDelete = (rule: string): string => rule.replace(/^-A /, '-D ');
const asInsert = (rule: string): string => rule.replace(/^-A (\S+) /, '-I $1 1 ');

/** Lines of `a` not in `b`. */
const minus = (a: string[], b: string[]): string[] => {
  const s = new Set(b);
  return a.filter((x) => !s.has(x));
};
const sameRules = (a: string[], b: string[]): boolean =>
  a === b || (a.length === b.length && a.every((r, i) => r === b[i]));

export class AppliedIptables {
  private readonly fragments = new Map<string, IptPortFragment>();
  /** ClusterIP -> the ports using it (its catch-all REJECT lives while any does). */
  private readonly clusterIps = new Map<string, Set<string>>();
  private ruleTotal = 0;

  /** After a full restore of `state`. */
  constructor(state: ProxyState) {
    this.ruleTotal = iptRuleCount(renderIptables(state));
    for (const p of state.ports) this.own(p.id, renderIptPort(p, state.node));
  }

  get rules(): number {
    return this.ruleTotal;
  }

  /** iptables-restore --noflush input for these changes ('' when nothing changes); records them as applied. */
  plan(changes: PortChange[], node: ProxyNode): string {
    const nat = {
      declare: [] as string[],
      rules: [] as string[],
      del: [] as string[],
      ins: [] as string[],
      drop: [] as string[],
    };
    const filter = { del: [] as string[], ins: [] as string[] };
    // ClusterIPs these ports use, and whether each had a catch-all before (only these can change).
    const ipsBefore = new Map<string, boolean>();
    const shared = (
      b: IptPortFragment | undefined,
      a: IptPortFragment | undefined,
      pick: (f: IptPortFragment) => string[],
      out: { del: string[]; ins: string[] },
    ) => {
      const before = b ? pick(b) : [];
      const after = a ? pick(a) : [];
      out.del.push(...minus(before, after).map(asDelete));
      out.ins.push(...minus(after, before).map(asInsert));
    };
    for (const c of changes) {
      const b = this.fragments.get(c.id);
      const a = c.next ? renderIptPort(c.next, node) : undefined;
      for (const ip of [b?.clusterIP, a?.clusterIP])
        if (ip && !ipsBefore.has(ip)) ipsBefore.set(ip, this.clusterIps.has(ip));
      if (b) this.disown(c.id, b);
      if (a) this.own(c.id, a);
      for (const [chain, rules] of a?.chains ?? []) {
        const old = b?.chains.get(chain);
        if (old && sameRules(old, rules)) continue;
        nat.declare.push(`:${chain} - [0:0]`); // declaring flushes it
        nat.rules.push(...rules);
        this.ruleTotal += rules.length - (old?.length ?? 0);
      }
      for (const [chain, rules] of b?.chains ?? []) {
        if (a?.chains.has(chain)) continue;
        nat.declare.push(`:${chain} - [0:0]`);
        nat.drop.push(`-X ${chain}`);
        this.ruleTotal -= rules.length;
      }
      shared(b, a, (f) => f.natServices, nat);
      shared(b, a, (f) => f.natNodePorts, nat);
      shared(b, a, (f) => f.filterServices, filter);
    }
    // A ClusterIP's catch-all goes in before its ports' lines are inserted above it, and out with its last port.
    const goneIps = [...ipsBefore].filter(([ip, had]) => had && !this.clusterIps.has(ip)).map(([ip]) => ip);
    const newIps = [...ipsBefore].filter(([ip, had]) => !had && this.clusterIps.has(ip)).map(([ip]) => ip);
    filter.del.push(...goneIps.map((ip) => asDelete(clusterIpRejectRule(ip))));
    filter.ins.unshift(...newIps.map((ip) => asInsert(clusterIpRejectRule(ip))));
    for (const x of [nat.del, filter.del]) this.ruleTotal -= x.length;
    for (const x of [nat.ins, filter.ins]) this.ruleTotal += x.length;

    const out: string[] = [];
    const natLines = [...nat.declare, ...nat.rules, ...nat.del, ...nat.ins, ...nat.drop];
    if (natLines.length) out.push('*nat', ...natLines, 'COMMIT');
    const filterLines = [...filter.del, ...filter.ins];
    if (filterLines.length) out.push('*filter', ...filterLines, 'COMMIT');
    return out.length ? `${out.join('\n')}\n` : '';
  }

  private own(id: string, f: IptPortFragment): void {
    this.fragments.set(id, f);
    const s = this.clusterIps.get(f.clusterIP) ?? new Set<string>();
    s.add(id);
    this.clusterIps.set(f.clusterIP, s);
  }

  private disown(id: string, f: IptPortFragment): void {
    this.fragments.delete(id);
    const s = this.clusterIps.get(f.clusterIP);
    s?.delete(id);
    if (s && !s.size) this.clusterIps.delete(f.clusterIP);
  }
}

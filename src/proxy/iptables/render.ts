/**
 * Desired proxy state -> iptables-restore input in kube-proxy's iptables
 * shape: nat KUBE-SERVICES -> KUBE-SVC-* / KUBE-EXT-* (KUBE-NODEPORTS for
 * node ports) -> KUBE-SEP-* with statistic-probability spreading,
 * KUBE-MARK-MASQ / KUBE-POSTROUTING for masquerade, and a filter
 * KUBE-SERVICES chain that rejects services without endpoints and drops
 * unallocated service addresses. Pure; applied with --noflush so only our
 * chains change.
 */
import { iptEndpointChain, iptExternalChain, iptServiceChain } from '../names.js';
import type { Endpoint, ProxyNode, ProxyState, ServicePortState } from '../types.js';

export const MASQ_MARK = '0x4000';

interface IptTable {
  chains: Map<string, string[]>;
}
export interface IptRules {
  nat: IptTable;
  filter: IptTable;
}

/** Jumps from the built-in chains into ours (kept with -C/-I outside the restore). */
export const JUMPS: { table: 'nat' | 'filter'; chain: string; args: string[] }[] = [
  {
    table: 'nat',
    chain: 'PREROUTING',
    args: ['-m', 'comment', '--comment', 'podnet service portals', '-j', 'KUBE-SERVICES'],
  },
  {
    table: 'nat',
    chain: 'OUTPUT',
    args: ['-m', 'comment', '--comment', 'podnet service portals', '-j', 'KUBE-SERVICES'],
  },
  {
    table: 'nat',
    chain: 'POSTROUTING',
    args: ['-m', 'comment', '--comment', 'podnet postrouting rules', '-j', 'KUBE-POSTROUTING'],
  },
  {
    table: 'filter',
    chain: 'INPUT',
    args: [
      '-m',
      'conntrack',
      '--ctstate',
      'NEW',
      '-m',
      'comment',
      '--comment',
      'podnet service checks',
      '-j',
      'KUBE-SERVICES',
    ],
  },
  {
    table: 'filter',
    chain: 'FORWARD',
    args: [
      '-m',
      'conntrack',
      '--ctstate',
      'NEW',
      '-m',
      'comment',
      '--comment',
      'podnet service checks',
      '-j',
      'KUBE-SERVICES',
    ],
  },
  {
    table: 'filter',
    chain: 'OUTPUT',
    args: [
      '-m',
      'conntrack',
      '--ctstate',
      'NEW',
      '-m',
      'comment',
      '--comment',
      'podnet service checks',
      '-j',
      'KUBE-SERVICES',
    ],
  },
];

const portMatch = (p: ServicePortState, port: number): string => `-p ${p.protocol} -m ${p.protocol} --dport ${port}`;
const comment = (text: string): string => `-m comment --comment "${text}"`;

/** kube-proxy's spread: rule i of n matches with probability 1/(n-i); the last always. */
function spread(chain: string, p: ServicePortState, eps: Endpoint[]): string[] {
  const rules: string[] = [];
  if (p.affinitySeconds !== undefined) {
    for (const e of eps) {
      const sep = iptEndpointChain(p, e);
      rules.push(
        `-A ${chain} ${comment(`${p.id} -> ${e.ip}:${e.port}`)} -m recent --name ${sep} --mask 255.255.255.255 --rsource --rcheck --seconds ${p.affinitySeconds} --reap -j ${sep}`,
      );
    }
  }
  eps.forEach((e, i) => {
    const left = eps.length - i;
    const stat = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(10)}` : '';
    rules.push(`-A ${chain} ${comment(`${p.id} -> ${e.ip}:${e.port}`)}${stat} -j ${iptEndpointChain(p, e)}`);
  });
  return rules;
}

/** One service port's share of the rules: its own chains, and its lines in the shared chains. */
export interface IptPortFragment {
  node: ProxyNode;
  /** KUBE-SVC-* / KUBE-EXT-* / KUBE-SEP-* (nat), each with its rules. */
  chains: Map<string, string[]>;
  /** Its lines in nat KUBE-SERVICES and KUBE-NODEPORTS, and in filter KUBE-SERVICES (REJECT / DROP). */
  natServices: string[];
  natNodePorts: string[];
  filterServices: string[];
  clusterIP: string;
}

/** Fragments by state identity (states are never mutated; unchanged ports keep their object). */
const fragments = new WeakMap<ServicePortState, IptPortFragment>();

export function renderIptPort(p: ServicePortState, node: ProxyNode): IptPortFragment {
  const cached = fragments.get(p);
  if (cached && cached.node === node) return cached;
  const f: IptPortFragment = {
    node,
    chains: new Map(),
    natServices: [],
    natNodePorts: [],
    filterServices: [],
    clusterIP: p.clusterIP,
  };
  const add = (chain: string, rule: string) => {
    const l = f.chains.get(chain) ?? [];
    l.push(rule);
    f.chains.set(chain, l);
  };
  const { clusterCidr } = node;
  const missing = p.hasEndpoints
    ? 'DROP'
    : p.protocol === 'tcp'
      ? 'REJECT --reject-with tcp-reset'
      : 'REJECT --reject-with icmp-port-unreachable';
  const seps = new Map<string, Endpoint>();
  if (p.clusterEndpoints.length) {
    const svc = iptServiceChain(p);
    f.natServices.push(
      `-A KUBE-SERVICES -d ${p.clusterIP}/32 ${portMatch(p, p.port)} ${comment(`${p.id} cluster IP`)} -j ${svc}`,
    );
    add(
      svc,
      `-A ${svc} ! -s ${clusterCidr} -d ${p.clusterIP}/32 ${portMatch(p, p.port)} ${comment(`${p.id} cluster IP`)} -j KUBE-MARK-MASQ`,
    );
    for (const r of spread(svc, p, p.clusterEndpoints)) add(svc, r);
    for (const e of p.clusterEndpoints) seps.set(iptEndpointChain(p, e), e);
  } else {
    f.filterServices.push(
      `-A KUBE-SERVICES -d ${p.clusterIP}/32 ${portMatch(p, p.port)} ${comment(`${p.id} has no endpoints`)} -j ${missing}`,
    );
  }

  const externals: { chain: 'KUBE-SERVICES' | 'KUBE-NODEPORTS'; match: string }[] = [
    ...p.externalIPs.map((ip) => ({ chain: 'KUBE-SERVICES' as const, match: `-d ${ip}/32 ${portMatch(p, p.port)}` })),
    ...(p.nodePort
      ? node.ips.map((ip) => ({ chain: 'KUBE-NODEPORTS' as const, match: `-d ${ip}/32 ${portMatch(p, p.nodePort!)}` }))
      : []),
  ];
  if (!externals.length) {
    /* nothing external */
  } else if (p.externalEndpoints.length) {
    const ext = iptExternalChain(p);
    for (const x of externals)
      (x.chain === 'KUBE-SERVICES' ? f.natServices : f.natNodePorts).push(
        `-A ${x.chain} ${x.match} ${comment(`${p.id} external`)} -j ${ext}`,
      );
    if (p.externalLocal) {
      if (p.clusterEndpoints.length) {
        add(ext, `-A ${ext} -s ${clusterCidr} ${comment('pod traffic goes cluster-wide')} -j ${iptServiceChain(p)}`);
        add(ext, `-A ${ext} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`);
        add(ext, `-A ${ext} -m addrtype --src-type LOCAL -j ${iptServiceChain(p)}`);
      }
    } else {
      add(ext, `-A ${ext} -j KUBE-MARK-MASQ`);
    }
    for (const r of spread(ext, p, p.externalEndpoints)) add(ext, r);
    for (const e of p.externalEndpoints) seps.set(iptEndpointChain(p, e), e);
  } else {
    for (const x of externals)
      f.filterServices.push(`-A KUBE-SERVICES ${x.match} ${comment(`${p.id} has no endpoints`)} -j ${missing}`);
  }

  for (const [sep, e] of seps) {
    add(sep, `-A ${sep} -s ${e.ip}/32 -j KUBE-MARK-MASQ`);
    const recent =
      p.affinitySeconds !== undefined ? ` -m recent --name ${sep} --mask 255.255.255.255 --rsource --set` : '';
    add(sep, `-A ${sep} -p ${p.protocol}${recent} -m ${p.protocol} -j DNAT --to-destination ${e.ip}:${e.port}`);
  }
  fragments.set(p, f);
  return f;
}

/** Filter KUBE-SERVICES: a ClusterIP on a port its Service does not serve is rejected (after every port's own line). */
export const clusterIpRejectRule = (ip: string): string =>
  `-A KUBE-SERVICES -d ${ip}/32 ${comment('a port this ClusterIP does not serve')} -j REJECT`;

/** The chains that are the same whatever the Services. */
function fixedNat(): Map<string, string[]> {
  return new Map([
    ['KUBE-MARK-MASQ', [`-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`]],
    [
      'KUBE-POSTROUTING',
      [
        `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
        `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
        `-A KUBE-POSTROUTING ${comment('podnet service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
      ],
    ],
  ]);
}

/** Node ports last in nat KUBE-SERVICES, as kube-proxy does. */
const nodePortsJumps = (node: ProxyNode): string[] =>
  node.ips.map((ip) => `-A KUBE-SERVICES -d ${ip}/32 ${comment('node ports')} -j KUBE-NODEPORTS`);
/** Last in filter KUBE-SERVICES: addresses no Service holds. */
const unallocatedDrop = (node: ProxyNode): string =>
  `-A KUBE-SERVICES -d ${node.serviceCidr} ${comment('unallocated service address')} -j DROP`;

export function renderIptables(state: ProxyState): IptRules {
  const nat = new Map<string, string[]>([['KUBE-SERVICES', []], ['KUBE-NODEPORTS', []], ...fixedNat()]);
  const filterServices: string[] = [];
  const clusterIps = new Set<string>();
  for (const p of state.ports) {
    const f = renderIptPort(p, state.node);
    nat.get('KUBE-SERVICES')!.push(...f.natServices);
    nat.get('KUBE-NODEPORTS')!.push(...f.natNodePorts);
    filterServices.push(...f.filterServices);
    for (const [c, rules] of f.chains) nat.set(c, rules);
    clusterIps.add(f.clusterIP);
  }
  for (const ip of clusterIps) filterServices.push(clusterIpRejectRule(ip));
  filterServices.push(unallocatedDrop(state.node));
  nat.get('KUBE-SERVICES')!.push(...nodePortsJumps(state.node));
  return { nat: { chains: nat }, filter: { chains: new Map([['KUBE-SERVICES', filterServices]]) } };
}

/** Chains we own in a table: every KUBE-* chain. */
export const isOurChain = (name: string): boolean => name.startsWith('KUBE-');

/**
 * iptables-restore --noflush input: declaring a chain flushes it, so every
 * chain we own is rewritten; chains we had but no longer want are declared
 * (emptied) and then deleted. Built-in chains are never declared.
 */
export function restoreText(rules: IptRules, existing: { nat: string[]; filter: string[] }): string {
  const out: string[] = [];
  for (const name of ['nat', 'filter'] as const) {
    const t = rules[name].chains;
    const stale = existing[name].filter((c) => isOurChain(c) && !t.has(c));
    out.push(`*${name}`);
    for (const c of [...t.keys(), ...stale]) out.push(`:${c} - [0:0]`);
    for (const rs of t.values()) out.push(...rs);
    for (const c of stale) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return `${out.join('\n')}\n`;
}

export const iptRuleCount = (r: IptRules): number =>
  [...r.nat.chains.values(), ...r.filter.chains.values()].reduce((n, l) => n + l.length, 0);

/** Chain names declared in `iptables-save` output of one table. */
export function chainsInSave(save: string): string[] {
  return [...save.matchAll(/^:(\S+) /gm)].map((m) => m[1]!);
}

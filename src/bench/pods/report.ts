/** The pod benchmark's table, ratios, goals and a small hand-written SVG bar chart. */
import { median } from '../apiserver/stats.js';
import type { PathResult } from './netperf.js';
import type { DensityResult, StartLatencyResult } from './pod-phases.js';

interface Goal {
  goal: string;
  value: string;
  met: boolean | null;
}

interface NetSummary {
  paths: PathResult[];
  /** Pooled median of every veth run (both sessions). */
  veth: { gbps: number; rps: number };
  ratios: { path: string; gbpsVsVeth: number; rpsVsVeth: number }[];
  vxlanVsHostGw?: { sameNode: { gbps: number; rps: number }; crossNode: { gbps: number; rps: number } };
  /** podnet's vxlan cross-node path against the bare kernel VXLAN pair: what podnet adds on top of the kernel's overlay. */
  vxlanVsBareVxlan?: { gbps: number; rps: number };
}

/** The bare kernel VXLAN device over the veth baseline (netperf.ts, startVethPair). */
export const BARE_VXLAN_PATH = 'bare kernel vxlan pair';

export function summarizeNet(paths: PathResult[]): NetSummary {
  const vethRuns = paths.filter((p) => p.path.startsWith('veth'));
  const veth = {
    gbps: median(vethRuns.flatMap((p) => p.iperf.map((r) => r.gbps))),
    rps: median(vethRuns.flatMap((p) => p.wrk.map((r) => r.rps))),
  };
  const ratios = paths
    .filter((p) => !p.path.startsWith('veth'))
    .map((p) => ({ path: p.path, gbpsVsVeth: p.gbps / veth.gbps, rpsVsVeth: p.rps / veth.rps }));
  const find = (name: string) => paths.find((p) => p.path === name);
  const [vs, vc, hs, hc] = [
    find('vxlan same-node'),
    find('vxlan cross-node'),
    find('host-gw same-node'),
    find('host-gw cross-node'),
  ];
  const out: NetSummary = { paths, veth, ratios };
  const bare = find(BARE_VXLAN_PATH);
  if (bare && vc) out.vxlanVsBareVxlan = { gbps: vc.gbps / bare.gbps, rps: vc.rps / bare.rps };
  if (vs && vc && hs && hc) {
    out.vxlanVsHostGw = {
      sameNode: { gbps: vs.gbps / hs.gbps, rps: vs.rps / hs.rps },
      crossNode: { gbps: vc.gbps / hc.gbps, rps: vc.rps / hc.rps },
    };
  }
  return out;
}

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—');

export function goals(
  start: StartLatencyResult[],
  density: DensityResult | undefined,
  net: NetSummary | undefined,
): Goal[] {
  const g: Goal[] = [];
  for (const s of start) {
    const ok = s.ready === s.pods && s.toReady.p99 < 500;
    g.push({
      goal: `start p99 < 500 ms (${s.mode})`,
      value: `p99 ${f0(s.toReady.p99)} ms, ${s.ready}/${s.pods} Ready`,
      met: s.mode === 'paced' ? ok : null,
    });
  }
  if (density)
    g.push({
      goal: `${density.pods} pods on one node, no failures`,
      value: `${density.ready}/${density.pods} Ready, ${density.restarts} restarts, node ${density.clean ? 'clean' : 'NOT clean'} after delete`,
      met: density.failed === 0 && density.restarts === 0 && density.clean,
    });
  if (net?.vxlanVsHostGw)
    g.push({
      goal: 'VXLAN >= 0.9x host-gw throughput (cross-node)',
      value: `${f2(net.vxlanVsHostGw.crossNode.gbps)}x`,
      met: net.vxlanVsHostGw.crossNode.gbps >= 0.9,
    });
  return g;
}

export function formatTable(
  start: StartLatencyResult[],
  density: DensityResult | undefined,
  net: NetSummary | undefined,
  gs: Goal[],
): string {
  const rows: string[][] = [['metric', 'value']];
  for (const s of start) {
    rows.push([
      `start ${s.mode} (${s.pods} pods${s.rate ? ` at ${s.rate}/s` : ', all at once'}) create->Ready p50/p99/max`,
      `${f0(s.toReady.p50)} / ${f0(s.toReady.p99)} / ${f0(s.toReady.max)} ms (${s.ready}/${s.pods} Ready)`,
    ]);
    rows.push([
      `  of which bound->Ready (node agent) p50/p99`,
      `${f0(s.scheduledToReady.p50)} / ${f0(s.scheduledToReady.p99)} ms; scheduled p50 ${f0(s.toScheduled.p50)} ms`,
    ]);
  }
  if (density) {
    rows.push([
      `density: ${density.pods} pods on ${density.node}`,
      `${density.ready} Ready, ${density.failed} failed, ${density.restarts} restarts, all Ready in ${Number.isFinite(density.allReadyMs) ? `${(density.allReadyMs / 1000).toFixed(1)} s` : 'never'}`,
    ]);
    rows.push([
      '  delete: gone from API / node back to baseline',
      `${(density.deleteMs / 1000).toFixed(1)} s / ${(density.cleanMs / 1000).toFixed(1)} s (${density.clean ? 'clean' : 'LEFTOVERS'}: netns ${density.after.netns}/${density.before.netns}, veths ${density.after.veths}/${density.before.veths}, IPAM ${density.after.ipam}/${density.before.ipam}, procs ${density.after.processes}/${density.before.processes})`,
    ]);
  }
  if (net) {
    for (const p of net.paths) {
      const r = net.ratios.find((x) => x.path === p.path);
      rows.push([
        `${p.path}${p.mtu ? ` (MTU ${p.mtu})` : ''}`,
        `iperf3 ${f2(p.gbps)} Gbit/s${r ? ` (${f2(r.gbpsVsVeth)}x veth)` : ''}; wrk ${f0(p.rps)} req/s${r ? ` (${f2(r.rpsVsVeth)}x veth)` : ''}, p99 ${f2(p.wrkP99Ms)} ms`,
      ]);
    }
    if (net.vxlanVsHostGw) {
      const v = net.vxlanVsHostGw;
      rows.push(['VXLAN / host-gw, cross-node', `throughput ${f2(v.crossNode.gbps)}x, req/s ${f2(v.crossNode.rps)}x`]);
      rows.push([
        'VXLAN / host-gw, same-node (no overlay on this path)',
        `throughput ${f2(v.sameNode.gbps)}x, req/s ${f2(v.sameNode.rps)}x`,
      ]);
    }
    if (net.vxlanVsBareVxlan)
      rows.push([
        'VXLAN cross-node / bare kernel vxlan pair',
        `throughput ${f2(net.vxlanVsBareVxlan.gbps)}x, req/s ${f2(net.vxlanVsBareVxlan.rps)}x`,
      ]);
  }
  for (const g of gs)
    rows.push([`goal: ${g.goal}`, `${g.value} -> ${g.met === null ? 'n/a' : g.met ? 'MET' : 'MISSED'}`]);
  const w = Math.max(...rows.map((r) => r[0]!.length));
  return rows
    .map((r, i) => `${r[0]!.padEnd(w)}  ${r[1]}${i === 0 ? `\n${'-'.repeat(w)}  ${'-'.repeat(40)}` : ''}`)
    .join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Two panels of horizontal bars (throughput, request rate) and the start-latency figures as a caption. */
export function chartSvg(
  net: NetSummary | undefined,
  start: StartLatencyResult[],
  density: DensityResult | undefined,
  subtitle: string,
): string {
  const W = 760;
  const labelW = 190;
  const barMax = W - labelW - 120;
  const barH = 18;
  const gap = 6;
  const parts: string[] = [];
  let y = 28;
  parts.push(`<text x="12" y="${y}" font-size="16" font-weight="bold">podnet bench/pods</text>`);
  y += 18;
  parts.push(`<text x="12" y="${y}" font-size="11" fill="#555">${esc(subtitle)}</text>`);
  y += 16;
  const colour = (path: string) =>
    path.startsWith('veth')
      ? '#888'
      : path.startsWith('bare')
        ? '#b7791f'
        : path.startsWith('vxlan')
          ? '#2b6cb0'
          : '#2f855a';
  const panel = (title: string, unit: string, value: (p: PathResult) => number, fmt: (n: number) => string) => {
    if (!net) return;
    y += 14;
    parts.push(`<text x="12" y="${y}" font-size="13" font-weight="bold">${esc(title)}</text>`);
    y += 8;
    const max = Math.max(...net.paths.map(value).filter(Number.isFinite), 1e-9);
    for (const p of net.paths) {
      const v = value(p);
      const len = Number.isFinite(v) ? Math.max(1, (v / max) * barMax) : 0;
      const r = net.ratios.find((x) => x.path === p.path);
      const ratio = r ? ` (${(unit === 'Gbit/s' ? r.gbpsVsVeth : r.rpsVsVeth).toFixed(2)}x veth)` : '';
      parts.push(`<text x="${labelW - 6}" y="${y + barH - 5}" font-size="12" text-anchor="end">${esc(p.path)}</text>`);
      parts.push(`<rect x="${labelW}" y="${y}" width="${len.toFixed(1)}" height="${barH}" fill="${colour(p.path)}"/>`);
      parts.push(
        `<text x="${labelW + len + 5}" y="${y + barH - 5}" font-size="11">${esc(`${fmt(v)} ${unit}${ratio}`)}</text>`,
      );
      y += barH + gap;
    }
  };
  panel('TCP throughput, iperf3, 1 stream (median)', 'Gbit/s', (p) => p.gbps, f2);
  panel(`HTTP request rate, wrk -> nginx (median)`, 'req/s', (p) => p.rps, f0);
  if (start.length || density) {
    y += 14;
    parts.push(`<text x="12" y="${y}" font-size="13" font-weight="bold">Pod start, create -> Ready with IP</text>`);
    for (const s of start) {
      y += 18;
      parts.push(
        `<text x="24" y="${y}" font-size="12">${esc(`${s.mode} (${s.pods} pods${s.rate ? `, ${s.rate}/s` : ', all at once'}): p50 ${f0(s.toReady.p50)} ms, p99 ${f0(s.toReady.p99)} ms, max ${f0(s.toReady.max)} ms; ${s.ready}/${s.pods} Ready`)}</text>`,
      );
    }
    if (density) {
      y += 18;
      parts.push(
        `<text x="24" y="${y}" font-size="12">${esc(`${density.pods} pods on one node: ${density.ready} Ready, ${density.failed} failed, all Ready in ${Number.isFinite(density.allReadyMs) ? `${(density.allReadyMs / 1000).toFixed(1)} s` : '—'}, ${density.clean ? 'nothing left after delete' : 'LEFTOVERS after delete'}`)}</text>`,
      );
    }
  }
  y += 16;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}

/** A hand-written SVG of the results (no dependencies): QPS, p99 latency and RSS per scale, dnsmasq beside podnet, goals as lines. */
import { ANCHOR, GOALS } from './report.js';
import type { ScaleResult, ServerKind } from './scale-run.js';

interface Panel {
  title: string;
  unit: string;
  max: number;
  goal?: { value: number; label: string };
  value: (s: ScaleResult, k: ServerKind) => number;
  format: (v: number) => string;
}

const COLORS: Record<ServerKind, string> = { dnsmasq: '#969696', podnet: '#2171b5' };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const fig = (s: ScaleResult, k: ServerKind) => s.servers.find((x) => x.server === k)!;

function panel(p: Panel, scales: ScaleResult[], x0: number, w: number, h: number): string {
  const out: string[] = [];
  const left = x0 + 55,
    top = 30,
    plotW = w - 70,
    plotH = h - 70;
  const y = (v: number) => top + plotH - (Math.min(v, p.max) / p.max) * plotH;
  out.push(`<text x="${x0 + w / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const v = f * p.max;
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${left - 4}" y="${y(v) + 4}" text-anchor="end" font-size="10">${esc(p.format(v))}</text>`,
    );
  }
  const slot = plotW / scales.length;
  scales.forEach((s, i) => {
    (['dnsmasq', 'podnet'] as const).forEach((k, j) => {
      const v = p.value(s, k);
      if (!Number.isFinite(v)) return;
      const bx = left + i * slot + slot / 2 - 26 + j * 26;
      out.push(
        `<rect x="${bx}" y="${y(v)}" width="24" height="${top + plotH - y(v)}" fill="${COLORS[k]}"><title>${esc(`${k}: ${p.format(v)}`)}</title></rect>`,
      );
      out.push(`<text x="${bx + 12}" y="${y(v) - 3}" text-anchor="middle" font-size="9">${esc(p.format(v))}</text>`);
    });
    out.push(
      `<text x="${left + i * slot + slot / 2}" y="${top + plotH + 14}" text-anchor="middle" font-size="10">${s.services.toLocaleString('en-US')} Services</text>`,
    );
  });
  if (p.goal)
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(p.goal.value)}" y2="${y(p.goal.value)}" stroke="#238b45" stroke-dasharray="5,3"/><text x="${left + 6}" y="${top + 12}" font-size="10" fill="#238b45">${esc(`dashed: ${p.goal.label}`)}</text>`,
    );
  out.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/><line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
  );
  return out.join('\n');
}

const niceMax = (v: number) => {
  const e = 10 ** Math.floor(Math.log10(Math.max(v, 1e-9)));
  return Math.ceil((v * 1.15) / e) * e;
};

export function renderChart(scales: ScaleResult[], note: string): string {
  const all = (f: (s: ScaleResult, k: ServerKind) => number) =>
    scales.flatMap((s) => [f(s, 'dnsmasq'), f(s, 'podnet')]).filter(Number.isFinite);
  const qps = (s: ScaleResult, k: ServerKind) => fig(s, k).qps;
  const p99 = (s: ScaleResult, k: ServerKind) => fig(s, k).latency.latencyMs.p99;
  const rss = (s: ScaleResult, k: ServerKind) => fig(s, k).memory.rssMiB;
  const offered = scales[0]?.servers[0]?.latency.offeredQps ?? 0;
  const panels: Panel[] = [
    {
      title: 'Queries/s, saturated (higher is better)',
      unit: 'q/s',
      max: niceMax(Math.max(...all(qps), ANCHOR.dnsmasqQps)),
      goal: {
        value: ANCHOR.naiveNodeQps,
        label: `naive Node + dns-packet (issue): ${ANCHOR.naiveNodeQps.toLocaleString('en-US')}`,
      },
      value: qps,
      format: (v) => `${(v / 1000).toFixed(1)}k`,
    },
    {
      title: `Latency p99 at ${offered.toLocaleString('en-US')} q/s (lower is better)`,
      unit: 'ms',
      max: niceMax(Math.max(...all(p99))),
      value: p99,
      format: (v) => `${v.toFixed(2)} ms`,
    },
    {
      title: 'RSS serving (lower is better)',
      unit: 'MiB',
      max: niceMax(Math.max(...all(rss), GOALS.rssMiB)),
      goal: { value: GOALS.rssMiB, label: 'goal at 100k: 100 MB' },
      value: rss,
      format: (v) => `${v.toFixed(0)} MiB`,
    },
  ];
  const W = 1050,
    H = 320;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    ...panels.map((p, i) => panel(p, scales, i * 350, 350, 280)),
    ...(['dnsmasq', 'podnet'] as const).map(
      (k, i) =>
        `<rect x="${60 + i * 120}" y="${H - 34}" width="10" height="10" fill="${COLORS[k]}"/><text x="${74 + i * 120}" y="${H - 25}" font-size="10">${k === 'podnet' ? 'podnet dns' : 'dnsmasq 2.90'}</text>`,
    ),
    `<text x="10" y="${H - 8}" font-size="10" fill="#555">${esc(note)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** A hand-written SVG of the results (no dependencies): three bar panels with the goals drawn as lines. */
import { ANCHORS, GOALS, type ModeSummary } from './report.js';

/** `interval`: a 95 % interval, drawn as a whisker over the bar. */
interface Bar {
  label: string;
  value: number;
  color: string;
  interval?: [number, number];
}
interface Panel {
  title: string;
  unit: string;
  log: boolean;
  min: number;
  max: number;
  goal: { value: number; label: string };
  groups: { label: string; bars: Bar[] }[];
}

const COLORS: Record<string, [string, string]> = { nftables: ['#9ecae1', '#2171b5'], iptables: ['#fdae6b', '#d94801'] };
const ANCHOR_COLOR = '#969696';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const fmt = (v: number, unit: string) =>
  unit === 'ms'
    ? v >= 1000
      ? `${(v / 1000).toFixed(1)} s`
      : `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms`
    : v.toFixed(2);

function panel(p: Panel, x0: number, y0: number, w: number, h: number): string {
  const out: string[] = [];
  const left = x0 + 50;
  const top = y0 + 30;
  const plotH = h - 90;
  const plotW = w - 60;
  const y = (v: number) => {
    const c = Math.min(Math.max(v, p.min), p.max);
    const f = p.log
      ? (Math.log10(c) - Math.log10(p.min)) / (Math.log10(p.max) - Math.log10(p.min))
      : (c - p.min) / (p.max - p.min);
    return top + plotH - f * plotH;
  };
  out.push(`<text x="${x0 + w / 2}" y="${y0 + 16}" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  const ticks = p.log
    ? Array.from({ length: Math.round(Math.log10(p.max / p.min)) + 1 }, (_, i) => p.min * 10 ** i)
    : [0, 0.25, 0.5, 0.75, 1].map((f) => p.min + f * (p.max - p.min));
  for (const t of ticks)
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${left - 4}" y="${y(t) + 4}" text-anchor="end" font-size="10">${esc(fmt(t, p.unit))}</text>`,
    );
  const slot = plotW / p.groups.length;
  p.groups.forEach((g, gi) => {
    const bw = Math.min(22, (slot - 10) / Math.max(1, g.bars.length));
    const gx = left + gi * slot + (slot - bw * g.bars.length) / 2;
    g.bars.forEach((b, bi) => {
      if (!Number.isFinite(b.value)) return;
      const bx = gx + bi * bw;
      out.push(
        `<rect x="${bx}" y="${y(b.value)}" width="${bw - 2}" height="${top + plotH - y(b.value)}" fill="${b.color}"><title>${esc(`${g.label} ${b.label}: ${fmt(b.value, p.unit)}`)}</title></rect>`,
      );
      const [lo, hi] = b.interval ?? [NaN, NaN];
      const mid = bx + (bw - 2) / 2;
      if (Number.isFinite(lo) && Number.isFinite(hi))
        out.push(`<path d="M${mid} ${y(lo)}V${y(hi)}M${mid - 3} ${y(lo)}h6M${mid - 3} ${y(hi)}h6" stroke="#333"/>`);
      out.push(
        `<text x="${mid}" y="${Math.min(y(b.value), Number.isFinite(hi) ? y(hi) : Infinity) - 3}" text-anchor="middle" font-size="8">${esc(fmt(b.value, p.unit))}</text>`,
      );
    });
    out.push(
      `<text x="${left + gi * slot + slot / 2}" y="${top + plotH + 14}" text-anchor="middle" font-size="10">${esc(g.label)}</text>`,
    );
  });
  out.push(
    `<line x1="${left}" x2="${left + plotW}" y1="${y(p.goal.value)}" y2="${y(p.goal.value)}" stroke="#238b45" stroke-dasharray="5,3"/><text x="${left + 4}" y="${y(p.goal.value) - 3}" font-size="10" fill="#238b45">${esc(p.goal.label)}</text>`,
  );
  out.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/><line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
  );
  return out.join('\n');
}

function legend(x: number, y: number, items: [string, string][]): string {
  return items
    .map(
      ([label, color], i) =>
        `<rect x="${x + i * 150}" y="${y}" width="10" height="10" fill="${color}"/><text x="${x + i * 150 + 14}" y="${y + 9}" font-size="10">${esc(label)}</text>`,
    )
    .join('\n');
}

export function renderChart(ms: ModeSummary[], note: string): string {
  const scales = [...new Set(ms.flatMap((m) => m.latency.map((l) => l.scale)))];
  const latency: Panel = {
    title: 'Change -> first connection (p50 light, p99 dark)',
    unit: 'ms',
    log: true,
    min: 1,
    max: 100_000,
    goal: { value: GOALS.latencyP99Ms, label: 'goal p99 < 20 ms' },
    groups: scales.map((s) => ({
      label: `${s.toLocaleString('en-US')} Services`,
      bars: ms.flatMap((m) => {
        const l = m.latency.find((x) => x.scale === s);
        const [c1, c2] = COLORS[m.mode]!;
        return [
          { label: `${m.mode} p50`, value: l?.all.p50 ?? NaN, color: c1 },
          { label: `${m.mode} p99`, value: l?.all.p99 ?? NaN, color: c2 },
        ];
      }),
    })),
  };
  const full: Panel = {
    title: 'Full sync (cold light, warm dark)',
    unit: 'ms',
    log: true,
    min: 10,
    max: 100_000,
    goal: { value: GOALS.fullSyncMs, label: 'goal < 1 s' },
    groups: [
      ...ms.map((m) => ({
        label: m.mode,
        bars: (['cold', 'warm'] as const).map((k, i) => ({
          label: k,
          value: m.fullSync.find((f) => f.kind === k)?.syncMs ?? NaN,
          color: COLORS[m.mode]![i]!,
        })),
      })),
      {
        label: 'anchors (5k x 10)',
        bars: [
          { label: 'iptables-restore', value: ANCHORS.iptablesRestoreMs, color: ANCHOR_COLOR },
          { label: 'nft chain per endpoint', value: ANCHORS.nftPerEndpointChainLoadMs, color: ANCHOR_COLOR },
        ],
      },
    ],
  };
  const rateCounts = [...new Set(ms.flatMap((m) => m.connRate.map((c) => c.services)))];
  const rate: Panel = {
    title: 'Conn/s ÷ direct (pod dark, node light; grey: one DNAT rule)',
    unit: 'x',
    log: false,
    min: 0,
    max: 1.2,
    goal: { value: GOALS.connRateRatio, label: 'goal >= 0.95' },
    groups: rateCounts.map((n) => ({
      label: `${n.toLocaleString('en-US')} Services`,
      bars: ms.flatMap((m) =>
        (['pod', 'node'] as const).flatMap((from, i) => {
          const c = m.connRate.find((r) => r.services === n && r.from === from);
          return [
            {
              label: `${m.mode} from ${from}`,
              value: c?.ratio ?? NaN,
              interval: c?.ratioInterval,
              color: COLORS[m.mode]![1 - i]!,
            },
            {
              label: `one DNAT rule, ${m.mode} run, from ${from}`,
              value: c?.floorRatio ?? NaN,
              interval: c?.floorRatioInterval,
              color: ANCHOR_COLOR,
            },
          ];
        }),
      ),
    })),
  };
  const W = 1100;
  const H = 340;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    panel(latency, 0, 0, 480, 300),
    panel(full, 480, 0, 340, 300),
    panel(rate, 820, 0, 280, 300),
    legend(
      60,
      305,
      ms.map((m) => [m.mode, COLORS[m.mode]![1]] as [string, string]).concat([['kube-proxy anchor', ANCHOR_COLOR]]),
    ),
    `<text x="10" y="${H - 8}" font-size="10" fill="#555">${esc(note)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** Hand-written SVG bar panels for the benches' charts (no dependencies): grouped bars, whiskers, goal lines. */

/** `interval`: a 95 % interval, drawn as a whisker over the bar. */
interface Bar {
  label: string;
  value: number;
  color: string;
  interval?: [number, number];
}

export interface Panel {
  title: string;
  /** Axis labels, bar labels and tooltips. */
  format: (v: number) => string;
  log: boolean;
  min: number;
  max: number;
  /** Dashed horizontal lines. */
  goals: { value: number; label: string }[];
  groups: { label: string; bars: Bar[] }[];
}

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Milliseconds as "4.2 ms", "35 ms", "1.3 s". */
export const formatMs = (v: number): string =>
  v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms`;

const GOAL_COLOR = '#238b45';

/** One panel at (x0, y0) of size w x h. */
export function barPanel(p: Panel, x0: number, y0: number, w: number, h: number): string {
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
      `<line x1="${left}" x2="${left + plotW}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${left - 4}" y="${y(t) + 4}" text-anchor="end" font-size="10">${esc(p.format(t))}</text>`,
    );
  const slot = plotW / p.groups.length;
  p.groups.forEach((g, gi) => {
    const bw = Math.min(22, (slot - 10) / Math.max(1, g.bars.length));
    const gx = left + gi * slot + (slot - bw * g.bars.length) / 2;
    g.bars.forEach((b, bi) => {
      if (!Number.isFinite(b.value)) return;
      const bx = gx + bi * bw;
      out.push(
        `<rect x="${bx}" y="${y(b.value)}" width="${bw - 2}" height="${top + plotH - y(b.value)}" fill="${b.color}"><title>${esc(`${g.label} ${b.label}: ${p.format(b.value)}`)}</title></rect>`,
      );
      const [lo, hi] = b.interval ?? [NaN, NaN];
      const mid = bx + (bw - 2) / 2;
      if (Number.isFinite(lo) && Number.isFinite(hi))
        out.push(`<path d="M${mid} ${y(lo)}V${y(hi)}M${mid - 3} ${y(lo)}h6M${mid - 3} ${y(hi)}h6" stroke="#333"/>`);
      out.push(
        `<text x="${mid}" y="${Math.min(y(b.value), Number.isFinite(hi) ? y(hi) : Infinity) - 3}" text-anchor="middle" font-size="8">${esc(p.format(b.value))}</text>`,
      );
    });
    out.push(
      `<text x="${left + gi * slot + slot / 2}" y="${top + plotH + 14}" text-anchor="middle" font-size="10">${esc(g.label)}</text>`,
    );
  });
  for (const goal of p.goals)
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(goal.value)}" y2="${y(goal.value)}" stroke="${GOAL_COLOR}" stroke-dasharray="5,3"/><text x="${left + 4}" y="${y(goal.value) - 3}" font-size="10" fill="${GOAL_COLOR}">${esc(goal.label)}</text>`,
    );
  out.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/><line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
  );
  return out.join('\n');
}

/** A row of colour swatches with labels, `spacing` px apart. */
export function legend(x: number, y: number, items: [string, string][], spacing = 150): string {
  return items
    .map(
      ([label, color], i) =>
        `<rect x="${x + i * spacing}" y="${y}" width="10" height="10" fill="${color}"/><text x="${x + i * spacing + 14}" y="${y + 9}" font-size="10">${esc(label)}</text>`,
    )
    .join('\n');
}

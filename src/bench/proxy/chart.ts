/** A hand-written SVG of the results (no dependencies): three bar panels with the goals drawn as lines. */
import { barPanel, esc, formatMs, legend, type Panel } from '../common/svg-bars.js';
import { ANCHORS, GOALS, type ModeSummary } from './report.js';

const COLORS: Record<string, [string, string]> = { nftables: ['#9ecae1', '#2171b5'], iptables: ['#fdae6b', '#d94801'] };
const ANCHOR_COLOR = '#969696';
const ratio = (v: number) => v.toFixed(2);

export function renderChart(ms: ModeSummary[], note: string): string {
  const scales = [...new Set(ms.flatMap((m) => m.latency.map((l) => l.scale)))];
  const latency: Panel = {
    title: 'Change -> first connection (p50 light, p99 dark)',
    format: formatMs,
    log: true,
    min: 1,
    max: 100_000,
    goals: [{ value: GOALS.latencyP99Ms, label: 'goal p99 < 20 ms' }],
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
    format: formatMs,
    log: true,
    min: 10,
    max: 100_000,
    goals: [{ value: GOALS.fullSyncMs, label: 'goal < 1 s' }],
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
    format: ratio,
    log: false,
    min: 0,
    max: 1.2,
    goals: [{ value: GOALS.connRateRatio, label: 'goal >= 0.95' }],
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
    barPanel(latency, 0, 0, 480, 300),
    barPanel(full, 480, 0, 340, 300),
    barPanel(rate, 820, 0, 280, 300),
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

/** bench/router's chart: req/s and p99 per proxy, podnet's ratios with their intervals, change latency, the 10,000-route start. */
import { barPanel, esc, formatMs, legend, type Panel } from '../common/svg-bars.js';
import type { ProxyName } from './net.js';
import { GOALS, type BenchSummary } from './report.js';

const COLORS: Record<ProxyName, string> = {
  podnet: '#2171b5',
  'podnet-nolog': '#9ecae1',
  haproxy: '#d94801',
  nginx: '#238b45',
};
const NAMES: Record<ProxyName, string> = {
  podnet: 'podnet router',
  'podnet-nolog': 'podnet, no access log',
  haproxy: 'haproxy, hand-written',
  nginx: 'nginx',
};
/** The p99 ratio bars, lighter than the req/s ones. */
const P99_COLORS: Partial<Record<ProxyName, string>> = { podnet: '#fd8d3c', 'podnet-nolog': '#fdd0a2' };
const kReq = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0));
const ratio = (v: number) => v.toFixed(2);

export function renderChart(s: BenchSummary, note: string): string {
  const proxies = [...new Set(s.throughput.flatMap((c) => c.proxies.map((p) => p.proxy)))];
  const maxRps = Math.max(1, ...s.throughput.flatMap((c) => c.proxies.map((p) => p.rps)));
  const rps: Panel = {
    title: 'Requests/s (median of rounds)',
    format: kReq,
    log: false,
    min: 0,
    max: Math.ceil(maxRps / 5000) * 5000,
    goals: [],
    groups: s.throughput.map((c) => ({
      label: c.case,
      bars: c.proxies.map((p) => ({ label: NAMES[p.proxy], value: p.rps, color: COLORS[p.proxy] })),
    })),
  };
  const maxP99 = Math.max(1, ...s.throughput.flatMap((c) => c.proxies.map((p) => p.p99Ms)));
  const p99: Panel = {
    title: 'p99 latency (median of rounds)',
    format: formatMs,
    log: false,
    min: 0,
    max: Math.ceil(maxP99 / 5) * 5,
    goals: [],
    groups: s.throughput.map((c) => ({
      label: c.case,
      bars: c.proxies.map((p) => ({ label: NAMES[p.proxy], value: p.p99Ms, color: COLORS[p.proxy] })),
    })),
  };
  const ratios: Panel = {
    title: 'podnet router ÷ haproxy: req/s, p99',
    format: ratio,
    log: false,
    min: 0,
    max: 2,
    goals: [
      { value: GOALS.rpsRatio, label: `req/s >= ${GOALS.rpsRatio}` },
      { value: GOALS.p99Ratio, label: `p99 <= ${GOALS.p99Ratio}` },
    ],
    groups: s.throughput.map((c) => {
      const r = c.ratios.filter((x) => x.to === 'haproxy');
      return {
        label: c.case,
        bars: r.flatMap((x) => [
          { label: `${NAMES[x.of]} req/s`, value: x.rps, interval: x.rpsInterval, color: COLORS[x.of] },
          { label: `${NAMES[x.of]} p99`, value: x.p99, interval: x.p99Interval, color: P99_COLORS[x.of]! },
        ]),
      };
    }),
  };
  const changes: Panel = {
    title: 'Change live, routes: kind (p50, p99)',
    format: formatMs,
    log: true,
    min: 0.1,
    max: 10_000,
    goals: [
      { value: GOALS.endpointP99Ms, label: `${GOALS.endpointP99Ms} ms` },
      { value: GOALS.scaleChangeP99Ms, label: `${GOALS.scaleChangeP99Ms} ms` },
    ],
    groups: s.changes.map((c) => ({
      label: `${c.routes > 1 ? `${(c.routes / 1000).toFixed(0)}k` : '1'}: ${c.kind}`,
      bars: [
        { label: 'p50', value: c.fromResponse.p50, color: '#9ecae1' },
        { label: 'p99', value: c.fromResponse.p99, color: '#2171b5' },
      ],
    })),
  };
  const start: Panel = {
    title: `Start -> ${(s.scale?.routes ?? 0).toLocaleString('en-US')} routes served`,
    format: formatMs,
    log: true,
    min: 10,
    max: 100_000,
    goals: [{ value: GOALS.loadMs, label: `goal < ${GOALS.loadMs / 1000} s` }],
    groups: (s.scale?.starts ?? []).map((x, i) => ({
      label: `start ${i + 1}`,
      bars: [
        { label: 'ready', value: x.toReadyMs, color: '#9ecae1' },
        { label: 'serving', value: x.toServingMs, color: '#2171b5' },
      ],
    })),
  };
  const W = 1300;
  const H = 340;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    barPanel(rps, 0, 0, 270, 300),
    barPanel(p99, 270, 0, 250, 300),
    barPanel(ratios, 520, 0, 260, 300),
    barPanel(changes, 780, 0, 300, 300),
    barPanel(start, 1080, 0, 220, 300),
    legend(
      60,
      305,
      proxies
        .map((p) => [NAMES[p], COLORS[p]] as [string, string])
        .concat(
          proxies
            .filter((p) => P99_COLORS[p])
            .map((p) => [`${NAMES[p]}: p99 ratio`, P99_COLORS[p]!] as [string, string]),
        ),
      165,
    ),
    `<text x="10" y="${H - 8}" font-size="10" fill="#555">${esc(note)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

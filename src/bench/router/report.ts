/** Summaries of the driver's raw results, the goals from issue 17, and the printed table. */
import { median, medianInterval, summarize, type Summary } from '../apiserver/stats.js';
import { roundRatios } from '../common/rounds.js';
import type { ChangeKind, ChangeRun, RouterReport } from './change-latency.js';
import type { DriverResult } from './driver.js';
import { PROXY_LABELS, type ProxyName } from './net.js';
import type { ColdStart } from './scale.js';
import type { AloneStart } from './haproxy-alone.js';
import type { ConnectionCase, ThroughputCase, ThroughputRun } from './throughput.js';

export const GOALS = {
  /** podnet router's requests/s ÷ the hand-written haproxy's, at least. */
  rpsRatio: 0.97,
  /** podnet router's p99 ÷ the hand-written haproxy's, at most. */
  p99Ratio: 1.1,
  /** API write -> first request at the new endpoint, one route. */
  endpointP99Ms: 20,
  /** Start -> HAProxy serving every one of 10,000 routes. */
  loadMs: 2000,
  /** A change among 10,000 routes, live. */
  scaleChangeP99Ms: 50,
};
/** Measured on this machine when the issue was written (not re-measured here). */
export const ANCHORS = { haproxyRps: [31_600, 39_400], haproxyP99Ms: 2.5, nginxRps: 27_300 };

interface ProxySummary {
  proxy: ProxyName;
  rounds: number;
  /** Medians over the rounds. */
  rps: number;
  p99Ms: number;
  /** The proxy's CPU per request (for podnet router HAProxy and the controller together), µs. */
  cpuUsPerRequest: number;
  /** Of that, podnet router's controller (the access log it receives). */
  controllerUsPerRequest: number;
  /** Busy fraction of the client and server cores. */
  clientCoreBusy: number;
  serverCoreBusy: number;
  errors: number;
}

/** Median over rounds of `of`'s run ÷ the round's run of `to`, with the 95 % interval of that median. */
interface RatioSummary {
  of: ProxyName;
  to: ProxyName;
  rps: number;
  rpsInterval: [number, number];
  p99: number;
  p99Interval: [number, number];
}

interface CaseSummary {
  case: ConnectionCase;
  proxies: ProxySummary[];
  ratios: RatioSummary[];
}

export interface ChangeSummary {
  kind: ChangeKind;
  routes: number;
  fromResponse: Summary;
  fromSend: Summary;
  api: Summary;
  failures: number;
  /** Probe requests that failed (error or unexpected status) during the samples; 404s before a new route is live excluded. */
  probeFailures: number;
  probeRequests: number;
}

interface ScaleSummary {
  routes: number;
  populateS: number;
  starts: ColdStart[];
  servingMs: number;
  controllerRssAfterMiB: number;
  haproxyRssAfterMiB: number;
  haproxyProcessesAfter: number;
  haproxyAlone?: { podnetConfig: AloneStart; minimal: AloneStart };
}

/** One set of change samples: what others ran before it, and what the router itself reported meanwhile. */
interface ChangePhaseSummary {
  routes: number;
  backgroundCores: number;
  router?: RouterReport;
}

export interface BenchSummary {
  throughput: CaseSummary[];
  throughputBackgroundCores?: number;
  changes: ChangeSummary[];
  changePhases: ChangePhaseSummary[];
  scale?: ScaleSummary;
  phaseErrors: string[];
}

const requestsOf = (w: ThroughputRun) => w.requests || w.requestsPerSec * w.wallS;

function proxySummary(proxy: ProxyName, runs: ThroughputRun[], serverCpu: number, clientCpu: number): ProxySummary {
  return {
    proxy,
    rounds: runs.length,
    rps: median(runs.map((w) => w.requestsPerSec)),
    p99Ms: median(runs.map((w) => w.latencyP99Ms)),
    cpuUsPerRequest: median(runs.map((w) => ((w.proxyCpuS + w.controllerCpuS) / requestsOf(w)) * 1e6)),
    controllerUsPerRequest: median(runs.map((w) => (w.controllerCpuS / requestsOf(w)) * 1e6)),
    clientCoreBusy: median(runs.map((w) => w.coreBusy[clientCpu] ?? NaN)),
    serverCoreBusy: median(runs.map((w) => w.coreBusy[serverCpu] ?? NaN)),
    errors: runs.reduce((n, w) => n + w.socketErrors + w.non2xx, 0),
  };
}

export function ratioSummary(
  of: ThroughputRun[],
  to: ThroughputRun[],
  ofName: ProxyName,
  toName: ProxyName,
): RatioSummary {
  const rps = roundRatios(
    of.map((w) => w.requestsPerSec),
    to.map((w) => w.requestsPerSec),
  );
  const p99 = roundRatios(
    of.map((w) => w.latencyP99Ms),
    to.map((w) => w.latencyP99Ms),
  );
  return {
    of: ofName,
    to: toName,
    rps: median(rps),
    rpsInterval: medianInterval(rps),
    p99: median(p99),
    p99Interval: medianInterval(p99),
  };
}

function caseSummary(c: ThroughputCase, serverCpu: number, clientCpu: number): CaseSummary {
  const proxies = c.paths.map((p) => proxySummary(p, c.runs[p] ?? [], serverCpu, clientCpu));
  const ratios: RatioSummary[] = [];
  for (const of of ['podnet', 'podnet-nolog'] as ProxyName[])
    for (const to of ['haproxy', 'nginx'] as ProxyName[]) {
      const a = c.runs[of];
      const b = c.runs[to];
      if (a && b) ratios.push(ratioSummary(a, b, of, to));
    }
  return { case: c.case, proxies, ratios };
}

function changeSummary(r: ChangeRun): ChangeSummary {
  const ok = r.samples;
  return {
    kind: r.kind,
    routes: r.routes,
    fromResponse: summarize(ok.map((s) => s.fromResponseMs)),
    fromSend: summarize(ok.map((s) => s.fromSendMs)),
    api: summarize(ok.map((s) => s.apiMs)),
    failures: r.failures.length,
    probeFailures: ok.reduce(
      (n, s) => n + s.probe.errors + s.probe.otherStatus + (r.kind === 'endpoint' ? s.probe.notFound : 0),
      0,
    ),
    probeRequests: ok.reduce((n, s) => n + s.probe.requests, 0),
  };
}

export function summarizeResult(r: DriverResult): BenchSummary {
  const { serverCpu, clientCpu } = r.cpuLayout;
  const phases = [...(r.change ? [r.change] : []), ...(r.scale ? [r.scale.changes] : [])];
  return {
    throughput: r.throughput.map((c) => caseSummary(c, serverCpu, clientCpu)),
    ...(r.throughputBackgroundCores === undefined ? {} : { throughputBackgroundCores: r.throughputBackgroundCores }),
    changes: phases.flatMap((p) => p.runs).map(changeSummary),
    changePhases: phases.map((p) => ({
      routes: p.routes,
      backgroundCores: p.backgroundCores,
      ...(p.router ? { router: p.router } : {}),
    })),
    phaseErrors: r.phaseErrors,
    ...(r.scale
      ? {
          scale: {
            routes: r.scale.routes,
            populateS: r.scale.populateS,
            starts: r.scale.starts,
            servingMs: median(r.scale.starts.map((s) => s.toServingMs)),
            controllerRssAfterMiB: r.scale.controllerRssAfterMiB,
            haproxyRssAfterMiB: r.scale.haproxyRssAfterMiB,
            haproxyProcessesAfter: r.scale.haproxyProcessesAfter,
            ...(r.scale.haproxyAlone ? { haproxyAlone: r.scale.haproxyAlone } : {}),
          },
        }
      : {}),
  };
}

export interface GoalCheck {
  goal: string;
  value: string;
  met: boolean;
}

/** "0.969x (0.958–0.979)": a median ratio and its 95 % interval. */
export const ratioText = (ratio: number, [lo, hi]: [number, number]): string =>
  `${ratio.toFixed(3)}x (${Number.isFinite(lo) ? `${lo.toFixed(3)}–${hi.toFixed(3)}` : 'too few rounds for an interval'})`;

const ms1 = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : '—');

/** Ratio goals count as met only when the whole 95 % interval clears them: one lucky median is not enough. */
export function checkGoals(s: BenchSummary): GoalCheck[] {
  const out: GoalCheck[] = [];
  for (const c of s.throughput) {
    const r = c.ratios.find((x) => x.of === 'podnet' && x.to === 'haproxy');
    if (!r) continue;
    out.push({
      goal: `${c.case}: podnet router requests/s >= ${GOALS.rpsRatio}x the hand-written haproxy's`,
      value: ratioText(r.rps, r.rpsInterval),
      met: r.rpsInterval[0] >= GOALS.rpsRatio,
    });
    out.push({
      goal: `${c.case}: podnet router p99 <= ${GOALS.p99Ratio}x the hand-written haproxy's`,
      value: ratioText(r.p99, r.p99Interval),
      met: r.p99Interval[1] <= GOALS.p99Ratio,
    });
  }
  for (const ch of s.changes) {
    const goal = ch.routes > 1 ? GOALS.scaleChangeP99Ms : GOALS.endpointP99Ms;
    out.push({
      goal: `${ch.kind === 'endpoint' ? 'an endpoint change' : 'a new route'} at ${ch.routes.toLocaleString('en-US')} route${ch.routes > 1 ? 's' : ''} live, p99 < ${goal} ms`,
      value: `p99 ${ms1(ch.fromResponse.p99)} (p50 ${ms1(ch.fromResponse.p50)}, n=${ch.fromResponse.n}${ch.failures ? `, ${ch.failures} failed` : ''})`,
      met: ch.fromResponse.p99 < goal && ch.failures === 0,
    });
  }
  for (const e of s.phaseErrors)
    out.push({ goal: `the ${e.slice(0, e.indexOf(':'))} phase`, value: 'not completed (see above)', met: false });
  if (s.scale) {
    const worst = Math.max(...s.scale.starts.map((x) => x.toServingMs));
    out.push({
      goal: `${s.scale.routes.toLocaleString('en-US')} routes served < ${GOALS.loadMs / 1000} s after the router starts, every start`,
      value: s.scale.starts.map((x) => ms1(x.toServingMs)).join(', '),
      met: worst < GOALS.loadMs,
    });
  }
  return out;
}

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—');
const pct = (n: number) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '—');

export function table(s: BenchSummary, goals: GoalCheck[], o: { seconds: number; connections: number }): string {
  const lines: string[] = [];
  if (s.throughput.length) {
    lines.push(
      `Throughput: wrk -t1 -c${o.connections} --latency, ${o.seconds} s runs in rotating rounds; medians over the rounds${s.throughputBackgroundCores === undefined ? '' : ` (others kept ${f2(s.throughputBackgroundCores)} cores busy just before)`}`,
      'case        proxy                              rounds   req/s     p99 ms   CPU us/req (controller)   client/server core busy   errors',
    );
    for (const c of s.throughput)
      for (const p of c.proxies)
        lines.push(
          `${c.case.padEnd(11)} ${PROXY_LABELS[p.proxy].padEnd(34)} ${String(p.rounds).padStart(6)}  ${f0(p.rps).padStart(7)}   ${f2(p.p99Ms).padStart(7)}   ${f2(p.cpuUsPerRequest).padStart(7)} (${f2(p.controllerUsPerRequest)})${' '.repeat(9)}${pct(p.clientCoreBusy).padStart(5)} / ${pct(p.serverCoreBusy).padEnd(5)}${' '.repeat(12)}${p.errors}`,
        );
    lines.push(
      '',
      "Ratios: median over rounds of the run ÷ the same round's run of the other proxy, with its 95 % interval",
      'case        ratio                                   req/s                        p99',
    );
    for (const c of s.throughput)
      for (const r of c.ratios)
        lines.push(
          `${c.case.padEnd(11)} ${`${PROXY_LABELS[r.of]} / ${r.to}`.padEnd(39)} ${ratioText(r.rps, r.rpsInterval).padEnd(28)} ${ratioText(r.p99, r.p99Interval)}`,
        );
  }
  if (s.changes.length) {
    lines.push(
      '',
      'Changes live: API write -> first request at the fresh backend (ms; "from response": after the write returned)',
      'kind       routes   n    from response p50 / p90 / p99 / max      from send p50 / p99    API write p50   probe failed/sent   failed',
    );
    for (const c of s.changes)
      lines.push(
        `${c.kind.padEnd(9)} ${f0(c.routes).padStart(7)} ${String(c.fromResponse.n).padStart(3)}    ${[c.fromResponse.p50, c.fromResponse.p90, c.fromResponse.p99, c.fromResponse.max].map(f2).join(' / ').padEnd(36)} ${`${f2(c.fromSend.p50)} / ${f2(c.fromSend.p99)}`.padEnd(22)} ${f2(c.api.p50).padStart(12)}   ${`${c.probeFailures}/${c.probeRequests}`.padStart(17)}   ${c.failures}`,
      );
    for (const p of s.changePhases)
      lines.push(
        `at ${f0(p.routes)} route${p.routes > 1 ? 's' : ''}: others kept ${f2(p.backgroundCores)} cores busy just before; ${p.router ? `the router reported ${p.router.syncs} syncs (reverts included), mean sync ${f2(p.router.meanSyncMs)} ms, mean change latency ${f2(p.router.meanChangeMs)} ms (its own clock: event seen -> applied)` : 'the router reported no sync histograms'}`,
      );
  }
  if (s.scale) {
    lines.push(
      '',
      `Scale: ${f0(s.scale.routes)} routed Services (created in ${s.scale.populateS.toFixed(1)} s); podnet router started fresh each time`,
      'start   ready ms   all routes in /metrics ms   serving ms   controller RSS MiB   HAProxy RSS MiB',
    );
    s.scale.starts.forEach((x, i) =>
      lines.push(
        `${String(i + 1).padStart(5)}   ${f0(x.toReadyMs).padStart(8)}   ${f0(x.toRoutesMs).padStart(25)}   ${f0(x.toServingMs).padStart(10)}   ${f0(x.controllerRssMiB).padStart(18)}   ${f0(x.haproxyRssMiB).padStart(15)}`,
      ),
    );
    lines.push(
      `after the changes: controller ${f0(s.scale.controllerRssAfterMiB)} MiB, HAProxy ${f0(s.scale.haproxyRssAfterMiB)} MiB, ${s.scale.haproxyProcessesAfter} HAProxy processes`,
    );
    const alone = s.scale.haproxyAlone;
    if (alone)
      lines.push(
        `the floor, HAProxy alone from exec to serving: ${f0(alone.podnetConfig.servingMs)} ms (${alone.podnetConfig.cpuSeconds.toFixed(2)} s CPU) on the router's config, ` +
          `${f0(alone.minimal.servingMs)} ms (${alone.minimal.cpuSeconds.toFixed(2)} s CPU) on a hand-written minimal one`,
      );
  }
  for (const e of s.phaseErrors) lines.push('', `PHASE NOT COMPLETED: ${e}`);
  lines.push('', 'Goals (issue 17)');
  for (const g of goals) lines.push(`${g.met ? 'MET    ' : 'MISSED '} ${g.goal}: ${g.value}`);
  lines.push(
    `Anchors (issue 17, this machine): one haproxy thread ${f0(ANCHORS.haproxyRps[0]!)}–${f0(ANCHORS.haproxyRps[1]!)} req/s (p99 ~${ANCHORS.haproxyP99Ms} ms), one nginx worker ${f0(ANCHORS.nginxRps)} req/s.`,
  );
  return lines.join('\n');
}
